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
#   bochs-guest-fuzz   selftests/guest_fuzz_test.c for $ZXHV_SOAK_FUZZ_RUNS runs
#                      (default 3000; make check runs 90) on the debug kernel;
#                      the seed is printed at the start of the step's log.
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
step build make -s kernel-debug module-debug libzx tools vmm guest selftests

# --- zxhv-vmm boots Linux on the debug kernel ---------------------------------------
# corei7_skylake_x: on corei7_haswell_4770 the debug kernel calibrates its TSC
# so low that it crawls (tools/vmrun).  kunit.enable=0: the module's KUnit
# suites run in make check; kmemleak=on: vmrun's Bochs boots turn it off.
sanitizers='KASAN:|UBSAN:|kmemleak:|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|BUG:|WARNING:'
# shellcheck source=scripts/guest/vmm-test-files.sh
. scripts/guest/vmm-test-files.sh
debug_linux() {
	local console=$out/bochs-debug-linux.console rc
	tools/vmrun --vmx --kernel debug --timeout 10800 --append "kunit.enable=0 kmemleak=on" \
		--console "$console" "${vmm_test_files[@]}" -- sh /work/guest/vmm-tests.sh
	rc=$?
	# vmrun fails on reports after the module's load; check the whole run too,
	# and that kmemleak did scan (a kernel without it would pass silently).
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
tap_step bochs-debug-linux debug_linux

# --- the guest fuzzer, long ------------------------------------------------------------
guest_fuzz() {
	tools/vmrun --vmx --kernel debug --timeout 36000 --append kunit.enable=0 \
		--console "$out/bochs-guest-fuzz.console" --put build/selftests:/work/selftests -- \
		env ZXHV_FUZZ_RUNS="${ZXHV_SOAK_FUZZ_RUNS:-3000}" \
		/work/selftests/run_tests.sh guest_fuzz_test
}
tap_step bochs-guest-fuzz guest_fuzz

# --- summary -------------------------------------------------------------------------
steps_summary "make soak"
