#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The virtio half of `make bench` (docs/benchmarks.md, "Virtio devices"): one
# boot of the Linux guest with one VMM, whose /virtio-test
# (virtio-bench-guest.sh) measures a virtio disk, a virtio-net TAP and the
# notification rate on one queue; prints one line per figure:
#
#   vbench VMM NAME VALUE UNIT      (seqwrite, seqread MB/s; randread4k IOPS;
#                                    tcp MB/s, guest to host; notify /s)
#
#   virtio-bench.sh zxhv|qemu DIR
#
# VMM zxhv: zxhv-vmm on zircon-hv (--disk, --net tap=, --rng; notifications
# are BELL traps); qemu: qemu-system-x86_64 -M microvm,pcie=on -accel kvm
# with virtio-blk-pci, virtio-net-pci (tap, vhost off: a userspace device
# like zxhv-vmm's) and virtio-rng-pci, ioeventfd on.  Both get the disk
# image on this machine's root file system, opened without O_DIRECT.
# DIR holds vmlinux, initramfs-vbench.cpio.gz, virtio-io, tun.ko (when
# /dev/net/tun is missing), zxhv-vmm, qemu/ (as boot-bench.sh describes).
# Environment: VBENCH_SIZES (MIB,OPS,NETMIB,KICKS; default 16,1000,16,20000),
# VBENCH_TIMEOUT (seconds of this machine's clock, default 1800),
# VBENCH_QEMU_MACHINE (default microvm,pcie=on).
set -u
vmm=${1:?zxhv or qemu}
d=${2:?directory}
sizes=${VBENCH_SIZES:-16,1000,16,20000}
w=/tmp/vbench-$vmm
rm -rf "$w"
mkdir -p "$w"
mib=${sizes%%,*}
dd if=/dev/zero of="$w/disk.img" bs=1M count=$((mib + 1)) 2>/dev/null
[ -e /dev/net/tun ] || insmod "$d/tun.ko"
tap=vb$vmm
line="console=ttyS0 panic=-1 cryptomgr.notests zxhv.virtio vbench=$sizes"
"$d/virtio-io" sink 5001 >"$w/sink" 2>&1 &
sinkpid=$!
(
	i=0
	while [ ! -d "/sys/class/net/$tap" ] && [ $i -lt 600 ]; do sleep 1; i=$((i + 1)); done
	ip addr add 10.0.2.1/24 dev "$tap"
	ip link set "$tap" up
) &
case $vmm in
zxhv)
	timeout "${VBENCH_TIMEOUT:-1800}" "$d/zxhv-vmm" --kernel "$d/vmlinux" \
		--initrd "$d/initramfs-vbench.cpio.gz" --memory 256M --cmdline "$line" --rng \
		--disk "$w/disk.img" --net "tap=$tap" </dev/null >"$w/out" 2>"$w/err"
	;;
qemu)
	LD_LIBRARY_PATH=$d/qemu/lib timeout "${VBENCH_TIMEOUT:-1800}" \
		"$d/qemu/qemu-system-x86_64" -L "$d/qemu/share" \
		-M "${VBENCH_QEMU_MACHINE:-microvm,pcie=on}" -accel kvm -cpu host -smp 1 -m 256M \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel "$d/vmlinux" -initrd "$d/initramfs-vbench.cpio.gz" -append "$line" \
		-drive "file=$w/disk.img,format=raw,if=none,id=d0" \
		-device virtio-blk-pci,drive=d0,ioeventfd=on \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off" \
		-device virtio-net-pci,netdev=n0,ioeventfd=on,romfile= \
		-device virtio-rng-pci,ioeventfd=on </dev/null >"$w/out" 2>"$w/err"
	;;
*) echo "virtio-bench: unknown VMM $vmm" >&2; exit 2 ;;
esac
rc=$?
kill "$sinkpid" 2>/dev/null
tr -d '\r' <"$w/out" | sed -n "s/^VBENCH \\([a-z0-9]*\\) \\([0-9.]*\\) \\(.*\\)/vbench $vmm \\1 \\2 \\3/p"
tr -d '\r' <"$w/out" | sed -n 's/^VBENCH-SIZES /# vbench sizes: /p' | head -n 1
if [ "$rc" != 0 ] || ! grep -q '^VBENCH-DONE' "$w/out"; then
	echo "# vbench $vmm failed (exit $rc); console and stderr tails:"
	tr -d '\r' <"$w/out" | tail -n 25 | sed 's/^/#   /'
	tail -n 10 "$w/err" | sed 's/^/#   err: /'
	exit 1
fi
exit 0
