#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Line coverage of module/ as a figure: the module built with gcov
# (GCOV_PROFILE, ZXHV_GCOV=y in Kbuild; the debug kernel has GCOV_KERNEL
# without GCOV_PROFILE_ALL) runs its KUnit suites at load and the kselftests
# in QEMU on the debug kernel, as `make check`'s qemu-debug step does; the
# counters (/sys/kernel/debug/gcov) leave the VM base64-encoded on the
# command's output, and gcov turns them into per-file and total figures.
#   scripts/coverage.sh [--vmx] [TEST...]
# TEST: run_tests.sh's arguments (default all).  --vmx: in Bochs with VMX
# (the VCPU and EPT code too), as the bochs-debug step; about 25 minutes.
# Output in build/coverage/: report.txt (the figures), gcov.log, vm.log.
set -euo pipefail
vm=(--novmx --timeout 1800)
where="QEMU, debug kernel, no VMX"
if [ "${1:-}" = --vmx ]; then
	shift
	vm=(--vmx --timeout 3600)
	where="Bochs, debug kernel, VMX"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/coverage
rm -rf "$out/gcda" "$out/report.txt"
mkdir -p "$out"

make -s kernel-debug libzx tools selftests
kdir=$(scripts/kernel/build-debug.sh)
scripts/build-module.sh "$kdir" "$out/module" ZXHV_KUNIT=y ZXHV_KCOV=y ZXHV_GCOV=y
ls "$out"/module/module/*.gcno >/dev/null 2>&1 || {
	echo "coverage: no .gcno files: is GCOV_KERNEL in the debug kernel?" >&2
	exit 1
}

# In the VM: the tests, then every .gcda (debugfs files report size 0, so
# they are copied with cat before tar sees them).
cat >"$out/collect.sh" <<'EOF'
/work/selftests/run_tests.sh "$@"
rc=$?
cd /sys/kernel/debug/gcov || exit 1
find . -name '*.gcda' | while read -r f; do
	mkdir -p "/tmp/gcda/$(dirname "$f")"
	cat "$f" >"/tmp/gcda/$f"
done
echo ZXHV-GCOV-BEGIN
tar -C /tmp/gcda -czf - . | base64
echo ZXHV-GCOV-END
exit $rc
EOF
rc=0
tools/vmrun "${vm[@]}" --kernel debug --module "$out/module/zircon-hv.ko" \
	--put build/selftests:/work/selftests --put "$out/collect.sh:/work/collect.sh" \
	-- sh /work/collect.sh "$@" >"$out/vm.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || echo "coverage: the test run exited $rc (figures below still count)" >&2

mkdir -p "$out/gcda"
sed -n '/^ZXHV-GCOV-BEGIN$/,/^ZXHV-GCOV-END$/p' "$out/vm.log" | sed '1d;$d' | base64 -d |
	tar -C "$out/gcda" -xzf -
# The counters sit under the build directory's absolute path: next to the .gcno.
n=0
while IFS= read -r f; do
	rel=${f#*"$out/module/"}
	[ "$rel" != "$f" ] || continue
	cp "$f" "$out/module/$rel"
	n=$((n + 1))
done < <(find "$out/gcda" -name '*.gcda')
[ "$n" -gt 0 ] || { echo "coverage: no .gcda came out of the VM" >&2; exit 1; }

# gcov per object: "File 'X.c'" then "Lines executed:P% of N".
: >"$out/gcov.log"
for gcno in $(find "$out/module/module" -name '*.gcno' | sort); do
	src=${gcno%.gcno}.c
	[ -f "$src" ] || continue
	(cd "$(dirname "$gcno")" && gcov -n -o . "$(basename "$src")") >>"$out/gcov.log" 2>/dev/null || true
done
python3 - "$out/gcov.log" "$out/module/" "$where" >"$out/report.txt" <<'EOF'
import re, sys
log, root, where = sys.argv[1], sys.argv[2], sys.argv[3]
cur, rows = None, {}
for line in open(log):
    m = re.match(r"File '(.*)'", line)
    if m:
        cur = m.group(1)
        continue
    m = re.match(r"Lines executed:([\d.]+)% of (\d+)", line)
    if m and cur and cur.endswith('.c') and cur.startswith(root + 'module/'):
        name = cur[len(root):]
        total = int(m.group(2))
        rows[name] = (round(float(m.group(1)) * total / 100), total)
        cur = None
hit = sum(h for h, _ in rows.values())
tot = sum(t for _, t in rows.values())
for name in sorted(rows):
    h, t = rows[name]
    print('%-40s %5d / %5d  %5.1f%%' % (name, h, t, 100.0 * h / t if t else 0))
print('module/ line coverage (%s): %.1f%% (%d of %d lines, %d files)'
      % (where, 100.0 * hit / tot if tot else 0, hit, tot, len(rows)))
EOF
cat "$out/report.txt"
