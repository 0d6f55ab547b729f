#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The boot half of `make bench`: boots one Linux guest repeatedly with one
# VMM and prints one line per boot (docs/benchmarks.md, "Boot time"):
#
#   boot VMM PATH CPUS INIT_NS EXIT_NS INIT_TICKS EXIT_TICKS STATUS
#   bootstall VMM PATH CPUS NS      (the RTC stall of that boot, below)
#
# VMM zxhv (zxhv-vmm on zircon-hv) or qemu (qemu-system-x86_64 -M microvm
# -accel kvm), PATH elf (the vmlinux) or bzimage, the times from the VMM's
# start to the guest init's first line and to the VMM's exit (boottime.c).
#
#   boot-bench.sh zxhv|qemu DIR
#
# DIR holds boottime, vmlinux, bzImage and initramfs.cpio.gz (whose /init
# prints ZXHV-BENCH-INIT and powers off); for zxhv also zxhv-vmm, for qemu
# the directory qemu/ (qemu-system-x86_64, lib/ with the libraries it
# needs, share/ with the firmware microvm loads).  Environment: BOOT_REPS
# (default 3), BOOT_BZREPS (default 1: repetitions of the bzImage kinds,
# whose decompressor alone is ~4.5e9 instructions), BOOT_SET (default
# "elf-1 elf-2 bzimage-1 bzimage-2"),
# BOOT_CMDLINE (default "console=ttyS0 panic=-1 cryptomgr.notests"),
# BOOT_MEMORY (default 256M), BOOT_QEMU_MACHINE (default microvm; e.g.
# microvm,rtc=off: docs/benchmarks.md, "QEMU's RTC stall").  A boot gets 60 s of this machine's clock
# (in Bochs ~2.1e11 instructions, ~25 times a bzImage boot) before it is
# killed and counted as failed.  Each boot's console is kept in
# /tmp/boot-VMM-PATH-CPUS-REP.out; a failed boot prints its tail.  Then
# one more, untimed ELF 1-CPU boot counts the host's VM exits by reason
# (below) and prints its console; a third argument "notrace" leaves it out.
set -u
vmm=${1:?zxhv or qemu}
d=${2:?directory}
reps=${BOOT_REPS:-3}
bzreps=${BOOT_BZREPS:-1}
set_=${BOOT_SET:-elf-1 elf-2 bzimage-1 bzimage-2}
line=${BOOT_CMDLINE:-console=ttyS0 panic=-1 cryptomgr.notests}
mem=${BOOT_MEMORY:-256M}
qmachine=${BOOT_QEMU_MACHINE:-microvm}
echo "bootinfo cmdline $line"
echo "bootinfo memory $mem"
[ "$vmm" = qemu ] && echo "bootinfo qemu machine $qmachine"
echo "bootinfo reps $reps (bzImage $bzreps)"
# The guest's wait for a CMOS RTC that does not answer, in ns by its own
# clock: the gap before the line "rtc_cmos ...: broken or not accessible"
# (0 without that line).  QEMU's microvm RTC does not answer inside Bochs
# (docs/benchmarks.md, "QEMU's RTC stall"); the table shows the boot times
# with and without it.
rtc_stall_ns() {
	tr -d '\r' <"$1" | awk -F'[][]' '/^\[ *[0-9]+\.[0-9]+\]/ {
		t = $2 + 0
		if (index($0, "rtc_cmos: broken or not accessible")) {
			printf "%.0f\n", (t - p) * 1e9; found = 1; exit
		}
		p = t
	} END { if (!found) print 0 }'
}
fail=0
r=1
while [ "$r" -le "$reps" ]; do
	for b in $set_; do
		path=${b%-*} cpus=${b##*-}
		case $path in
		elf) k=$d/vmlinux ;;
		bzimage) k=$d/bzImage; [ "$r" -le "$bzreps" ] || continue ;;
		*) echo "boot-bench: unknown boot $b" >&2; exit 2 ;;
		esac
		o=/tmp/boot-$vmm-$path-$cpus-${BOOT_TAG:-$r}.out
		case $vmm in
		zxhv)
			res=$("$d/boottime" -t 60 -o "$o" -- "$d/zxhv-vmm" --kernel "$k" \
				--initrd "$d/initramfs.cpio.gz" --cpus "$cpus" --memory "$mem" \
				--cmdline "$line" 2>"$o.err")
			;;
		qemu)
			res=$(LD_LIBRARY_PATH=$d/qemu/lib "$d/boottime" -t 60 -o "$o" -- \
				"$d/qemu/qemu-system-x86_64" -L "$d/qemu/share" \
				-M "$qmachine" -accel kvm -cpu host -smp "$cpus" -m "$mem" \
				-nodefaults -no-user-config -display none -serial stdio -no-reboot \
				-kernel "$k" -initrd "$d/initramfs.cpio.gz" -append "$line" 2>"$o.err")
			;;
		*) echo "boot-bench: unknown VMM $vmm" >&2; exit 2 ;;
		esac
		rc=$?
		echo "boot $vmm $path $cpus ${res#boottime }"
		echo "bootstall $vmm $path $cpus $(rtc_stall_ns "$o")"
		if [ "$rc" != 0 ]; then
			fail=1
			echo "# boot $vmm $path $cpus (repetition $r) failed; console tail:"
			tail -n 15 "$o" | sed 's/^/#   /'
			tail -n 10 "$o.err" | sed 's/^/#   err: /'
		fi
	done
	r=$((r + 1))
