#!/usr/bin/env bash
# Installs every Debian 12 package zircon-hv needs to build and test itself.
# Idempotent: packages already present are skipped by apt.  Must run as root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Newest 6.12 header package bookworm(-security) offers (the second kernel of the build matrix).
hdr612() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{print $1}' | sort -V | tail -n 1
}

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod rsync
	python3 git xz-utils gzip
	linux-headers-amd64 linux-source-6.1
	qemu-system-x86 bochs bochsbios vgabios bochs-x
	isolinux syslinux-common xorriso busybox-static
	dkms sparse
	debhelper dh-dkms lintian mandoc man-db groff-base pkgconf
	libmnl-dev python3-yaml liburing-dev iperf3
)

stamp=/var/lib/zircon-hv-deps.stamp
want="$(printf '%s\n' "${pkgs[@]}" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -e /usr/bin/bochs ] &&
	ls /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1; then
	exit 0
fi

apt-get update -qq
h612=$(hdr612)
[ -n "$h612" ] || { echo "install-deps: no linux-headers-6.12 package found" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" "$h612" >/dev/null
echo "$want" >"$stamp"
