#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest half of the virtio tests (scripts/guest/virtio-tests.sh is the
# host half).  build-guest.sh puts it in the initramfs as /virtio-test with
# the virtio modules of the same kernel package under /lib/modules/virtio
# and the functions of scripts/guest/virtio-lib.sh as /virtio-lib.sh;
# /init runs it when the command line holds zxhv.virtio.  It expects
# zxhv-vmm --rng --console virtio --disk PATTERN --disk SCRATCH --disk RO,ro
# --net tap=NAME (the host at 10.0.2.1, listening on TCP port 5000) and prints VIRTIO-* lines for the host to check, then powers off.
. /virtio-lib.sh
virtio_modules VIRTIO-INSMOD-FAIL
echo "VIRTIO-DEVICES $(cat /sys/bus/virtio/devices/*/device | tr '\n' ' ')"
echo "VIRTIO-MSIX $(grep -c 'MSI.*virtio' /proc/interrupts)"

# virtio-rng: /dev/hwrng, through the virtio driver.
echo "VIRTIO-RNG bytes=$(head -c 4096 /dev/hwrng | wc -c) current=$(cat /sys/class/misc/hw_random/rng_current)"

# virtio-blk: the disks by their serial (GET_ID).
dev_of() {
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial")" = "$1" ] && echo "/dev/${b##*/}"
	done
}
for b in /sys/block/vd*; do
	echo "VIRTIO-BLK ${b##*/} serial=$(cat "$b/serial") sectors=$(cat "$b/size") ro=$(cat "$b/ro")"
done
pat=$(dev_of zxhv-disk0)
scratch=$(dev_of zxhv-disk1)
ro=$(dev_of zxhv-disk2)
echo "VIRTIO-BLK-READ $(dd if="$pat" bs=65536 2>/dev/null | sha256sum | cut -c1-64)"
if yes zxhv-virtio-write | head -c 262144 | dd of="$scratch" bs=65536 conv=fsync 2>/dev/null; then
	echo VIRTIO-BLK-WRITE-OK
else
	echo VIRTIO-BLK-WRITE-FAIL
fi
if dd if=/dev/zero of="$ro" bs=512 count=1 conv=fsync 2>/dev/null; then
	echo VIRTIO-BLK-RO-WRITTEN
else
	echo VIRTIO-BLK-RO-REFUSED
fi

# hvc0: one command line typed on the host, its output back on hvc0.  The
# host types it only after VIRTIO-HVC-WAIT: Linux's virtio_console drops what
# arrives before its console port is set up, as a terminal drops keys typed
# before the machine is there.
cmd=
exec 4</dev/hvc0
echo VIRTIO-HVC-WAIT
read -r -t 300 cmd <&4
exec 4<&-
echo "VIRTIO-HVC-READ $(echo "$cmd" | wc -c) bytes"
sh -c "$cmd" >/dev/hvc0 2>&1

# virtio-net: eth0 on the host's TAP; ping, then 1 MiB over TCP to the host.
virtio_net_up
echo "VIRTIO-NET-PING $(ping -c 3 -W 5 10.0.2.1 | grep -c 'bytes from')"
yes zxhv-net-transfer | head -c 1048576 >/net-data
if timeout 300 nc 10.0.2.1 5000 </net-data; then echo VIRTIO-NET-SENT; else echo VIRTIO-NET-SEND-FAIL; fi

# A corrupted ring: take the rng away from its driver and program its queue
# by hand through /dev/mem, with the available ring on the ACPI RSDP in
# guest RAM, whose index field ("D ", 0x2044) is far beyond the queue size.
# The kick is a BELL write; the device must answer with NEEDS_RESET (0x40).
rng=$(virtio_rng_take)
bar=$(( $(cut -d' ' -f1 "/sys/bus/pci/devices/$rng/resource" | head -n1) ))
w() { devmem "$(printf 0x%x $((bar + $1)))" "$2" "$3"; }
w 0x14 8 0
w 0x14 8 3
w 0x08 32 1
w 0x0c 32 1
w 0x14 8 11
w 0x16 16 0
w 0x18 16 8
w 0x20 32 0xe0000
w 0x24 32 0
w 0x28 32 0xe0000
w 0x2c 32 0
w 0x30 32 0xe0200
w 0x34 32 0
w 0x1c 16 1
w 0x14 8 15
w 0x1000 16 0
i=0
while [ $i -lt 20 ]; do
	s=$(devmem "$(printf 0x%x $((bar + 0x14)))" 32)
	[ $(( s & 0x40 )) = 0 ] || break
	sleep 1
	i=$((i + 1))
done
echo "VIRTIO-NEEDS-RESET $rng status=$(printf 0x%02x $((s & 0xff)))"
# The VMM and the other devices keep working (a read that reaches the disk).
echo 3 >/proc/sys/vm/drop_caches
echo "VIRTIO-AFTER $(dd if="$pat" bs=4096 count=1 2>/dev/null | sha256sum | cut -c1-64)"
poweroff -f
