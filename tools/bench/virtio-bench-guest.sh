#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest half of the virtio benchmark (tools/bench/virtio-bench.sh): the
# benchmark's initramfs holds this as /virtio-test (run by /init with
# zxhv.virtio on the command line), virtio-io as /virtio-io, iperf3 with its
# libraries, and the guest's /virtio-lib.sh and virtio modules.  Expects
# one disk (vda, MIB + 1 MiB at least), eth0 on a TAP whose host side is
# 10.0.2.1 with an `iperf3 -s` listening, and a virtio-rng device.
# vbench=MIB,OPS,NETMIB,KICKS,REPS on the command line sets the sizes and
# how often each figure is measured.  Prints `VBENCH NAME VALUE UNIT` lines
# (REPS of each), then powers off.
. /virtio-lib.sh
virtio_modules
args=$(sed -n 's/.*vbench=\([0-9,]*\).*/\1/p' /proc/cmdline)
IFS=, read -r mib ops netmib kicks reps <<E
$args
E
echo "VBENCH-SIZES disk=${mib:=16}MiB randread=${ops:=1000} tcp=${netmib:=16}MiB kicks=${kicks:=20000} reps=${reps:=3}"
mkdir -p /tmp	# iperf3 keeps its stream buffers in a file there
virtio_net_up
# each CMD...: CMD, reps times.
each() {
	i=0
	while [ "$i" -lt "$reps" ]; do
		"$@"
		i=$((i + 1))
	done
}
disk_and_tcp() {
	/virtio-io disk /dev/vda "$mib" "$ops" | sed 's/^/VBENCH /'
	# iperf3's receiver figure (the sender's stops with data still in its
	# socket buffer); the host's clock and the guest's kvmclock both count
	# the emulated machine's TSC.  -f k is 1000-based: kbit/s / 8000 = MB/s.
	/usr/bin/iperf3 -c 10.0.2.1 -n "${netmib}M" -f k 2>&1 |
		awk '/receiver$/ { for (i = 2; i <= NF; i++) if ($i == "Kbits/sec")
			printf "VBENCH tcp %.2f MB/s\n", $(i - 1) / 8000 }
			/error/ { print "VBENCH-ERROR iperf3: " $0 }'
}
each disk_and_tcp
# Bytes per frame eth0 sent: far above the MTU when TSO frames (HOST_TSO4)
# went to the VMM whole.  Not a figure of merit, so printed once.
tx=/sys/class/net/eth0/statistics
echo "VBENCH tcp_frame $(($(cat $tx/tx_bytes) / $(cat $tx/tx_packets))) B/frame"
# The rng, driven by virtio-io itself with an always empty queue 0.
rng=$(virtio_rng_take)
kicks() {
	/virtio-io notify "$rng" "$kicks" | sed 's/^/VBENCH /'
}
each kicks
echo VBENCH-DONE
poweroff -f
