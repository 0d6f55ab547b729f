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
#   bochs-debug-storm  the syscall fuzzer (selftests/zxhv_fuzz_test.c, KCOV) for
#                      ZXHV_SOAK_BOCHS_FUZZ_CALLS calls and the kill storm
#                      (zxhv_storm_test.c: guests and VCPUs run and are killed)
#                      for ZXHV_SOAK_BOCHS_STORM_ROUNDS rounds, Bochs on the
#                      debug kernel, kmemleak on.  Counts, not seconds: Bochs'
#                      guest clock follows its instruction count, not the host's.
#   bochs-guest-fuzz   selftests/guest_fuzz_test.c for ZXHV_SOAK_GFUZZ_RUNS runs
#                      (make check runs 90) on the debug kernel, kmemleak on.
#   bochs-debug-smp    in a two-CPU Bochs boot of the debug kernel, kmemleak on,
#                      the selftests a second CPU changes: vcpu_smp_test (a
#                      VCPU's VMCS following its thread between CPUs; kick,
#                      interrupt, close, SIGKILL and CPU hotplug from the other
#                      CPU) and those whose threads, children or kills then run
#                      on both CPUs at once (list: smp_tests below), with
#                      ZXHV_SOAK_SMP_FORK_CYCLES (default 50) fork-and-kill
#                      cycles in vcpu_teardown_test instead of 200: two
#                      emulated CPUs run at about half the speed of one, and
#                      200 took ~55 min here.  The whole suite on two CPUs
#                      with kmemleak took over 2 h 30 min; make check runs it
#                      whole on one CPU of the debug kernel.
#   qemu-debug-fuzz    the syscall fuzzer for ZXHV_SOAK_SYSFUZZ_SECONDS and the
#                      kill storm for ZXHV_SOAK_STORM_SECONDS, QEMU (TCG, guest
#                      time is the host's, two host threads) on the debug
#                      kernel: 1200 s and 300 s by default.
#   virtio-fuzz        the libFuzzer targets over the virtqueue walker and the
#                      virtio devices' request parsers (vmm/Makefile
#                      fuzz-check), ZXHV_SOAK_FUZZ_SECONDS each (1800: an
#                      hour for the two).
# Two lanes, one per core (Bochs and libFuzzer use one host thread each,
# QEMU two): bochs-debug-linux, -storm, bochs-guest-fuzz and qemu-debug-fuzz
# run one after the other in the background, bochs-debug-smp and virtio-fuzz
# in the foreground.  ZXHV_SOAK_STEPS="NAME..." runs only those steps
# (and the build).  The defaults are sized so that a whole run fits in about
# two hours on the 2-core CI machine, that is, inside one working session
# (a run cut short proves nothing); the variables above make any step
# longer.  Rates in Bochs on the debug kernel (corei7_skylake_x, kmemleak
# on): ~200 fuzzer calls, ~0.12 storm rounds and ~0.5 guest-fuzz runs per
# second of wall time; docs/security.md has the figures of whole runs.  The
# seeds are ZXHV_SOAK_SEED (default: the time), printed in each log.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
steps_only=${ZXHV_SOAK_STEPS:-}
for s in $steps_only; do
	case $s in
	bochs-debug-linux | bochs-debug-storm | bochs-guest-fuzz | bochs-debug-smp | qemu-debug-fuzz | \
		virtio-fuzz) ;;
	*) echo "soak: ZXHV_SOAK_STEPS: no step '$s'" >&2; exit 2 ;;
	esac
done
out=$top/build/soak
rm -rf "$out"
mkdir -p "$out"
t0=$SECONDS
# shellcheck source=scripts/steps.sh
. "$top/scripts/steps.sh"

# --- build ---------------------------------------------------------------------
steps_only='' step build make -s kernel-debug module-debug libzx tools selftests vmm guest

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
# VMCS migration and hotplug; host state after guests on either CPU; a
# VCPU's sibling halted or spinning on the other CPU; kills, closes and
# forks racing a guest that runs on the other CPU; port waiters on both.
smp_tests="vcpu_smp_test vcpu_cpu_test vmcs_load_test hoststate_test pause_yield_test \
	killable_test port_test vcpu_teardown_test zxhv_storm_test"
