#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hypervisor-gid.sh: lets the members of group zircon-hv get the hypervisor
# resource.  Creates the system group if it is missing, writes its gid to
# /etc/modprobe.d/zircon-hv.conf (options zircon-hv hypervisor_gid=<gid>) for
# the next load, hands it to a module already loaded, and reloads udev's rules
# (the device's group comes from 70-zircon-hv.rules).  Used by scripts/dkms.sh
# and, installed as /usr/lib/zircon-hv/hypervisor-gid.sh, by the postinst of
# the zircon-hv-dkms package.  Must run as root.
set -euo pipefail

getent group zircon-hv >/dev/null || groupadd --system zircon-hv
# The module reads no /etc/group: hand it the group's gid as hypervisor_gid.
gid=$(getent group zircon-hv | cut -d: -f3)
case "$gid" in
'' | *[!0-9]*) echo "hypervisor-gid: no numeric gid for group zircon-hv" >&2; exit 1 ;;
esac
conf=$(mktemp)
cat >"$conf" <<-END
# Written by zircon-hv's hypervisor-gid.sh: members of group zircon-hv
# (gid $gid) may get the hypervisor resource; CAP_SYS_ADMIN always may.
options zircon-hv hypervisor_gid=$gid
END
install -m 0644 "$conf" /etc/modprobe.d/zircon-hv.conf
rm -f "$conf"
# A module already loaded gets the same policy now, not at its next load.
param=/sys/module/zircon_hv/parameters/hypervisor_gid
if [ -w "$param" ]; then
	echo "$gid" >"$param"
fi
if command -v udevadm >/dev/null && [ -d /run/udev ]; then
	udevadm control --reload || true
fi
