#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: boots the emulated VMX machine once (tools/vmrun --vmx, Debian's
# stock 6.1 kernel), runs zircon-hv's suite, unloads zircon-hv, loads KVM,
# runs KVM's suite (tools/bench/bench-vm.sh), then prints the table and
# writes build/bench/bench.json.  When an earlier run's JSON is there, the
# two are compared (figures must agree within 2%).
#
# In the same boot, after each suite, the boot times of Debian's kernel
# (tools/bench/boot-bench.sh): zxhv-vmm on zircon-hv, then QEMU microvm on
# KVM (the host's qemu-system-x86_64 with its libraries and firmware, run
# inside the emulated machine), vmlinux and bzImage, 1 and 2 CPUs.
#
# ZXHV_BENCH_ARGS: arguments for both tools (default: the 1 GiB touch
# region of op g; the emulated machine has 3 GiB of ordinary RAM and
# 2 GiB of movable RAM, see below).
# ZXHV_BENCH_BOOT_REPS: boots of each vmlinux kind (default 3; medians
# reported: a 2-CPU boot moves by up to ~50 ms with where the guest's
# background work lands, docs/benchmarks.md; the bzImage kinds boot once:
# their decompressor is ~4.5e9 instructions).  The boots are most of the
# run: ~70e9 emulated instructions, about 40 minutes of Bochs here.
#
# After the boot times, the virtio benchmark (tools/bench/virtio-bench.sh):
# zxhv-vmm's virtio-blk/-net against QEMU microvm's with ioeventfd, same
# kernel and initramfs.  ZXHV_BENCH_ONLY=virtio runs only that (one short
# Bochs boot; no suites, no boot times, no table but the virtio one);
# VBENCH_SIZES and VBENCH_QEMU_MACHINE go to virtio-bench.sh.
#
# Two profiles (docs/benchmarks.md): the emulated host as it boots (its
# default mitigations: the L1D flush, VERW and RSB filling around VM entries
# on this L1TF-affected CPU model), then a second boot with mitigations=off,
# standing for CPUs that need none of them: the two suites only, their own
# table and build/bench/bench-mitigations-off.json (compared with the
# previous run's like the first).  ZXHV_BENCH_ONLY=suites runs the two
# suites in both profiles and nothing else (~10 min of Bochs).
#
# In each profile the doorbell ops (c) and (h) also run in a boot of 5 CPUs,
# one for the VCPU and one for each of (h)'s four waiters, as on a host where
# the VMM's device threads run beside the VCPU (rows "..., 5 CPUs"; ~6 min
# each).  That boot has idle=halt: Bochs' MWAIT does not wake when another
# CPU writes the monitored line, so with the kernel's MWAIT idle a woken
# thread waits for its CPU's next timer interrupt (docs/benchmarks.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
only=${ZXHV_BENCH_ONLY:-}
case $only in
'' | virtio | suites) ;;
*) echo "bench: ZXHV_BENCH_ONLY is virtio or suites, not '$only'" >&2; exit 2 ;;
esac
out=$top/build/bench
args=${ZXHV_BENCH_ARGS:--t 1024}
reps=${ZXHV_BENCH_BOOT_REPS:-3}
make -s module-stock libzx bench-tools guest vmm
mkdir -p "$out"

# --- the boot half: a guest whose /init prints one line and powers off ----------
boot=$out/boot
qemu=$out/qemu
rm -rf "$boot" "$qemu"
mkdir -p "$boot/root/bin" "$qemu/lib" "$qemu/share"
busybox=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$')
cp "$busybox" "$boot/root/bin/busybox"
printf '%s\n' '#!/bin/busybox sh' 'echo ZXHV-BENCH-INIT' 'exec /bin/busybox poweroff -f' \
	>"$boot/root/init"
