#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: build everything against every kernel of the matrix, run the
# static checks, then the KUnit suites and the kselftests in QEMU (no VMX)
# and in Bochs (emulated VMX) on the stock and the debug kernel.  Prints
# 'N passed, N failed, N skipped' last and exits non-zero on any failure,
# crash, hang or sanitizer report.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/check
rm -rf "$out"
mkdir -p "$out"
t0=$SECONDS
# shellcheck source=scripts/steps.sh
. "$top/scripts/steps.sh"

# --- build -----------------------------------------------------------------
step kernel-debug make -s kernel-debug
step kernel-stock make -s kernel-stock
step module-stock-6.1 make -s module-stock
step module-6.12 make -s module-612
step module-debug make -s module-debug
step userspace make -s libzx tools selftests examples vmm

# --- runs ----------------------------------------------------------------------
# Bochs is single-threaded: the debug kernel's run (the longest, ~25 min) takes
# one core in the background while everything else runs on the other.
run_in_vm() {
	local console=$1
	shift
	tools/vmrun "$@" --console "$console" --put build/selftests:/work/selftests \
		-- /work/selftests/run_tests.sh
}

kunit_tap() {
	# KUnit prints KTAP on the console; take what followed the module load.
	sed -n '/ZXHV-BEGIN/,$p' "$1" | grep -v 'ZXHV-' >"$2"
	tap_files+=("$2")
}

bg_step bochs-debug run_in_vm "$out/bochs-debug.console" --vmx --kernel debug --timeout 3000

step guest make -s guest
tap_step vmm-input scripts/guest/vmm-input-test.sh
tap_step zxhv-usage scripts/zxhv-usage-test.sh
tap_step vmm-unit make -s -C vmm test O="$top/build/vmm"
step virtqueue-fuzz make -s -C vmm fuzz-check O="$top/build/vmm" FUZZ_RUNS=50000
step libzx-check make -s -C libzx check O="$top/build/libzx"

# --- static checks -------------------------------------------------------------
step layering scripts/check-layering.sh
step citations scripts/check-citations.sh
step man scripts/check-man.sh
step genl-spec scripts/check-genl-spec.sh
step checkpatch scripts/checkpatch.sh
step sparse scripts/sparse.sh

