#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make soak`: the long runs that do not fit `make check`'s time budget, as a
# list of steps (like scripts/check.sh).  Logs in build/soak/; prints
# 'N passed, N failed, N skipped' last and exits non-zero on any failure,
# crash, hang or sanitizer report.
#
# Steps:
#   bochs-debug-linux  zxhv-vmm's Linux boot tests (scripts/guest/vmm-tests.sh:
#                      triple fault, ELF on 1 VCPU on a terminal and on 2, the
#                      bzImage, Ctrl-A x, SIGTERM) in Bochs on the debug kernel
#                      (KASAN, lockdep, UBSAN, kmemleak on), with its debug
#                      module; after the module's unload kmemleak scans, and
#                      the console must hold that scan and no report at all.
#   bochs-debug-smp    the two-CPU tests (vcpu_smp_test: a VCPU's VMCS following
#                      its thread between CPUs; kick, interrupt, close and
#                      SIGKILL from the other CPU) and the whole selftest suite
#                      in a two-CPU Bochs boot of the debug kernel, kmemleak on.
#   virtio-fuzz        the libFuzzer targets over the virtqueue walker and the
#                      virtio devices' request parsers (vmm/Makefile
#                      fuzz-check), ZXHV_SOAK_FUZZ_SECONDS each (1800: an hour).
#   qemu-debug-fuzz    the syscall fuzzer (selftests/zxhv_fuzz_test.c, KCOV)
#                      and then the kill storm (zxhv_storm_test.c), each for
#                      ZXHV_SOAK_SYSFUZZ_SECONDS (default 3600), QEMU on the debug
#                      kernel, seed ZXHV_SOAK_SEED (default: the time, printed)
#   bochs-debug-storm  the same for half an hour each in Bochs on the debug kernel
#                      (guests and VCPUs run and are killed), kmemleak on
#   bochs-guest-fuzz   selftests/guest_fuzz_test.c for $ZXHV_SOAK_GFUZZ_RUNS runs
#                      (default 3000; make check runs 90) on the debug kernel;
#                      the seed is printed at the start of the step's log.
# bochs-debug-linux and bochs-debug-storm run in the background (Bochs uses
# one host thread), beside bochs-debug-smp and the fuzzers.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build/soak
rm -rf "$out"
mkdir -p "$out"
t0=$SECONDS
# shellcheck source=scripts/steps.sh
. "$top/scripts/steps.sh"

# --- build ---------------------------------------------------------------------
step build make -s kernel-debug module-debug libzx tools selftests vmm guest

# --- zxhv-vmm boots Linux on the debug kernel ---------------------------------------
# corei7_skylake_x: on corei7_haswell_4770 the debug kernel calibrates its TSC
# so low that it crawls (tools/vmrun).  kunit.enable=0: the module's KUnit
# suites run in make check; kmemleak=on: vmrun's Bochs boots turn it off.
sanitizers='KASAN:|UBSAN:|kmemleak:|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|BUG:|WARNING:'
# shellcheck source=scripts/guest/vmm-test-files.sh
. scripts/guest/vmm-test-files.sh
# vmrun fails on reports after the module's load; check the whole run too,
# and that kmemleak did scan (a kernel without it would pass silently).
console_clean() {
	local console=$1 rc=0
	if ! grep -q 'ZXHV-KMEMLEAK-SCANNED' "$console"; then
		echo "soak: no kmemleak scan on the console"
		rc=1
	fi
	if sed -n '/ZXHV-BEGIN/,$p' "$console" | grep -aE "$sanitizers"; then
		echo "soak: sanitizer reports on the console (above)"
		rc=1
	fi
	return "$rc"
}
debug_linux() {
	local console=$out/bochs-debug-linux.console rc
	tools/vmrun --vmx --kernel debug --timeout 10800 --append "kunit.enable=0 kmemleak=on" \
		--console "$console" "${vmm_test_files[@]}" -- sh /work/guest/vmm-tests.sh
	rc=$?
	console_clean "$console" || rc=1
	return "$rc"
}
# Bochs runs on one host thread: two steps at a time, one in the background.
bg_step bochs-debug-linux debug_linux

# --- two CPUs on the debug kernel ------------------------------------------------------
debug_smp() {
	local console=$out/bochs-debug-smp.console log=$out/bochs-debug-smp.out rc
	tools/vmrun --vmx --smp 2 --kernel debug --timeout 14400 --append "kunit.enable=0 kmemleak=on" \
		--console "$console" --put build/selftests:/work/selftests -- \
		/work/selftests/run_tests.sh >"$log"
	rc=$?
	cat "$log"
	console_clean "$console" || rc=1
	# vcpu_smp_test skips with one CPU: here that is a failure.
	if sed -n '/zxhv-selftest: .\/vcpu_smp_test$/,/zxhv-selftest: .\/vcpu_smp_test took/p' "$log" |
		grep -q '# SKIP'; then
		echo "soak: vcpu_smp_test skipped in the two-CPU boot"
		rc=1
	fi
	return "$rc"
}
tap_step bochs-debug-smp debug_smp
bg_wait bochs-debug-linux

# --- the syscall fuzzer and the kill storm, long ---------------------------------------
seed=${ZXHV_SOAK_SEED:-$(date +%s)}
fuzz_soak() {
	local vmx=$1 secs=$2 console=$3
	shift 3
	echo "# seed $seed"
	tools/vmrun "$vmx" --kernel debug --timeout $((2 * secs + 7200)) --console "$console" \
		--put build/selftests:/work/selftests "$@" -- \
		env ZXHV_FUZZ_CALLS=100000000000 ZXHV_FUZZ_SECONDS="$secs" ZXHV_FUZZ_SEED="$seed" \
		ZXHV_STORM_ROUNDS=100000000 ZXHV_STORM_SECONDS="$secs" ZXHV_STORM_SEED="$seed" \
		/work/selftests/run_tests.sh zxhv_fuzz_test zxhv_storm_test
}
bg_step bochs-debug-storm fuzz_soak --vmx 1800 "$out/bochs-debug-storm.console" \
	--append "kunit.enable=0 kmemleak=on"

# --- the virtio fuzzers, half an hour each ---------------------------------------------
step virtio-fuzz make -s -C vmm fuzz-check O="$top/build/vmm" \
	FUZZ_SECONDS="${ZXHV_SOAK_FUZZ_SECONDS:-1800}"

tap_step qemu-debug-fuzz fuzz_soak --novmx "${ZXHV_SOAK_SYSFUZZ_SECONDS:-3600}" \
	"$out/qemu-debug-fuzz.console" --append kunit.enable=0

# --- the guest fuzzer, long ------------------------------------------------------------
guest_fuzz() {
	tools/vmrun --vmx --kernel debug --timeout 36000 --append kunit.enable=0 \
		--console "$out/bochs-guest-fuzz.console" --put build/selftests:/work/selftests -- \
		env ZXHV_GFUZZ_RUNS="${ZXHV_SOAK_GFUZZ_RUNS:-3000}" \
		/work/selftests/run_tests.sh guest_fuzz_test
}
tap_step bochs-guest-fuzz guest_fuzz

bg_wait bochs-debug-storm

# --- summary -------------------------------------------------------------------------
steps_summary "make soak"