chmod +x "$boot/root/init"
(cd "$boot/root" && find . | cpio -o -H newc --quiet | gzip -9 -n) >"$boot/initramfs.cpio.gz"
rm -rf "$boot/root"
cp build/bench/boottime build/vmm/zxhv-vmm "$boot/"
# ldd_libs BIN: the shared libraries BIN loads, as ldd resolves them here,
# and the dynamic loader.
ldd_libs() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}'
}
# QEMU as installed: the binary, the libraries ldd names, and what microvm
# loads (its qboot firmware; pvh.bin for an ELF, linuxboot_dma.bin for a bzImage).
qbin=$(command -v qemu-system-x86_64)
cp -L "$qbin" "$qemu/"
ldd_libs "$qbin" | xargs cp -L -t "$qemu/lib/"
for f in bios-microvm.bin pvh.bin linuxboot_dma.bin; do
	cp -L "/usr/share/qemu/$f" "$qemu/share/"
done
# The virtio half: the guest's initramfs with virtio-bench-guest.sh as its
# /virtio-test and virtio-io, the TAP driver for the emulated machine.
vroot=$out/vbench-root
rm -rf "$vroot"
mkdir -p "$vroot"
(cd "$vroot" && gzip -dc "$top/build/guest/initramfs.cpio.gz" | cpio -i -d --quiet)
cp tools/bench/virtio-bench-guest.sh "$vroot/virtio-test"
cp build/bench/virtio-io "$vroot/virtio-io"
# iperf3 (Debian's) in the guest, its libraries where ldd finds them.
ipf=$(command -v iperf3)
mapfile -t ipf_libs < <(ldd_libs "$ipf")
mkdir -p "$vroot/usr/bin"
cp -L "$ipf" "$vroot/usr/bin/"
for l in "${ipf_libs[@]}"; do
	mkdir -p "$vroot$(dirname "$l")"
	cp -L "$l" "$vroot$l"
done
(cd "$vroot" && find . | cpio -o -H newc --quiet | gzip -9 -n) >"$boot/initramfs-vbench.cpio.gz"
rm -rf "$vroot"
# ... and in the emulated machine, its server.
mkdir -p "$boot/iperf3"
cp -L "$ipf" "${ipf_libs[@]}" "$boot/iperf3/"
kdir=$(scripts/kernel/stock.sh)/lib/modules/$(cat build/guest/release)
cp "$kdir/kernel/drivers/net/tun.ko" "$boot/" 2>/dev/null || xz -dc "$kdir/kernel/drivers/net/tun.ko.xz" >"$boot/tun.ko"
[ -f "$out/bench.json" ] && mv "$out/bench.json" "$out/bench.prev.json"
rc=0
# What both profiles' runs need in the emulated machine.
suite_puts=(--put "$out/zxhv-bench" --put "$out/kvm-bench" --put tools/bench/bench-vm.sh)
# 7 GiB: Bochs puts 3 GiB below the PCI hole and 3 GiB at [4 GiB, 7 GiB),
# which movablecore=3G makes movable.  Op (j)'s two 1 GiB pages: zircon-hv's
# VMO block comes from movable memory at run time, from [4 GiB, 5 GiB); KVM's
# hugetlbfs page cannot (gigantic pages are never movable in 6.1), and in a
# whole run no GiB below 4 GiB was free even before the first suite, so
# hugepages=1 reserves it at boot, top-down: [5 GiB, 6 GiB), below the boot's
# own reservations at the top.  The 3 GiB below hold everything else (a VMO's
# pages are not movable).  Bochs keeps 2 GiB of it in host memory.
mem="movablecore=3G hugepagesz=1G hugepages=1"
# in_vm OUT WHAT VMRUN-ARGS...: one boot of the emulated VMX machine, its
# output to OUT; a failed run shows OUT and ends the benchmark.
in_vm() {
	local o=$1 what=$2 rc=0
	shift 2
	tools/vmrun --vmx --kernel stock "$@" >"$o" || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$o"
		echo "bench: the $what run failed (vmrun exit $rc)" >&2
		exit 1
	fi
}
# bells KARGS OUT: the doorbell ops in a boot of 5 CPUs.
bells() {
	# shellcheck disable=SC2086 # the arguments are words
	in_vm "$2" "doorbells' 5-CPU" --smp 5 --timeout 3600 --megs 3072 --append "idle=halt $1" \
		--console "$2.console.log" "${suite_puts[@]}" \
		-- env ZXHV_BENCH_ONLY=bells sh /work/bench-vm.sh $args
}
# shellcheck disable=SC2086 # the arguments are words
tools/vmrun --vmx --kernel stock --timeout 14400 --megs 7168 --append "$mem" \
	--console "$out/console.log" "${suite_puts[@]}" \
	--put tools/bench/boot-bench.sh --put tools/bench/virtio-bench.sh --put "$boot:/work/boot" \
	--put-raw "$qemu:/work/boot/qemu" --put-raw build/guest/vmlinux:/work/boot/vmlinux \
	--put-raw build/guest/bzImage:/work/boot/bzImage \
	-- env ZXHV_BENCH_BOOT=/work/boot BOOT_REPS="$reps" ZXHV_BENCH_VIRTIO=/work/boot \
	ZXHV_BENCH_ONLY="${ZXHV_BENCH_ONLY:-}" VBENCH_SIZES="${VBENCH_SIZES:-}" \
	VBENCH_QEMU_MACHINE="${VBENCH_QEMU_MACHINE:-}" sh /work/bench-vm.sh $args \
	>"$out/raw.txt" || rc=$?
