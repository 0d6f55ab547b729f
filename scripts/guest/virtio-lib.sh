#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Shell functions of the guests that drive zxhv-vmm's virtio devices: the
# tests' /virtio-test (scripts/guest/virtio-guest.sh) and the benchmark's
# (tools/bench/virtio-bench-guest.sh).  build-guest.sh puts this file in
# the initramfs as /virtio-lib.sh; they source it.

# Loads the virtio modules of the guest's kernel package, in dependency
# order; prints "$1 NAME" for each that fails to load (nothing if $1 is empty).
virtio_modules() {
	for k in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
		virtio-rng virtio_console virtio_blk failover net_failover virtio_net; do
		insmod "/lib/modules/virtio/$k.ko" 2>/dev/null || { [ -z "$1" ] || echo "$1 $k"; }
	done
}

# eth0 up as 10.0.2.15/24, then up to a minute for the host (10.0.2.1) to answer.
virtio_net_up() {
	ip link set lo up
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	i=0
	while [ $i -lt 30 ] && ! ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1; do
		i=$((i + 1))
	done
}

# Takes the virtio-rng device from its driver and prints its PCI address:
# the caller drives it itself through /dev/mem (which refuses a region a
# driver holds).
virtio_rng_take() {
	rng=$(basename "$(dirname "$(readlink -f /sys/bus/virtio/drivers/virtio_rng/virtio*)")")
	echo "$rng" >/sys/bus/pci/drivers/virtio-pci/unbind
	echo "$rng"
}
