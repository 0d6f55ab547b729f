#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest half of the virtio benchmark (tools/bench/virtio-bench.sh): the
# benchmark's initramfs holds this as /virtio-test (run by /init with
# zxhv.virtio on the command line), virtio-io as /virtio-io and the virtio
# modules.  Expects one disk (vda, MIB + 1 MiB at least), eth0 on a TAP whose
# host side is 10.0.2.1 with `virtio-io sink 5001` listening, and a virtio-rng
# device.  vbench=MIB,OPS,NETMIB,KICKS on the command line sets the sizes.
# Prints `VBENCH NAME VALUE UNIT` lines, then powers off.
m=/lib/modules/virtio
for k in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
	virtio-rng virtio_console virtio_blk failover net_failover virtio_net; do
	insmod "$m/$k.ko" 2>/dev/null
done
args=$(sed -n 's/.*vbench=\([0-9,]*\).*/\1/p' /proc/cmdline)
IFS=, read -r mib ops netmib kicks <<E
$args
E
echo "VBENCH-SIZES disk=${mib:=16}MiB randread=${ops:=1000} tcp=${netmib:=16}MiB kicks=${kicks:=20000}"
/virtio-io disk /dev/vda "$mib" "$ops" | sed 's/^/VBENCH /'
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
i=0
while [ $i -lt 30 ] && ! ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1; do
	i=$((i + 1))
done
/virtio-io send 10.0.2.1 5001 "$netmib" | sed 's/^/VBENCH /'
# The rng, taken from its driver (/dev/mem refuses a region a driver holds)
# and driven by virtio-io itself with an always empty queue 0.
rng=$(basename "$(dirname "$(readlink -f /sys/bus/virtio/drivers/virtio_rng/virtio*)")")
echo "$rng" >/sys/bus/pci/drivers/virtio-pci/unbind
/virtio-io notify "$rng" "$kicks" | sed 's/^/VBENCH /'
echo VBENCH-DONE
poweroff -f