# --- the Debian packages: make deb, lintian, install (DKMS builds the module for
# the stock kernel); they stay installed and Bochs loads the module DKMS built ----
step deb scripts/check-deb.sh --keep
dkms_ko=$(tail -n 1 "$out/deb.log")
case "$dkms_ko" in /lib/modules/*/zircon-hv.ko*) ;; *) dkms_ko= ;; esac

# 5 GiB with movablecore=2G: ZONE_MOVABLE is [4 GiB, 6 GiB), the boot's own
# reservations sit at its top, so [4 GiB, 5 GiB) is free for the KUnit tests
# of VMOs' 1 GiB blocks (kunit/vmo_giant_kunit.c); the 3 GiB below stay
# ordinary memory for everything else.
tap_step qemu-debug run_in_vm "$out/qemu-debug.console" --novmx --kernel debug --timeout 900 \
	--megs 5120 --append movablecore=2G
kunit_tap "$out/qemu-debug.console" "$out/qemu-debug.kunit"
# That boot is the one with movable memory: there the 1 GiB block tests run, not skip.
giant_kunit_ran() {
	local t
	for t in giant_fills_range giant_pool_reuses_blocks giant_pool_refuses_held_block \
		giant_pool_follows_lowered_budget; do
		grep -Eq "ok [0-9]+ $t\$" "$out/qemu-debug.kunit" || { echo "$t did not run and pass"; return 1; }
	done
}
step qemu-debug-giant giant_kunit_ran

# The stock kernel on the XSAVE model (docs/design.md, "the test bench").
tap_step bochs-stock-dkms run_in_vm "$out/bochs-stock.console" --vmx --kernel stock --timeout 2400 \
	--cpu-model corei7_haswell_4770 \
	--module "${dkms_ko:-/nonexistent}"

# --- two CPUs, on a CPU model with XSAVE --------------------------------------------
# vcpu_smp_test (the VMCS following its thread between CPUs; kick, interrupt,
# close and SIGKILL from the other CPU), vcpu_cpu_test's XSAVE tests and
# genl_test's arena_polls (a VCPU polling for BELL arena space while another
# CPU drains) with two CPUs.  This boot exists for these tests, so a skip (one
# CPU, no XSAVE) is a failure here.
smp_run() {
	local log=$out/bochs-smp-stock.out rc
	tools/vmrun --vmx --smp 2 --cpu-model corei7_haswell_4770 --kernel stock --timeout 1800 \
		--module "${dkms_ko:-/nonexistent}" --console "$out/bochs-smp-stock.console" \
		--put build/selftests:/work/selftests -- \
		env ZXHV_VCPU_TEST_ONLY=xsetbv,fpu_isolation ZXHV_GENL_TEST_ONLY=arena_polls \
		/work/selftests/run_tests.sh vcpu_smp_test vcpu_cpu_test genl_test >"$log"
	rc=$?
	cat "$log"
	[ "$rc" = 0 ] || return "$rc"
	if grep -q '# SKIP' "$log"; then
		echo "bochs-smp-stock: a test skipped in the two-CPU XSAVE boot"
		return 1
	fi
	if ! sed -n '/zxhv-selftest: .\/vcpu_cpu_test$/,/zxhv-selftest: .\/genl_test$/p' "$log" |
		grep -qx '1\.\.2'; then
		echo "bochs-smp-stock: ZXHV_VCPU_TEST_ONLY did not narrow vcpu_cpu_test to 2 tests"
		return 1
	fi
	if ! sed -n '/zxhv-selftest: .\/genl_test$/,$p' "$log" | grep -q '^ok 1 global.arena_polls$'; then
		echo "bochs-smp-stock: genl_test's arena_polls did not run and pass"
		return 1
	fi
}
tap_step bochs-smp-stock smp_run

# --- 1 GiB VMO blocks mapped by 1 GiB EPT pages: paravirt_test's giant_leaf ------
# needs a free 1 GiB-aligned range.  3 GiB with movablecore=2G makes
# [1 GiB, 3 GiB) movable with the boot's reservations at its top, so
# [1 GiB, 2 GiB) is free; the test skips only where nothing promised that,
# so a skip here is a failure.
giant_run() {
	local log=$out/bochs-giant.out rc
	tools/vmrun --vmx --kernel stock --megs 3072 --append movablecore=2G --timeout 900 \
		--console "$out/bochs-giant.console" --put build/selftests:/work/selftests -- \
		env ZXHV_PARAVIRT_TEST_ONLY=giant_leaf /work/selftests/run_tests.sh paravirt_test >"$log"
	rc=$?
	cat "$log"
	[ "$rc" = 0 ] || return "$rc"
	if grep -q '# SKIP' "$log" || ! grep -q '^ok 1 giant.giant_leaf' "$log"; then
		echo "bochs-giant: giant_leaf did not run and pass"
		return 1
	fi
}
tap_step bochs-giant giant_run

# --- zxhv-vmm boots Debian's kernel: ELF on 1 (on a terminal) and 2 VCPUs, the
# bzImage on 1, stdin echoed, poweroff; a triple-faulting guest ends with exit 1;
# Ctrl-A x and SIGTERM end a booting VM; the terminal is restored every time.
# shellcheck source=scripts/guest/vmm-test-files.sh
. scripts/guest/vmm-test-files.sh
linux_run() {
	tools/vmrun --vmx --kernel stock --cpu-model corei7_haswell_4770 --timeout 2400 \
		--module "${dkms_ko:-/nonexistent}" --console "$out/bochs-linux.console" \
		"${vmm_test_files[@]}" -- sh /work/guest/vmm-tests.sh
}
tap_step bochs-linux linux_run

# --- zxhv-vmm's virtio devices: one more 1-VCPU boot (scripts/guest/virtio-tests.sh) ---
virtio_run() {
	local g=build/guest tun
	tun=$(scripts/kernel/stock.sh)/lib/modules/$(cat "$g/release")/kernel/drivers/net/tun.ko
	tools/vmrun --vmx --kernel stock --cpu-model corei7_haswell_4770 --timeout 2400 \
		--module "${dkms_ko:-/nonexistent}" --console "$out/bochs-virtio.console" \
		--put build/vmm:/work/vmm --put scripts/guest/virtio-tests.sh:/work/guest/virtio-tests.sh \
		--put "$g/initramfs.cpio.gz:/work/guest/initramfs.cpio.gz" --put "$tun:/work/guest/tun.ko" \
		--put-raw "$g/vmlinux:/work/guest/vmlinux" -- sh /work/guest/virtio-tests.sh
}
tap_step bochs-virtio virtio_run

# --- the bench itself: each failure kind is caught ------------------------------
tap_step bench-selftest scripts/bench-selftest.sh

bg_wait bochs-debug
kunit_tap "$out/bochs-debug.console" "$out/bochs-debug.kunit"

# --- summary -----------------------------------------------------------------------
steps_summary "make check"
