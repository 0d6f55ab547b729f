#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# zxhv-vmm's virtio devices, run inside the emulated VMX machine (tools/vmrun
# --vmx) like vmm-tests.sh: one boot of the guest kernel (vmlinux, 1 VCPU)
# with --rng, --console virtio, three disks and a TAP (the host side is
# 10.0.2.1, receiving 1 MiB on TCP port 5000), whose /virtio-test
# (scripts/guest/virtio-guest.sh) prints VIRTIO-* lines.  Prints TAP; the
# boot's output and zxhv-vmm's stderr follow as '#' lines when a test fails.
vmm=${ZXHV_VMM:-/work/vmm/zxhv-vmm}
g=${ZXHV_GUEST:-/work/guest}
d=/tmp/virtio
mkdir -p $d
n=0
failed=0
echo "1..11"

result() {	# result CONDITION-STATUS NAME DETAIL
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2 $3"
	else
		echo "not ok $n - $2 $3"
		failed=1
	fi
}

# The disks: a 1 MiB pattern, a zeroed scratch disk, a zeroed read-only one.
yes zxhv-pattern-disk | head -c 1048576 >$d/pattern.img
head -c 1048576 /dev/zero >$d/scratch.img
head -c 1048576 /dev/zero >$d/ro.img
pattern_hash=$(sha256sum <$d/pattern.img | cut -c1-64)
write_hash=$(yes zxhv-virtio-write | head -c 262144 | sha256sum | cut -c1-64)
ro_hash=$(sha256sum <$d/ro.img | cut -c1-64)

net_hash=$(yes zxhv-net-transfer | head -c 1048576 | sha256sum | cut -c1-64)

# The TAP: zxhv-vmm creates tap0 (TUNSETIFF); this side gets 10.0.2.1 once it exists.
[ -e /dev/net/tun ] || insmod "$g"/tun.ko
# busybox nc shuts its socket for writing when its stdin ends, and the
# sender's nc exits when its socket ends: with the listener's stdin on
# /dev/null (a background job's) the guest's nc stopped after its first
# 1024-byte write.  A FIFO opened read-write never ends, so the listener
# reads until the guest has sent everything and exits then.
rm -f $d/net-recv $d/net-hold
mkfifo $d/net-hold
nc -l -p 5000 <>$d/net-hold >$d/net-recv &
ncpid=$!
(
	i=0
	while [ ! -d /sys/class/net/tap0 ] && [ $i -lt 600 ]; do sleep 1; i=$((i + 1)); done
	ip addr add 10.0.2.1/24 dev tap0
	ip link set tap0 up
) &
# The guest's lines also go to the kernel log (the run's console) as they come.
: >$d/raw
: >$d/err
tail -f $d/raw $d/err 2>/dev/null | while read -r l; do echo "virtio-guest: $l" >/dev/kmsg; done &
logpid=$!
# The command typed on hvc0 prints 42 only when a shell evaluates it; it is
# typed once the guest has hvc0 open (VIRTIO-HVC-WAIT).  The boot takes
# about a minute of this kernel's clock; 900 s means a hang.
rm -f $d/in
mkfifo $d/in
(
	i=0
	while ! grep -q '^VIRTIO-HVC-WAIT' $d/raw && [ $i -lt 900 ]; do sleep 1; i=$((i + 1)); done
	sleep 2
	echo 'echo HVC-OUT-$((6*7))'
) >$d/in &
timeout 900 "$vmm" --kernel "$g"/vmlinux --initrd "$g"/initramfs.cpio.gz \
	--cmdline "console=ttyS0 panic=-1 cryptomgr.notests zxhv.virtio" --rng --console virtio \
	--disk $d/pattern.img --disk $d/scratch.img --disk $d/ro.img,ro --net tap=tap0 \
	<$d/in >$d/raw 2>$d/err
rc=$?
kill $ncpid $logpid 2>/dev/null
tr -d '\r' <$d/raw >$d/out
has() { grep -q "$1" $d/out; echo $?; }

why=0
[ "$rc" = 0 ] && grep -q 'powered off' $d/err || why=1
result $why boot "(exit $rc; $(grep -c . $d/out) lines)"
result "$(has '^VIRTIO-DEVICES 0x0004 0x0003 0x0002 0x0002 0x0002 0x0001 $')" devices \
	"($(sed -n 's/^VIRTIO-DEVICES //p' $d/out); MSI-X lines: $(sed -n 's/^VIRTIO-MSIX //p' $d/out))"
result "$(has '^VIRTIO-RNG bytes=4096 current=virtio_rng')" hwrng "($(sed -n 's/^VIRTIO-RNG //p' $d/out))"
result "$(has '^HVC-OUT-42$')" hvc0-command "(typed on hvc0, output on hvc0)"
result "$(has "^VIRTIO-BLK-READ $pattern_hash")" blk-read "(guest hash of the pattern disk)"
why=0
[ "$(head -c 262144 $d/scratch.img | sha256sum | cut -c1-64)" = "$write_hash" ] || why=1
result $why blk-write "(the guest's pattern in the image after exit)"
flushes=$(sed -n 's/^zxhv-vmm: disk 1 .* \([0-9]*\) flushes.*/\1/p' $d/err)
why=0
grep -q '^VIRTIO-BLK-WRITE-OK' $d/out && [ "${flushes:-0}" -ge 1 ] || why=1
result $why blk-flush "(dd conv=fsync completed; the VMM saw ${flushes:-no} flushes)"
why=0
grep -q '^VIRTIO-BLK-RO-REFUSED' $d/out && grep -q '^VIRTIO-BLK .*serial=zxhv-disk2 .*ro=1' $d/out &&
	[ "$(sha256sum <$d/ro.img | cut -c1-64)" = "$ro_hash" ] || why=1
result $why blk-ro "(write refused, image unchanged)"
why=0
grep -Eq '^VIRTIO-NEEDS-RESET .* status=0x4f' $d/out && grep -q 'device needs reset' $d/err &&
	grep -q "^VIRTIO-AFTER $(head -c 4096 $d/pattern.img | sha256sum | cut -c1-64)" $d/out || why=1
result $why ring-corruption "($(sed -n 's/^VIRTIO-NEEDS-RESET //p' $d/out); $(grep -m1 'needs reset' $d/err))"
result "$(has '^VIRTIO-NET-PING 3$')" net-ping "($(sed -n 's/^VIRTIO-NET-PING //p' $d/out) of 3 replies)"
why=0
grep -q '^VIRTIO-NET-SENT' $d/out && [ "$(sha256sum <$d/net-recv | cut -c1-64)" = "$net_hash" ] || why=1
result $why net-tcp "($(wc -c <$d/net-recv) bytes received over TCP; $(grep -m1 'frames' $d/err))"
if [ $failed != 0 ]; then
	sed 's/^/# out: /' $d/out | tail -n 120
	sed 's/^/# err: /' $d/err | tail -n 30
fi
exit $failed
