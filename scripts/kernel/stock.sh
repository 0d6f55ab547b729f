#!/usr/bin/env bash
# Unpack (once) Debian's stock kernel matching the installed linux-headers-amd64.
#   scripts/kernel/stock.sh            prints the unpacked dir, e.g.
#                                      /var/cache/zircon-hv/kernels/stock-6.1.0-56-amd64
#                                      (boot/vmlinuz-<abi>, lib/modules/<abi>/ with
#                                      plain kvm.ko, kvm-intel.ko, irqbypass.ko, modules.dep)
#   scripts/kernel/stock.sh --headers  prints /usr/src/linux-headers-<abi> (the KDIR)
# Only the path goes to stdout; errors go to stderr.
set -euo pipefail

cache=${ZXHV_CACHE:-/var/cache/zircon-hv}
log() { echo "stock: $*" >&2; }
die() { log "$*"; exit 1; }

headers=0
case ${1:-} in
'') ;;
--headers) headers=1 ;;
*) die "usage: $0 [--headers]" ;;
esac

# linux-headers-amd64 depends on "linux-headers-<abi> (= <version>)".
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
	die "linux-headers-amd64 is not installed: run scripts/install-deps.sh"
abi=$(grep -oE 'linux-headers-[0-9][^ ,]*-amd64' <<<"$dep" | sed -n 1p)
abi=${abi#linux-headers-}
[ -n "$abi" ] || die "cannot find the ABI name in linux-headers-amd64's Depends: $dep"

if [ "$headers" = 1 ]; then
	[ -f "/usr/src/linux-headers-$abi/Makefile" ] || die "/usr/src/linux-headers-$abi missing"
	echo "/usr/src/linux-headers-$abi"
	exit 0
fi

dir=$cache/kernels/stock-$abi
stamp=$dir/.zxhv-complete
if [ -f "$stamp" ]; then echo "$dir"; exit 0; fi

mkdir -p "$cache/kernels"
exec 9>"$cache/kernels/.stock.lock" # own lock: don't wait for a debug build
flock 9
if [ -f "$stamp" ]; then echo "$dir"; exit 0; fi

tmp=$(mktemp -d "$cache/kernels/.stock.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"                          # apt's _apt user writes the .deb here
dl=$tmp/dl && mkdir -m 777 "$dl"
fetch() { (cd "$dl" && apt-get download -qq "$1") >>"$tmp/apt.log" 2>&1; }
deb=
for p in "linux-image-$abi-unsigned" "linux-image-$abi"; do
	if fetch "$p" || { apt-get update -qq >>"$tmp/apt.log" 2>&1 && fetch "$p"; }; then
		deb=$(ls "$dl"/"${p}"_*.deb) && break
	fi
done
[ -n "$deb" ] || { cat "$tmp/apt.log" >&2; die "cannot download linux-image-$abi"; }

root=$tmp/root
dpkg-deb -x "$deb" "$root"
mods=$root/lib/modules/$abi
[ -f "$root/boot/vmlinuz-$abi" ] || die "$deb has no boot/vmlinuz-$abi"
[ -d "$mods" ] || die "$deb has no lib/modules/$abi"

# busybox insmod wants plain .ko: decompress the KVM modules if Debian compressed them
# (bookworm's 6.1 ships them uncompressed).
for d in "$mods/kernel/arch/x86/kvm" "$mods/kernel/virt/lib"; do
	[ -d "$d" ] || continue
	find "$d" \( -name '*.ko.xz' -o -name '*.ko.zst' \) | while read -r f; do
		case $f in
		*.xz) xz -dq "$f" ;;
		*.zst) zstd -dq --rm "$f" ;;
		esac
	done
done
for m in arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko virt/lib/irqbypass.ko; do
	[ -f "$mods/kernel/$m" ] || die "$deb lacks $m"
done
depmod -b "$root" "$abi" || die "depmod failed for $abi"

echo "$abi" >"$root/.zxhv-complete"
rm -rf "$dir" # a stale, stamp-less dir (cannot normally exist)
mv "$root" "$dir"
echo "$dir"
