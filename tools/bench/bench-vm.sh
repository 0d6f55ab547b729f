#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the machine that `make bench` boots (tools/vmrun --vmx, with
# zircon-hv loaded): zircon-hv's suite, then zircon-hv out and KVM in (one
# VMX owner at a time), then KVM's suite.  Arguments go to both tools.
# Also usable as is on a real VMX host with zircon-hv loaded, from the
# directory holding zxhv-bench and kvm-bench (KVM_MODULES: where kvm.ko,
# kvm-intel.ko and irqbypass.ko are; default: modprobe).
# With ZXHV_BENCH_BOOT=DIR each suite is followed by the boot times of a
# Linux guest (boot-bench.sh beside this script, DIR as it describes):
# zxhv-vmm while zircon-hv is loaded, QEMU microvm on KVM after it.
# With ZXHV_BENCH_VIRTIO=DIR each suite is also followed by the virtio
# benchmark (virtio-bench.sh beside this script, DIR as it describes);
# ZXHV_BENCH_ONLY=virtio runs that alone (no suites, no boot times);
# ZXHV_BENCH_ONLY=suites runs the two suites alone; ZXHV_BENCH_ONLY=bells
# runs only their doorbell ops, (c) and (h) (make bench runs these again on a
# machine with a CPU for the VCPU and one for each of (h)'s four waiters).
set -u
here=$(cd "$(dirname "$0")" && pwd)
only=${ZXHV_BENCH_ONLY:-}
[ "$only" = bells ] && set -- "$@" -o ch
echo "info kernel $(uname -r)"
echo "info cpus $(grep -c '^processor' /proc/cpuinfo)"
# The kernel arguments that shape these figures.
echo "info kargs $(grep -o 'idle=[^ ]*\|mitigations=[^ ]*' /proc/cmdline | tr '\n' ' ')"
echo "info cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "info args $*"
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
boot_fail=0
boots() {	# a failed boot fails the run at the end; the other VMM still boots
	[ -n "${ZXHV_BENCH_BOOT:-}" ] || return 0
	[ -z "$only" ] || return 0
	sh "$here/boot-bench.sh" "$1" "$ZXHV_BENCH_BOOT" ||
		{ echo "bench-vm: a $1 boot failed" >&2; boot_fail=1; }
}
vbench() {	# like boots
	[ -n "${ZXHV_BENCH_VIRTIO:-}" ] || return 0
	[ -z "$only" ] || [ "$only" = virtio ] || return 0
	sh "$here/virtio-bench.sh" "$1" "$ZXHV_BENCH_VIRTIO" ||
		{ echo "bench-vm: the $1 virtio benchmark failed" >&2; boot_fail=1; }
}
suites=true
[ "$only" = virtio ] && suites=false
pool=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
if $suites && [ "$only" != bells ] && [ -w "$pool" ]; then
	# KVM's 1 GiB page for op j, before anything else uses the ordinary
	# memory (a gigantic page never comes from ZONE_MOVABLE; kvm-bench.c).
	# make bench reserves it at boot (hugepages=1) and this only says so.
	"$here/kvm-bench" --hugetlb-pool || echo "bench-vm: no 1 GiB hugetlbfs page now; op j tries again"
fi
echo "== zircon-hv"
if $suites; then
	"$here/zxhv-bench" "$@" || { echo "bench-vm: zxhv-bench failed" >&2; exit 1; }
	boots zxhv
fi
vbench zxhv
rmmod zircon_hv || { echo "bench-vm: cannot unload zircon-hv" >&2; exit 1; }
if [ -f "${KVM_MODULES:-/lib/modules}/kvm-intel.ko" ]; then
	for m in irqbypass kvm kvm-intel; do
		insmod "${KVM_MODULES:-/lib/modules}/$m.ko" ||
			{ echo "bench-vm: insmod $m failed" >&2; exit 1; }
	done
else
	modprobe kvm_intel || { echo "bench-vm: modprobe kvm_intel failed" >&2; exit 1; }
fi
echo "== kvm"
if $suites; then
	"$here/kvm-bench" "$@" || { echo "bench-vm: kvm-bench failed" >&2; exit 1; }
	[ -w "$pool" ] && echo 0 >"$pool"	# op j's page back, if op j did not run
	boots qemu
fi
vbench qemu
rmmod kvm_intel kvm 2>/dev/null
exit $boot_fail