if [ "$rc" != 0 ]; then
	cat "$out/raw.txt"
	echo "bench: the run failed (vmrun exit $rc); console: $out/console.log" >&2
	exit 1
fi
grep '^#' "$out/raw.txt" | grep -v '^# console: ' || true
echo
[ "$only" = virtio ] || bells "" "$out/bells.txt"
# The virtio table: each figure for both VMMs and zxhv's ratio to QEMU's.
awk '$1 == "vbench" { v[$2 " " $3] = $4; u[$3] = $5; if (!($3 in seen)) { seen[$3] = 1; k[n++] = $3 } }
END { if (n) printf "%-11s %12s %12s %7s\n", "virtio", "zxhv-vmm", "qemu+kvm", "ratio"
	for (i = 0; i < n; i++) { z = v["zxhv " k[i]]; q = v["qemu " k[i]]
		printf "%-11s %12s %12s %7s  %s\n", k[i], z == "" ? "-" : z, q == "" ? "-" : q,
			(z != "" && q > 0) ? sprintf("%.2fx", z / q) : "-", u[k[i]] } }' "$out/raw.txt"
[ "$only" = virtio ] && exit 0
table_args=()
[ "$only" = suites ] && table_args=(--suites-only)
date -u '+%Y-%m-%d %H:%M UTC'
echo "profile: default mitigations"
python3 scripts/bench-table.py "$out/raw.txt" --bells "$out/bells.txt" --json "$out/bench.json" \
	"${table_args[@]}"
cmp_rc=0
if [ -f "$out/bench.prev.json" ]; then
	echo
	echo "against the previous run:"
	python3 scripts/bench-table.py --compare "$out/bench.prev.json" "$out/bench.json" || cmp_rc=1
fi

# --- the second profile: the emulated host booted with mitigations=off ----------------
off=$out/bench-mitigations-off
[ -f "$off.json" ] && mv "$off.json" "$off.prev.json"
# shellcheck disable=SC2086 # the arguments are words
in_vm "$off.txt" mitigations=off --timeout 3600 --megs 7168 --append "mitigations=off $mem" \
	--console "$out/console-mitigations-off.log" "${suite_puts[@]}" \
	-- env ZXHV_BENCH_ONLY=suites sh /work/bench-vm.sh $args
bells mitigations=off "$off-bells.txt"
echo
echo "profile: mitigations=off"
python3 scripts/bench-table.py "$off.txt" --bells "$off-bells.txt" --suites-only --json "$off.json"
if [ -f "$off.prev.json" ]; then
	echo
	echo "against the previous run:"
	python3 scripts/bench-table.py --compare "$off.prev.json" "$off.json" || cmp_rc=1
fi
exit "$cmp_rc"