debug_smp() {
	local console=$out/bochs-debug-smp.console log=$out/bochs-debug-smp.out rc
	# shellcheck disable=SC2086 # smp_tests is a list of words
	tools/vmrun --vmx --smp 2 --kernel debug --timeout 14400 --append "kunit.enable=0 kmemleak=on" \
		--console "$console" --put build/selftests:/work/selftests -- \
		env ZXHV_FORK_KILL_CYCLES="${ZXHV_SOAK_SMP_FORK_CYCLES:-50}" \
		/work/selftests/run_tests.sh $smp_tests >"$log"
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
seed=${ZXHV_SOAK_SEED:-$(date +%s)}
# fuzz_soak VMX-FLAG CONSOLE FUZZ-CALLS FUZZ-SECONDS STORM-ROUNDS STORM-SECONDS VMRUN-ARGS...
fuzz_soak() {
	local vmx=$1 console=$2 calls=$3 fsecs=$4 rounds=$5 ssecs=$6
	shift 6
	echo "# seed $seed"
	tools/vmrun "$vmx" --kernel debug --timeout $((fsecs + ssecs + 14400)) --console "$console" \
		--put build/selftests:/work/selftests "$@" -- \
		env ZXHV_FUZZ_CALLS="$calls" ZXHV_FUZZ_SECONDS="$fsecs" ZXHV_FUZZ_SEED="$seed" \
		ZXHV_STORM_ROUNDS="$rounds" ZXHV_STORM_SECONDS="$ssecs" ZXHV_STORM_SEED="$seed" \
		/work/selftests/run_tests.sh zxhv_fuzz_test zxhv_storm_test
}
bochs_storm() {
	fuzz_soak --vmx "$out/bochs-debug-storm.console" "${ZXHV_SOAK_BOCHS_FUZZ_CALLS:-200000}" 0 \
		"${ZXHV_SOAK_BOCHS_STORM_ROUNDS:-100}" 0 --append "kunit.enable=0 kmemleak=on" &&
		console_clean "$out/bochs-debug-storm.console"
}
qemu_fuzz() {
	fuzz_soak --novmx "$out/qemu-debug-fuzz.console" 100000000000 \
		"${ZXHV_SOAK_SYSFUZZ_SECONDS:-1200}" 100000000 "${ZXHV_SOAK_STORM_SECONDS:-300}" \
		--append kunit.enable=0
}
guest_fuzz() {
	echo "# seed $seed"
	tools/vmrun --vmx --kernel debug --timeout 36000 --append "kunit.enable=0 kmemleak=on" \
		--console "$out/bochs-guest-fuzz.console" --put build/selftests:/work/selftests -- \
		env ZXHV_GFUZZ_RUNS="${ZXHV_SOAK_GFUZZ_RUNS:-800}" ZXHV_GFUZZ_SEED="$seed" \
		/work/selftests/run_tests.sh guest_fuzz_test &&
		console_clean "$out/bochs-guest-fuzz.console"
}
virtio_fuzz() {
	make -s -C vmm fuzz-check O="$top/build/vmm" FUZZ_SECONDS="${ZXHV_SOAK_FUZZ_SECONDS:-1800}"
}

# --- lane 1, in the background: Bochs on the debug kernel, one CPU, then QEMU -----------
bg_chain bochs-debug-linux debug_linux bochs-debug-storm bochs_storm \
	bochs-guest-fuzz guest_fuzz qemu-debug-fuzz qemu_fuzz

# --- lane 2: two CPUs in Bochs, then the userspace fuzzers -----------------------------
tap_step bochs-debug-smp debug_smp
step virtio-fuzz virtio_fuzz

bg_wait bochs-debug-linux
bg_wait bochs-debug-storm
bg_wait bochs-guest-fuzz
bg_wait qemu-debug-fuzz

# --- summary -------------------------------------------------------------------------
steps_summary "make soak"
