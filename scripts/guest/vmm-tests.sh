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
#                             ctrl-a-x sigterm
#                             (default: all; the boots after the triple fault
#                             show the host unaffected)
#
# elf-1cpu, triple-fault, ctrl-a-x and sigterm run zxhv-vmm on a pseudo-terminal
# (tools/zxhv-ptyrun): the terminal must be raw while it runs (the guest gets
# Ctrl-C and Ctrl-A Ctrl-A as bytes) and have its settings back afterwards,
# however zxhv-vmm ends.  elf-2cpu and bzimage-1cpu pipe their input.
vmm=${ZXHV_VMM:-/work/vmm/zxhv-vmm}
g=${ZXHV_GUEST:-/work/guest}
ptyrun=${ZXHV_PTYRUN:-$g/zxhv-ptyrun}
tests=${*:-triple-fault elf-1cpu elf-2cpu bzimage-1cpu ctrl-a-x sigterm}
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

# The pty's /dev/pts (vmrun's init mounts only devtmpfs).
[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; }
ctrl_a=$(printf '\001')

# pty_checks EXIT-STATUS: what every run on the pty must show in /tmp/vmm.err
# (zxhv-ptyrun's summary): the expected end and the terminal's settings back.
pty_checks() {
	grep -q "^ptyrun: $1\$" /tmp/vmm.err || why="$why end($(grep -E '^ptyrun: (exit|signal)' /tmp/vmm.err))"
	grep -q '^ptyrun: termios restored' /tmp/vmm.err || why="$why termios-not-restored"
	grep -q '^ptyrun: raw at every -s: \(yes\|none typed\)' /tmp/vmm.err || why="$why not-raw"
	grep -q '^ptyrun: \(timeout\|ended\) waiting' /tmp/vmm.err && why="$why script"
}

# boot NAME KERNEL CPUS pipe|pty [CMDLINE]: the guest's init prints its checks,
# echoes our line, powers off.  Without CMDLINE, zxhv-vmm's default line is
# used.  pty: typed on a terminal, after a Ctrl-C (which must reach the guest,
# whose tty echoes it as ^C, and not end zxhv-vmm) and with a Ctrl-A sent as
# Ctrl-A Ctrl-A at its start.
boot() {
	name=$1 kernel=$2 cpus=$3 mode=$4 line="zxhv-typed-line-$1" want=
	t=$(ms)
	set -- "$vmm" --kernel "$kernel" --initrd "$g"/initramfs.cpio.gz --cpus "$cpus" \
		${5:+--cmdline "$5"}
	if [ "$mode" = pty ]; then
		want=$ctrl_a
		"$ptyrun" -t 3000 -w GUEST-READY -s '\x03' -w '^C' -s "\\x01\\x01$line\\r" \
			-- "$@" >/tmp/vmm.raw 2>/tmp/vmm.err
		rc=$?
		cat /tmp/vmm.raw >>/tmp/vmm.err
	else
		echo "$line" | "$@" >/tmp/vmm.raw 2>/tmp/vmm.err
		rc=$?
	fi
	t=$(( $(ms) - t ))
	tr -d '\r' </tmp/vmm.raw >/tmp/vmm.out
	why=
	[ "$rc" = 0 ] || why="$why exit=$rc"
	[ "$mode" = pty ] && pty_checks "exit 0"
	grep -q 'powered off' /tmp/vmm.err || why="$why no-poweroff-message"
	grep -q "^GUEST-UNAME-OK $(cat "$g"/release)" /tmp/vmm.out || why="$why uname"
	grep -q "^GUEST-CPUS online=.* nproc=$cpus\$" /tmp/vmm.out || why="$why nproc"
	grep -q '^GUEST-CPUS-OK' /tmp/vmm.out || why="$why cpus-online"
	# The TSC, with kvm-clock offered: the TSC is invariant, so kvmclock.c
	# lowers its own rating below the TSC's, as on KVM (docs/linux-guest.md,
	# "kvmclock").  Anything else means a clock went missing or unstable.
	grep -q '^GUEST-CLOCKSOURCE tsc available: tsc kvm-clock *$' /tmp/vmm.out ||
		why="$why clocksource"
	grep -q "^GUEST-READ \[$want$line\]" /tmp/vmm.out || why="$why stdin-line"
	up=$(sed -n 's/^GUEST-UPTIME \([0-9.]*\) .*/\1/p' /tmp/vmm.out)
	if [ -z "$why" ]; then
		result OK "$name" "(guest uptime at /init ${up}s; zxhv-vmm ran ${t} ms)"
	else
		result NOTOK "$name" "($why; ${t} ms)"
	fi
	grep -E '^GUEST-CLOCKSOURCE|Unstable clock' /tmp/vmm.out | sed 's/^/# /'
}

