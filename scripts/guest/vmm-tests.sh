#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# zxhv-vmm boots Linux: the tests that need /dev/zircon-hv, run inside the
# emulated VMX machine (tools/vmrun --vmx) from /work with
#   /work/vmm/zxhv-vmm   and   /work/guest/ (scripts/guest/build-guest.sh)
# Prints TAP.  Each boot's guest output and zxhv-vmm's stderr follow as
# '#' lines when a test fails.  Times are the emulated machine's (Bochs:
# instructions, not host seconds).
#
#   vmm-tests.sh [TEST]...    TEST: elf-1cpu elf-2cpu bzimage-1cpu triple-fault
#                             (default: triple-fault elf-1cpu elf-2cpu; the boots
#                             after the triple fault show the host unaffected)
vmm=${ZXHV_VMM:-/work/vmm/zxhv-vmm}
g=${ZXHV_GUEST:-/work/guest}
tests=${*:-triple-fault elf-1cpu elf-2cpu}
n=0
failed=0
# shellcheck disable=SC2086 # one word per test
set -- $tests
echo "1..$#"

# Milliseconds of uptime (busybox date has no %N).
ms() {
	read -r up _ </proc/uptime
	echo $(( ${up%.*} * 1000 + 1${up#*.}0 - 1000 ))
}

result() {	# result OK|NOTOK NAME DETAIL
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2 $3"
	else
		echo "not ok $n - $2 $3"
		failed=1
		sed 's/^/# out: /' /tmp/vmm.out | tail -n 80
		sed 's/^/# err: /' /tmp/vmm.err | tail -n 30
	fi
}

# boot NAME KERNEL CPUS [CMDLINE]: the guest's init prints its checks, echoes
# our line, powers off.  Without CMDLINE, zxhv-vmm's default line is used.
boot() {
	name=$1 kernel=$2 cpus=$3 line="zxhv-typed-line-$1"
	t=$(ms)
	echo "$line" | "$vmm" --kernel "$kernel" --initrd "$g"/initramfs.cpio.gz --cpus "$cpus" \
		${4:+--cmdline "$4"} >/tmp/vmm.raw 2>/tmp/vmm.err
	rc=$?
	t=$(( $(ms) - t ))
	tr -d '\r' </tmp/vmm.raw >/tmp/vmm.out
	why=
	[ "$rc" = 0 ] || why="$why exit=$rc"
	grep -q 'powered off' /tmp/vmm.err || why="$why no-poweroff-message"
	grep -q "^GUEST-UNAME-OK $(cat "$g"/release)" /tmp/vmm.out || why="$why uname"
	grep -q "^GUEST-CPUS online=.* nproc=$cpus\$" /tmp/vmm.out || why="$why nproc"
	grep -q '^GUEST-CPUS-OK' /tmp/vmm.out || why="$why cpus-online"
	# kvm-clock must be offered; Linux prefers the TSC over it when the TSC is
	# invariant (kvmclock.c lowers its rating), as on KVM.
	grep -Eq '^GUEST-CLOCKSOURCE (tsc|kvm-clock) .*kvm-clock' /tmp/vmm.out || why="$why clocksource"
	grep -q "^GUEST-READ \[$line\]" /tmp/vmm.out || why="$why stdin-line"
	up=$(sed -n 's/^GUEST-UPTIME \([0-9.]*\) .*/\1/p' /tmp/vmm.out)
	if [ -z "$why" ]; then
		result OK "$name" "(guest uptime at /init ${up}s; zxhv-vmm ran ${t} ms)"
	else
		result NOTOK "$name" "($why; ${t} ms)"
	fi
}

triple_fault() {
	"$vmm" --kernel "$g"/triple-fault.elf </dev/null >/tmp/vmm.out 2>/tmp/vmm.err
	rc=$?
	why=
	[ "$rc" = 1 ] || why="$why exit=$rc"
	grep -q 'triple-faulted' /tmp/vmm.err || why="$why no-cause"
	grep -q 'rflags' /tmp/vmm.err || why="$why no-registers"
	if [ -z "$why" ]; then
		result OK triple-fault "(exit 1, cause and registers)"
	else
		result NOTOK triple-fault "($why)"
	fi
}

for t in "$@"; do
	case $t in
	elf-1cpu) boot elf-1cpu "$g"/vmlinux 1 ;;
	# The default line plus cryptomgr.notests: the crypto self-tests are
	# about 40% of a boot, and the 1-VCPU boot already ran them.
	elf-2cpu) boot elf-2cpu "$g"/vmlinux 2 "console=ttyS0 panic=-1 cryptomgr.notests" ;;
	bzimage-1cpu) boot bzimage-1cpu "$g"/bzImage 1 ;;
	triple-fault) triple_fault ;;
	*) result NOTOK "$t" "(unknown test)" ;;
	esac
done
exit $failed
