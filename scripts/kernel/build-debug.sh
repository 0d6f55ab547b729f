#!/usr/bin/env bash
# Build (once) the zircon-hv debug kernel from Debian's linux-source package.
#   scripts/kernel/build-debug.sh [--version 6.1|6.12]
# Prints exactly one line on stdout: the build directory (O= tree holding
# arch/x86/boot/bzImage, .config, Module.symvers and modroot/; usable as KDIR
# for `make -C DIR M=...`).  Everything else goes to stderr.
#
# Cache layout under ${ZXHV_CACHE:-/var/cache/zircon-hv}:
#   src/linux-source-<series>-<pkgversion>/   pristine source, extracted once
#   kernels/debug-<key>/                       build tree, .zxhv-complete when done
# key = sha256(fragment, this script, series, package version, gcc version).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
frag="$here/debug.config"
cache=${ZXHV_CACHE:-/var/cache/zircon-hv}
series=6.1

log() { echo "build-debug: $*" >&2; }
die() { log "$*"; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--version) series=${2:?--version needs an argument}; shift 2 ;;
	--version=*) series=${1#*=}; shift ;;
	*) die "usage: $0 [--version 6.1|6.12]" ;;
	esac
done
case $series in 6.1 | 6.12) ;; *) die "unsupported version '$series' (6.1 or 6.12)" ;; esac

pkg=linux-source-$series
tarball=/usr/src/$pkg.tar.xz
pkgver() { dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true; }

# 6.1 comes from install-deps.sh; 6.12 is only installed when asked for.
if [ -z "$(pkgver)" ] || [ ! -f "$tarball" ]; then
	[ "$series" = 6.1 ] && die "$pkg is not installed: run scripts/install-deps.sh"
	log "installing $pkg"
	apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null; } ||
		die "cannot install $pkg"
fi
ver=$(pkgver)
[ -f "$tarball" ] || die "$tarball missing although $pkg $ver is installed"

# sed, not head: head may exit early and SIGPIPE gcc, which pipefail reports.
key=$({ cat "$frag" "$self"; echo "$series $ver"; gcc --version | sed -n 1p; } |
	sha256sum | cut -c1-16)
dir=$cache/kernels/debug-$key
stamp=$dir/.zxhv-complete

# Fast path: a finished build is never touched again.
if [ -f "$stamp" ]; then echo "$dir"; exit 0; fi

mkdir -p "$cache/kernels" "$cache/src"
exec 9>"$cache/kernels/.lock"
flock 9
if [ -f "$stamp" ]; then echo "$dir"; exit 0; fi # a concurrent run finished it

tmp=
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT

# Pristine source, extracted once per package version (temp dir + rename).
src=$cache/src/$pkg-$ver
if [ ! -d "$src" ]; then
	tmp=$(mktemp -d "$cache/src/.extract.XXXXXX")
	tar -C "$tmp" -xf "$tarball" || die "cannot extract $tarball"
	mv "$tmp/$pkg" "$src"
	rm -rf "$tmp"; tmp=
fi

# An unfinished tree from an interrupted run is reused: make resumes it.
mkdir -p "$dir"
blog=$dir/build.log
: >"$blog"
run() {
	if ! "$@" >>"$blog" 2>&1; then
		tail -n 40 "$blog" >&2
		die "failed: $* (full log: $blog)"
	fi
}
mk=(make -C "$src" O="$dir" ARCH=x86_64)

log "building $dir (about 5 min with -j2)"
run "${mk[@]}" tinyconfig
run env -C "$src" scripts/kconfig/merge_config.sh -m -O "$dir" "$dir/.config" "$frag"
run "${mk[@]}" olddefconfig

# olddefconfig silently drops options whose dependencies are unmet: every
# line of the fragment must be reflected in the final .config.
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$dir/.config" ||
			bad+=("$line -> $(grep -E "^(# )?${line%%=*}[= ]" "$dir/.config" || echo 'absent')")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$dir/.config"; then
			bad+=("$line -> $(grep "^$sym=" "$dir/.config")")
		fi
		;;
	esac
done <"$frag"
if [ ${#bad[@]} -gt 0 ]; then
	log "options in $frag that did not stick:"
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi

run "${mk[@]}" -j"$(nproc)" bzImage modules
run "${mk[@]}" modules_prepare

# Modules (kvm.ko, kvm-intel.ko, irqbypass.ko) into modroot/lib/modules/<rel>.
krel=$(cat "$dir/include/config/kernel.release")
rm -rf "$dir/modroot"
run "${mk[@]}" modules_install INSTALL_MOD_PATH="$dir/modroot"
run depmod -b "$dir/modroot" "$krel"

for f in arch/x86/boot/bzImage .config Module.symvers; do
	[ -s "$dir/$f" ] || die "$dir/$f missing after build"
done
echo "$krel" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
echo "$dir"
