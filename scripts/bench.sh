#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: boots the emulated VMX machine once (tools/vmrun --vmx, Debian's
# stock 6.1 kernel), runs zircon-hv's suite, unloads zircon-hv, loads KVM,
# runs KVM's suite (tools/bench/bench-vm.sh), then prints the table and
# writes build/bench/bench.json.  When an earlier run's JSON is there, the
# two are compared (figures must agree within 2%).
#
# ZXHV_BENCH_ARGS: arguments for both tools (default: the 1 GiB touch
# region of op g; the emulated machine has 2 GiB of RAM).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/bench
args=${ZXHV_BENCH_ARGS:--t 1024}
make -s module-stock libzx bench-tools
mkdir -p "$out"
[ -f "$out/bench.json" ] && mv "$out/bench.json" "$out/bench.prev.json"
rc=0
# shellcheck disable=SC2086 # the arguments are words
tools/vmrun --vmx --kernel stock --timeout 1800 --console "$out/console.log" \
	--put "$out/zxhv-bench" --put "$out/kvm-bench" --put tools/bench/bench-vm.sh \
	-- sh /work/bench-vm.sh $args >"$out/raw.txt" || rc=$?
if [ "$rc" != 0 ]; then
	cat "$out/raw.txt"
	echo "bench: the run failed (vmrun exit $rc); console: $out/console.log" >&2
	exit 1
fi
grep '^#' "$out/raw.txt" || true
echo
date -u '+%Y-%m-%d %H:%M UTC'
python3 scripts/bench-table.py "$out/raw.txt" --json "$out/bench.json"
if [ -f "$out/bench.prev.json" ]; then
	echo
	echo "against the previous run:"
	python3 scripts/bench-table.py --compare "$out/bench.prev.json" "$out/bench.json"
fi
