#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# check-deb.sh: builds the Debian packages (make deb), runs lintian on them
# (fails on errors), installs them on this machine and checks that
#   - DKMS builds and installs the module for Debian's stock kernel ABI
#     (scripts/kernel/stock.sh --headers);
#   - the group zircon-hv, its gid in /etc/modprobe.d/zircon-hv.conf and the
#     udev rule are in place;
#   - pkg-config --cflags --libs libzx works and a small program compiles,
#     links against the installed libzx.so.0 (and libzx.a) and runs;
#   - the manual pages are installed (man -w) and zxhv-info runs;
# then purges the packages and fails if anything of them is left behind
# (including DKMS's signing key pair if this run made it).
# Root only. It refuses to start when zircon-hv is already known to DKMS or
# installed (e.g. by make dkms-install), since purging would remove that too.
#
# --keep (make check): the packages stay installed after the checks pass, so
# that the Bochs stages load the module DKMS built from the package; a zircon-hv
# that an earlier make check (packages) or make dkms-install (scripts/dkms.sh)
# left on this machine is removed first instead of refused.  On a failure the
# packages are purged as without --keep.  Prints the module's path last.
# Logs: build/check-deb/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check-deb
pkgs=(zircon-hv-dkms libzx0 libzx-dev zircon-hv-tools)
export DEBIAN_FRONTEND=noninteractive
keep=0
case "${1:-}" in
--keep) keep=1 ;;
'') ;;
*) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac

fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
step() { echo "check-deb: [${SECONDS}s] $*"; }

[ "$(id -u)" = 0 ] || fail "must run as root"
mkdir -p "$top/build"
exec 9>"$top/build/.check-deb.lock"
flock -n 9 || fail "another check-deb.sh is running"

# --- nothing of zircon-hv may be installed yet -------------------------------
if [ "$keep" = 1 ]; then
	# What a previous make check (or make dkms-install) left: packages first,
	# then a DKMS tree of scripts/dkms.sh and its modprobe.d file.
	for p in "${pkgs[@]}"; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed\|config-files'; then
			step "purging the earlier install of $p"
			apt-get purge -y -qq "$p" >/dev/null
		fi
	done
	if dkms status -m zircon-hv | grep -q .; then
		step "removing zircon-hv from DKMS (scripts/dkms.sh install)"
		# dkms 3.0.10's remove needs the version: take each from dkms status.
		for v in $(dkms status -m zircon-hv | sed -n 's|^zircon-hv/\([^,: ]*\).*|\1|p' | sort -u); do
			dkms remove -m zircon-hv -v "$v" --all >/dev/null
		done
	fi
	rm -rf /usr/src/zircon-hv-* /etc/modprobe.d/zircon-hv.conf /etc/udev/rules.d/70-zircon-hv.rules
fi
if dkms status -m zircon-hv | grep -q .; then
	fail "zircon-hv is already in DKMS (dkms status -m zircon-hv): run make dkms-uninstall first"
fi
for p in "${pkgs[@]}"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed\|config-files'; then
		fail "package $p is already installed"
	fi
done
for f in /usr/src/zircon-hv-* /etc/modprobe.d/zircon-hv.conf; do
	[ -e "$f" ] && fail "$f exists (from make dkms-install?): refusing to touch it"
