#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Linux guest zxhv-vmm boots in tests and the demo, from Debian's stock
# kernel package (scripts/kernel/stock.sh) and busybox-static:
#
#   scripts/guest/build-guest.sh [OUTDIR]      (default: build/guest)
#
#   OUTDIR/bzImage            the package's vmlinuz, as shipped
#   OUTDIR/vmlinux            its kernel, uncompressed: the ELF inside the
#                             bzImage's XZ payload (cached under
#                             $ZXHV_CACHE/guest by the bzImage's hash)
#   OUTDIR/initramfs.cpio.gz  /init (below) and a static busybox, gzip -9
#   OUTDIR/release            the kernel's release, what `uname -r` must say
#   OUTDIR/triple-fault.elf   a "vmlinux" whose first instruction is UD2: with
#                             no IDT loaded the #UD escalates to a triple fault
#
# /init prints lines a test can check, then powers off:
#   GUEST-UPTIME <the guest's /proc/uptime at /init>
#   GUEST-UNAME <uname -a>            GUEST-UNAME-OK|BAD <uname -r>
#   GUEST-CPUS online=.. present=.. nproc=N   GUEST-CPUS-OK|BAD
#   GUEST-CPUINFO <the first model name line of /proc/cpuinfo>
#   GUEST-CLOCKSOURCE <current clocksource> available: <the others>
#   GUEST-READY (then it reads one line from the console)
#   GUEST-READ [<the line>]
# With zxhv.virtio on the command line it runs /virtio-test instead
# (scripts/guest/virtio-guest.sh), which loads the package's virtio modules,
# copied below into /lib/modules/virtio.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/guest}
cache=${ZXHV_CACHE:-/var/cache/zircon-hv}
log() { echo "build-guest: $*" >&2; }
die() { log "$*"; exit 1; }

kdir=$("$top/scripts/kernel/stock.sh")
vmlinuz=$(find "$kdir/boot" -name "vmlinuz-*" | sort | sed -n 1p)
[ -f "$vmlinuz" ] || die "no vmlinuz in $kdir/boot"
release=${vmlinuz##*/vmlinuz-}
busybox=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$') ||
	die "busybox-static is not installed (scripts/install-deps.sh)"

# --- vmlinux: the XZ payload of the bzImage (boot.rst: payload_offset/length) ----
hash=$(sha256sum "$vmlinuz" | cut -c1-16)
vmlinux=$cache/guest/vmlinux-$release-$hash
if [ ! -f "$vmlinux" ]; then
	mkdir -p "$cache/guest"
	tmp=$vmlinux.tmp.$$
	# The payload ends with the 4-byte decompressed size, which xz calls corrupt
	# data after the complete stream: check the output instead of xz's status.
	python3 - "$vmlinuz" <<'PY' | { xz -dc --single-stream >"$tmp" 2>/dev/null || true; }
import struct, sys
d = open(sys.argv[1], 'rb').read()
s = d[0x1f1] or 4
off, length = struct.unpack_from('<II', d, 0x248)
start = (s + 1) * 512 + off
if d[start:start + 6] != b'\xfd7zXZ\x00':
    sys.exit('payload is not XZ')
sys.stdout.buffer.write(d[start:start + length])
PY
	[ "$(od -An -tx1 -N4 "$tmp" | tr -d ' \n')" = 7f454c46 ] ||
		{ rm -f "$tmp"; die "$vmlinuz: the payload did not decompress to an ELF"; }
	mv "$tmp" "$vmlinux"
fi

# --- initramfs ----------------------------------------------------------------
work=$(mktemp -d /tmp/build-guest.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
mkdir -p "$root/lib/modules/virtio"
for k in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci \
	drivers/char/hw_random/virtio-rng drivers/char/virtio_console drivers/block/virtio_blk \
	net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	ko=$kdir/lib/modules/$release/kernel/$k.ko
	if [ -f "$ko" ]; then
		cp "$ko" "$root/lib/modules/virtio/"
	elif [ -f "$ko.xz" ]; then
		xz -dc "$ko.xz" >"$root/lib/modules/virtio/${k##*/}.ko"
	else
		die "$ko: missing from the kernel package"
	fi
done
cp "$top/scripts/guest/virtio-guest.sh" "$root/virtio-test"
cp "$top/scripts/guest/virtio-lib.sh" "$root/virtio-lib.sh"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
grep -q zxhv.virtio /proc/cmdline && exec /virtio-test
echo "GUEST-UPTIME \$(cat /proc/uptime)"
echo "GUEST-UNAME \$(uname -a)"
if [ "\$(uname -r)" = "$release" ]; then r=OK; else r=BAD; fi
echo "GUEST-UNAME-\$r \$(uname -r)"
online=\$(cat /sys/devices/system/cpu/online)
present=\$(cat /sys/devices/system/cpu/present)
echo "GUEST-CPUS online=\$online present=\$present nproc=\$(nproc)"
if [ "\$online" = "\$present" ]; then r=OK; else r=BAD; fi
echo "GUEST-CPUS-\$r"
echo "GUEST-CPUINFO \$(grep -m1 '^model name' /proc/cpuinfo)"
cs=/sys/devices/system/clocksource/clocksource0
echo "GUEST-CLOCKSOURCE \$(cat \$cs/current_clocksource) available: \$(cat \$cs/available_clocksource)"
echo "GUEST-READY"
line=
read -r -t 600 line
echo "GUEST-READ [\$line]"
poweroff -f
EOF
chmod +x "$root/init"
mkdir -p "$out"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9 -n) >"$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
cp "$vmlinuz" "$out/bzImage"
cp "$vmlinux" "$out/vmlinux"
echo "$release" >"$out/release"

# The triple-fault guest: one PT_LOAD at 16 MiB (entry: ud2; jmp .) and a
# PT_NOTE named "Linux", which is what zxhv-vmm asks of a vmlinux.
python3 - "$out/triple-fault.elf" <<'PY'
import struct, sys
code = b'\x0f\x0b\xeb\xfe'
note = struct.pack('<III', 6, 4, 0x100) + b'Linux\0\0\0' + b'\0' * 4
ehsz, phsz = 64, 56
code_off = ehsz + 2 * phsz
note_off = code_off + len(code)
eh = struct.pack('<16sHHIQQQIHHHHHH', b'\x7fELF\x02\x01\x01' + b'\0' * 9, 2, 62, 1,
                 0x1000000, ehsz, 0, 0, ehsz, phsz, 2, 64, 0, 0)
load = struct.pack('<IIQQQQQQ', 1, 5, code_off, 0x1000000, 0x1000000, len(code), len(code), 0x200000)
pnote = struct.pack('<IIQQQQQQ', 4, 4, note_off, 0, 0, len(note), len(note), 4)
open(sys.argv[1], 'wb').write(eh + load + pnote + code + note)
PY
log "$out: vmlinux $(stat -c %s "$out/vmlinux") bytes, initramfs $(stat -c %s "$out/initramfs.cpio.gz") bytes, release $release"