done
[ "${3:-}" = notrace ] && exit $fail
# One more ELF 1-CPU boot, untimed, with the exits it caused counted in the
# host kernel by exit reason (hist triggers): zircon-hv's through its
# zircon_hv:zxhv_exit tracepoint (docs/tracing.md), KVM's through its
# kvm_exit event; IO exits also by port (zircon-hv: one histogram keyed by
# reason and qualification, summed here; the port is qualification bits 31:16).
t=/sys/kernel/debug/tracing
case $vmm in
zxhv) ev=$t/events/zircon_hv/zxhv_exit trig='hist:keys=reason,qual.hex:sort=hitcount.descending:size=4096' ;;
qemu) ev=$t/events/kvm/kvm_exit trig='hist:keys=exit_reason:sort=hitcount.descending:size=256' ;;
esac
echo "$trig" >"$ev/trigger" || fail=1
[ "$vmm" = qemu ] && { echo 'hist:keys=port.hex:sort=hitcount.descending:size=1024' \
	>$t/events/kvm/kvm_pio/trigger || fail=1; }
echo 1 >"$ev/enable"
[ "$vmm" = qemu ] && echo 1 >$t/events/kvm/kvm_pio/enable
BOOT_TAG=traced BOOT_REPS=1 BOOT_SET=elf-1 sh "$0" "$vmm" "$d" notrace >/tmp/boot-trace.txt || fail=1
sed 's/^/# traced: /' /tmp/boot-trace.txt
# The traced boot's console: where the guest's own clock says its time went.
tr -d '\r' <"/tmp/boot-$vmm-elf-1-traced.out" | sed 's/^/# console: /'
echo 0 >"$ev/enable"
echo "# exits by reason ($vmm, vmlinux ELF, 1 CPU, one traced boot):"
if [ "$vmm" = zxhv ]; then
	# "{ reason: 30, qual: 3f80000 } hitcount: 18627": REASON QUAL COUNT
	tr -d '{},:' <"$ev/hist" | awk '$1 == "reason" && $3 == "qual" { print $2, $4, $6 }' \
		>/tmp/boot-exits.txt
	awk '{ n[$1] += $3 } END { for (r in n) print n[r], r }' /tmp/boot-exits.txt | sort -rn |
		awk '{ printf "#   { exit_reason: %10d } hitcount: %10d\n", $2, $1 }'
	awk '{ t += $3 } END { printf "#   Totals:\n#       Hits: %d\n", t }' /tmp/boot-exits.txt
	awk '$1 == 30 { q = $2; p = length(q) > 4 ? substr(q, 1, length(q) - 4) : "0"; n[p] += $3 }
		END { for (p in n) print n[p], p }' /tmp/boot-exits.txt | sort -rn | head -n 40 |
		awk '{ printf "#   pio { port: %s } hitcount: %10d\n", $2, $1 }'
	grep -i 'dropped' "$ev/hist" | sed 's/^/#   /'
else
	grep -v '^#' "$ev/hist" | grep . | sed 's/^/#   /'
	echo 0 >$t/events/kvm/kvm_pio/enable
	grep -v '^#' $t/events/kvm/kvm_pio/hist | grep . | head -n 40 | sed 's/^/#   pio /'
	echo '!hist:keys=port.hex:sort=hitcount.descending:size=1024' >$t/events/kvm/kvm_pio/trigger
fi
echo "!$trig" >"$ev/trigger"
exit $fail
