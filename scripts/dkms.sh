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
	getent group zircon-hv >/dev/null || groupadd --system zircon-hv
	# The module reads no /etc/group: hand it the group's gid as hypervisor_gid.
	gid=$(getent group zircon-hv | cut -d: -f3)
	case "$gid" in
	'' | *[!0-9]*) echo "dkms: no numeric gid for group zircon-hv" >&2; exit 1 ;;
	esac
	conf=$(mktemp)
	cat >"$conf" <<-EOF
	# Written by zircon-hv's scripts/dkms.sh: members of group zircon-hv
	# (gid $gid) may get the hypervisor resource; CAP_SYS_ADMIN always may.
	options zircon-hv hypervisor_gid=$gid
	EOF
	install -m 0644 "$conf" /etc/modprobe.d/zircon-hv.conf
	rm -f "$conf"
	# A module already loaded gets the same policy now, not at its next load.
	param=/sys/module/zircon_hv/parameters/hypervisor_gid
	if [ -w "$param" ]; then
		echo "$gid" >"$param"
	fi
	install -m 0644 "$top/scripts/udev/70-zircon-hv.rules" /etc/udev/rules.d/70-zircon-hv.rules
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then
		udevadm control --reload || true
	fi
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
