#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Where the ticks of one IO round trip, one CPUID exit and one doorbell write
# go (docs/benchmarks.md, "Breakdown"): runs inside the emulated machine
# (tools/vmrun --vmx, as bench-vm.sh), zircon-hv loaded, the tools beside it.
# Each tool runs ops b, c and d once more with tracefs recording, in TSC
# ticks (trace_clock x86-tsc), the ioctl entries and returns
# and reads (raw_syscalls), the scheduler's switches and wake-ups, and the
# hypervisor's own events: zircon_hv's entry/exit/trap tracepoints, KVM's
# kvm_entry/kvm_exit/kvm_pio/kvm_fast_mmio/kvm_userspace_exit.  The
# events are printed as "== trace NAME" sections of "TID TICKS EVENT REST"
# lines for scripts/bench-trace.py.  Arguments go to both tools.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=/sys/kernel/tracing
mountpoint -q $t 2>/dev/null || mount -t tracefs tracefs $t ||
	{ echo "trace-vm: no tracefs" >&2; exit 1; }
# One traced run of tool $2 as section $1; the rest are the events.
traced() {
	name=$1 tool=$2
	shift 2
	echo 0 >$t/tracing_on
	echo x86-tsc >$t/trace_clock
	echo 8192 >$t/buffer_size_kb
	echo >$t/set_event
	for e in raw_syscalls:sys_enter raw_syscalls:sys_exit sched:sched_switch \
		sched:sched_wakeup "$@"; do
		echo "$e" >>$t/set_event || { echo "trace-vm: no event $e" >&2; exit 1; }
	done
	echo 'id == 16 || id == 0' >$t/events/raw_syscalls/sys_enter/filter	# ioctl, read
	echo 'id == 16 || id == 0' >$t/events/raw_syscalls/sys_exit/filter
	echo >$t/trace
	echo 1 >$t/tracing_on
	# shellcheck disable=SC2086 # the arguments are words
	"$here/$tool" -o bcd $TRACE_ARGS || { echo "trace-vm: $tool failed" >&2; exit 1; }
	echo 0 >$t/tracing_on
	echo >$t/set_event
	echo "== trace $name"
	# "comm-TID [cpu] flags TICKS: event: rest" -> "TID TICKS event rest"
	grep -v '^#' $t/trace | awk '{
		n = split($1, a, "-"); tid = a[n];
		i = 2; while (i <= NF && $i !~ /^[0-9]+:$/) i++;
		ts = $i; sub(":", "", ts); ev = $(i + 1); sub(":", "", ev);
		rest = ""; for (j = i + 2; j <= NF && j < i + 8; j++) rest = rest " " $j;
		print tid, ts, ev rest }'
}
TRACE_ARGS="$*"
traced zxhv zxhv-bench zircon_hv:zxhv_entry zircon_hv:zxhv_exit zircon_hv:zxhv_trap
rmmod zircon_hv || { echo "trace-vm: cannot unload zircon-hv" >&2; exit 1; }
if [ -f /lib/modules/kvm-intel.ko ]; then	# as bench-vm.sh loads KVM
	for m in irqbypass kvm kvm-intel; do
		insmod "/lib/modules/$m.ko" || { echo "trace-vm: insmod $m failed" >&2; exit 1; }
	done
else
	modprobe kvm_intel || { echo "trace-vm: modprobe kvm_intel failed" >&2; exit 1; }
fi
traced kvm kvm-bench kvm:kvm_entry kvm:kvm_exit kvm:kvm_pio kvm:kvm_fast_mmio \
	kvm:kvm_userspace_exit
rmmod kvm_intel kvm 2>/dev/null
exit 0