done
had_group=0
getent group zircon-hv >/dev/null && had_group=1
# DKMS makes a module signing key pair on its first build (/usr/sbin/dkms).
mok=/var/lib/dkms/mok
had_mok=0
[ -e "$mok.key" ] && had_mok=1
abi=$(basename "$("$top/scripts/kernel/stock.sh" --headers)")
abi=${abi#linux-headers-}
[ -d "/lib/modules/$abi/build" ] || fail "/lib/modules/$abi/build missing (linux-headers-$abi)"
rm -rf "$out" && mkdir -p "$out"
before=$out/modules-before.txt
find /lib/modules -maxdepth 3 | sort >"$before"

# --- build and lint -----------------------------------------------------------
step "make deb (log: build/check-deb/deb.log)"
make -C "$top" deb >"$out/deb.log" 2>&1 || { tail -n 30 "$out/deb.log"; fail "make deb"; }
debs=()
for p in "${pkgs[@]}"; do
	d=$(ls "$top"/build/deb/"${p}"_*.deb 2>/dev/null | head -n 1)
	[ -n "$d" ] || fail "make deb made no $p package"
	debs+=("$d")
done
step "lintian"
if ! lintian --fail-on error --pedantic -I "$top"/build/deb-src/zircon-hv_*.changes \
	>"$out/lintian.log" 2>&1; then
	cat "$out/lintian.log"
	fail "lintian reports errors"
fi
grep -v -e '^N:' -e 'running with root privileges' "$out/lintian.log" | sed 's/^/  /' || true

# --- install; from here on, always purge ---------------------------------------
cleanup() {
	local rc=$? left
	set +e
	if [ "$keep" = 1 ] && [ "$rc" = 0 ]; then
		step "ok (built, no lintian errors, installed, checked; kept installed)"
		echo "$ko"
		exit 0
	fi
	step "purge"
	apt-get purge -y -qq "${pkgs[@]}" >"$out/purge.log" 2>&1 || {
		cat "$out/purge.log"; rc=1; }
	# depmod's index files in a modules dir that had none, and empty dirs dkms made.
	find /lib/modules -maxdepth 3 | sort | comm -13 "$before" - >"$out/modules-new.txt"
	while read -r f; do
		case "$f" in
		/lib/modules/*/modules.*) [ -f "$f" ] && rm -f "$f" ;;
		esac
	done <"$out/modules-new.txt"
	for d in $(sort -r "$out/modules-new.txt"); do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	if [ "$had_group" = 0 ] && getent group zircon-hv >/dev/null; then
		groupdel zircon-hv
	fi
	[ "$had_mok" = 1 ] || rm -f "$mok.key" "$mok.pub"
	left=$( {
		dkms status -m zircon-hv
		for p in "${pkgs[@]}"; do
			dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$p" 2>/dev/null |
				grep -v '^un' || true
		done
		ls -d /usr/src/zircon-hv-* /var/lib/dkms/zircon-hv /etc/modprobe.d/zircon-hv.conf \
			/lib/udev/rules.d/70-zircon-hv.rules /usr/lib/zircon-hv 2>/dev/null || true
		find /lib/modules -name 'zircon-hv.ko*'
		[ "$had_mok" = 1 ] || ls "$mok".* 2>/dev/null
		find /lib/modules -maxdepth 3 | sort | comm -13 "$before" -
	} 2>&1)
	if [ -n "$left" ]; then
		echo "check-deb: FAIL: left behind after purge:" >&2
		echo "$left" >&2
		rc=1
	fi
	[ "$rc" = 0 ] && echo "check-deb: [${SECONDS}s] ok (built, no lintian errors, installed, checked, purged)"
	exit "$rc"
}
trap cleanup EXIT

step "apt-get install ${debs[*]##*/}"
apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$out/install.log" 2>&1 ||
	{ cat "$out/install.log"; fail "apt-get install"; }

step "DKMS for the stock kernel $abi"
dkms autoinstall -k "$abi" >"$out/dkms.log" 2>&1 || { cat "$out/dkms.log"; fail "dkms autoinstall"; }
dkms status -m zircon-hv -v 0.1 -k "$abi" | grep -q ': installed' ||
	{ dkms status; fail "zircon-hv/0.1 not installed for $abi"; }
ko=$(find "/lib/modules/$abi" -name 'zircon-hv.ko*' | head -n 1)
[ -n "$ko" ] || fail "no zircon-hv.ko under /lib/modules/$abi"
modinfo -F vermagic "$ko" | grep -q "^$abi " || fail "$ko: vermagic $(modinfo -F vermagic "$ko")"

step "group, modprobe.d, udev rule"
gid=$(getent group zircon-hv | cut -d: -f3)
[ -n "$gid" ] || fail "no group zircon-hv"
grep -qx "options zircon-hv hypervisor_gid=$gid" /etc/modprobe.d/zircon-hv.conf ||
	fail "/etc/modprobe.d/zircon-hv.conf does not set hypervisor_gid=$gid"
grep -q 'GROUP="zircon-hv"' /lib/udev/rules.d/70-zircon-hv.rules || fail "udev rule"

step "pkg-config and a program against the installed libzx"
flags=$(pkg-config --cflags --libs libzx) || fail "pkg-config --cflags --libs libzx"
cat >"$out/t.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/hv.h>

int main(void)
{
	uint32_t major, minor;
	zx_status_t st = zxhv_api_version(&major, &minor);

	/* No module on this host: libzx must say so, not crash. */
	printf("%s %s\n", zx_status_get_string(ZX_ERR_BAD_HANDLE), zx_status_get_string(st));
	return strcmp(zx_status_get_string(ZX_ERR_BAD_HANDLE), "ZX_ERR_BAD_HANDLE") != 0;
}
C
# shellcheck disable=SC2086
cc -Wall -Werror -o "$out/t" "$out/t.c" $flags || fail "cc t.c $flags"
# The path ldd shows may go through /lib (merged /usr): compare real paths.
used=$(ldd "$out/t" | awk '$1 == "libzx.so.0" { print $3 }')
[ -n "$used" ] && [ "$(readlink -f "$used")" = \
	"$(readlink -f "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libzx.so.0")" ] ||
	{ ldd "$out/t"; fail "t does not use the installed libzx.so.0"; }
# shellcheck disable=SC2086
cc -Wall -Werror -o "$out/t-static" "$out/t.c" $(pkg-config --cflags libzx) \
	-Wl,-Bstatic -lzx -Wl,-Bdynamic || fail "linking libzx.a"
for t in t t-static; do
	res=$("$out/$t") || fail "$t exited $?"
	[ -e /dev/zircon-hv ] || [ "$res" = "ZX_ERR_BAD_HANDLE ZX_ERR_NOT_SUPPORTED" ] ||
		fail "$t printed '$res'"
done

step "manual pages and zxhv-info"
for m in zx_guest_create zx_vcpu_resume zxhv_handle_import zircon-hv.4 zircon-hv.7 zxhv-info.1; do
	case $m in
	*.[0-9]) man -w "${m##*.}" "${m%.[0-9]}" >/dev/null 2>&1 || fail "man -w ${m##*.} ${m%.[0-9]}: no page" ;;
	*) man -w "$m" >/dev/null 2>&1 || fail "man -w $m: no page" ;;
	esac
done
page=$(man -P cat zx_vcpu_resume 2>/dev/null) || fail "man zx_vcpu_resume"
grep -q 'zx_vcpu_enter, zx_vcpu_resume' <<<"$page" ||
	fail "zx_vcpu_resume(3) does not show zx_vcpu_enter's page"
if [ ! -e /dev/zircon-hv ]; then
	rc=0; zxhv-info >/dev/null 2>"$out/zxhv-info.err" || rc=$?
	[ "$rc" = 2 ] && grep -q 'cannot talk to /dev/zircon-hv' "$out/zxhv-info.err" ||
		fail "zxhv-info without the module: exit $rc, $(cat "$out/zxhv-info.err")"
fi
