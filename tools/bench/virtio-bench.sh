#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The virtio half of `make bench` (docs/benchmarks.md, "Virtio devices"): one
# boot of the Linux guest with one VMM, whose /virtio-test
# (virtio-bench-guest.sh) measures a virtio disk, a virtio-net TAP and the
# notification rate on one queue, each REPS times; prints one line per
# figure, the median of its REPS samples, and a comment with all of them:
#
#   vbench VMM NAME VALUE UNIT      (seqwrite, seqread MB/s; randread4k and
#                                    randread4k_qd32 IOPS; tcp MB/s guest to
#                                    host (iperf3); tcp_frame bytes per frame
#                                    eth0 sent; notify /s)
#
#   virtio-bench.sh zxhv|qemu DIR
#
# VMM zxhv: zxhv-vmm on zircon-hv (--disk, --net tap=, --rng; notifications
# are BELL traps); qemu: qemu-system-x86_64 -M microvm,pcie=on -accel kvm
# with virtio-blk-pci, virtio-net-pci (tap, vhost off: a userspace device
# like zxhv-vmm's) and virtio-rng-pci, ioeventfd on.  Both get the disk
# image on this machine's root file system, opened without O_DIRECT.
# DIR holds vmlinux, initramfs-vbench.cpio.gz, iperf3/ (the binary and the
# libraries it needs), tun.ko (when /dev/net/tun is missing), zxhv-vmm,
# qemu/ (as boot-bench.sh describes).
# Environment: VBENCH_SIZES (MIB,OPS,NETMIB,KICKS,REPS; default
# 16,1000,16,20000,3),
# VBENCH_TIMEOUT (seconds of this machine's clock, default 1800),
# VBENCH_QEMU_MACHINE (default microvm,pcie=on).
set -u
vmm=${1:?zxhv or qemu}
d=${2:?directory}
sizes=${VBENCH_SIZES:-16,1000,16,20000,3}
w=/tmp/vbench-$vmm
rm -rf "$w"
mkdir -p "$w"
mib=${sizes%%,*}
dd if=/dev/zero of="$w/disk.img" bs=1M count=$((mib + 1)) 2>/dev/null
[ -e /dev/net/tun ] || insmod "$d/tun.ko"
tap=vb$vmm
line="console=ttyS0 panic=-1 cryptomgr.notests zxhv.virtio vbench=$sizes"
LD_LIBRARY_PATH=$d/iperf3 "$d/iperf3/iperf3" -s >"$w/iperf3" 2>&1 &
srvpid=$!
# The TAP's address once the VMM has made it.
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
kill "$srvpid" 2>/dev/null
# The guest's console lines end in CR LF.
tr -d '\r' <"$w/out" >"$w/lines"
# The median of each figure's samples (the lower middle one for an even
# count), after a comment line with all of them.
awk -v vmm="$vmm" '$1 == "VBENCH" && $3 ~ /^[0-9.]+$/ {
		if (!($2 in n)) k[nk++] = $2
		x[$2, n[$2]++] = $3; u[$2] = $4 }
	END { for (i = 0; i < nk; i++) { f = k[i]; c = n[f]; all = ""
		for (a = 0; a < c; a++) for (b = a + 1; b < c; b++)
			if (x[f, b] + 0 < x[f, a] + 0) { t = x[f, a]; x[f, a] = x[f, b]; x[f, b] = t }
		for (a = 0; a < c; a++) all = all " " x[f, a]
		printf "# vbench %s %s samples:%s\n", vmm, f, all
		printf "vbench %s %s %s %s\n", vmm, f, x[f, int((c - 1) / 2)], u[f] } }' "$w/lines"
sed -n 's/^VBENCH-SIZES /# vbench sizes: /p' "$w/lines" | head -n 1
missing=
for f in seqwrite seqread randread4k randread4k_qd32 tcp tcp_frame notify; do
	grep -q "^VBENCH $f [0-9]" "$w/lines" || missing="$missing $f"
done
[ -z "$missing" ] || echo "# vbench $vmm: no figure for$missing"
if [ "$rc" != 0 ] || [ -n "$missing" ] || ! grep -qx 'VBENCH-DONE' "$w/lines"; then
	echo "# vbench $vmm failed (exit $rc); console and stderr tails:"
	tail -n 25 "$w/lines" | sed 's/^/#   /'
	tail -n 10 "$w/err" | sed 's/^/#   err: /'
	tail -n 5 "$w/iperf3" | sed 's/^/#   iperf3 -s: /'
	exit 1
fi
exit 0