# On a terminal: the VM fails (exit 1) and the terminal is restored.
triple_fault() {
	"$ptyrun" -t 600 -- "$vmm" --kernel "$g"/triple-fault.elf >/tmp/vmm.out 2>/tmp/vmm.err
	cat /tmp/vmm.out >>/tmp/vmm.err
	why=
	pty_checks "exit 1"
	grep -q 'triple-faulted' /tmp/vmm.err || why="$why no-cause"
	grep -q 'rflags' /tmp/vmm.err || why="$why no-registers"
	if [ -z "$why" ]; then
		result OK triple-fault "(exit 1, cause and registers, terminal restored)"
	else
		result NOTOK triple-fault "($why)"
	fi
}

# interrupt NAME EXIT STEP...: boot the ELF kernel on a terminal and end it
# early, once its first console line is out, with STEP (zxhv-ptyrun's).
interrupt() {
	name=$1 end=$2
	shift 2
	t=$(ms)
	"$ptyrun" -t 1200 -w 'Linux version' "$@" -- "$vmm" --kernel "$g"/vmlinux \
		--initrd "$g"/initramfs.cpio.gz >/tmp/vmm.raw 2>/tmp/vmm.err
	t=$(( $(ms) - t ))
	tr -d '\r' </tmp/vmm.raw >/tmp/vmm.out
	why=
	pty_checks "$end"
	grep -q 'GUEST-UPTIME' /tmp/vmm.out && why="$why reached-init"
	case $name in
	ctrl-a-x)
		grep -q '^  Ctrl-A x  *end the VM' /tmp/vmm.out || why="$why no-help"
		grep -q '^zxhv-vmm: terminated by Ctrl-A x$' /tmp/vmm.out || why="$why no-message" ;;
	esac
	if [ -z "$why" ]; then
		result OK "$name" "($end, terminal restored; ${t} ms)"
	else
		result NOTOK "$name" "($why; ${t} ms)"
	fi
}

for t in "$@"; do
	case $t in
	elf-1cpu) boot elf-1cpu "$g"/vmlinux 1 pty ;;
	# The default line plus cryptomgr.notests: the crypto self-tests are
	# about 40% of a boot, and the 1-VCPU boot already ran them.
	elf-2cpu) boot elf-2cpu "$g"/vmlinux 2 pipe "console=ttyS0 panic=-1 cryptomgr.notests" ;;
	bzimage-1cpu) boot bzimage-1cpu "$g"/bzImage 1 pipe "console=ttyS0 panic=-1 cryptomgr.notests" ;;
	triple-fault) triple_fault ;;
	# Ctrl-A h prints the escapes, Ctrl-A x ends the VM with status 0.
	ctrl-a-x) interrupt ctrl-a-x "exit 0" -s '\x01h' -w 'Ctrl-A Ctrl-A' -s '\x01x' ;;
	# SIGTERM to zxhv-vmm: it dies of it, the terminal restored.
	sigterm) interrupt sigterm "signal 15" -k 15 ;;
	*) result NOTOK "$t" "(unknown test)" ;;
	esac
done
exit $failed
