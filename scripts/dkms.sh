#!/usr/bin/env bash
# DKMS install/uninstall of zircon-hv for one kernel.
#   scripts/dkms.sh install KVER     copy the sources to /usr/src, dkms add/build/install,
#                                    create the zircon-hv group, the udev rule and
#                                    /etc/modprobe.d/zircon-hv.conf (hypervisor_gid=
#                                    the group's gid)
#   scripts/dkms.sh uninstall KVER   dkms remove for KVER (the group, the udev rule and
#                                    the modprobe.d file are kept: they are not per kernel)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
name=zircon-hv
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$ver
op=${1:?install|uninstall}
kver=${2:?KVER}

if [ ! -d "/lib/modules/$kver/build" ]; then
	echo "dkms: no headers for kernel $kver (install linux-headers-$kver)" >&2
	exit 1
fi

case "$op" in
install)
	mkdir -p "$src"
	rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*' \
		"$top/Kbuild" "$top/dkms.conf" "$top/module" "$top/uapi" "$top/kunit" "$src/"
	# Re-adding the same version refreshes DKMS's copy of the sources.
	if dkms status -m "$name" -v "$ver" | grep -q .; then
		dkms remove -m "$name" -v "$ver" --all >/dev/null
	fi
	dkms add -m "$name" -v "$ver" >/dev/null
	dkms build -m "$name" -v "$ver" -k "$kver"
	dkms install -m "$name" -v "$ver" -k "$kver" --force
	install -m 0644 "$top/scripts/udev/70-zircon-hv.rules" /etc/udev/rules.d/70-zircon-hv.rules
	# The group, /etc/modprobe.d/zircon-hv.conf, the loaded module's gid, udev.
	"$top/scripts/hypervisor-gid.sh"
	;;
uninstall)
	if dkms status -m "$name" -v "$ver" -k "$kver" | grep -q .; then
		dkms remove -m "$name" -v "$ver" -k "$kver"
	fi
	;;
*)
	echo "usage: $0 install|uninstall KVER" >&2
	exit 2
	;;
esac
