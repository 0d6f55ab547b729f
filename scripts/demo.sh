#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: the project's main job.  It asks the module whether this host
# can run guests (examples/zxhv-info), then runs two guests:
#  1. examples/hello-guest creates a guest and one VCPU, and the guest prints
#     its greeting on an emulated serial port, rings a doorbell that a host
#     thread answers, and exits with code 0;
#  2. zxhv-vmm boots Debian's stock Linux kernel (its vmlinux, two VCPUs) with
#     a busybox initramfs whose /init prints `uname -a`, `nproc` and a line of
#     /proc/cpuinfo, then powers off.
# Both run directly where /dev/zircon-hv exists; otherwise inside an emulated
# VMX machine (Bochs, Debian's stock kernel) through tools/vmrun.  The exit
# status is 0 when both guests did their part.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s libzx examples vmm guest
# The guest's lines of interest, and zxhv-vmm's own verdict (stderr).  $vmm and $g
# expand in the shell that runs it (here, or in the emulated machine).
# shellcheck disable=SC2016
linux='echo demo | $vmm --kernel $g/vmlinux --initrd $g/initramfs.cpio.gz --cpus 2 --memory 256M \
	>/tmp/zxhv-demo.out; rc=$?;
	sed -n "s/\r$//; s/^GUEST-UNAME \(.*\)/guest: uname -a: \1/p; s/^GUEST-CPUS .*nproc=\(.*\)/guest: nproc: \1/p;
		s/^GUEST-CPUINFO \(.*\)/guest: \/proc\/cpuinfo: \1/p" /tmp/zxhv-demo.out; exit $rc'
if [ -c /dev/zircon-hv ]; then
	build/examples/zxhv-info || true
	build/examples/hello-guest
	vmm=build/vmm/zxhv-vmm g=build/guest exec sh -c "$linux"
fi
echo "demo: no /dev/zircon-hv here; booting an emulated VMX machine (Bochs, ~10 min)" >&2
exec tools/vmrun --vmx --kernel stock --cpu-model corei7_haswell_4770 --timeout 2400 \
	--put build/examples/zxhv-info --put build/examples/hello-guest \
	--put build/vmm/zxhv-vmm:/work/zxhv-vmm \
	--put build/guest/initramfs.cpio.gz:/work/guest/initramfs.cpio.gz \
	--put-raw build/guest/vmlinux:/work/guest/vmlinux \
	-- sh -c "./zxhv-info; ./hello-guest || exit 1; vmm=./zxhv-vmm g=guest; $linux"
