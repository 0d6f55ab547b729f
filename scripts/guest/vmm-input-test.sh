#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# zxhv-vmm's bad-input cases: each must end with exit status 2 and one line on
# stderr naming the argument, before any guest exists (so this runs on any
# host, with or without /dev/zircon-hv).  Prints TAP.
#   scripts/guest/vmm-input-test.sh [ZXHV_VMM [GUEST_DIR]]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
vmm=${1:-$top/build/vmm/zxhv-vmm}
g=${2:-$top/build/guest}
tmp=$(mktemp -d /tmp/vmm-input.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

head -c 30000000 "$g/vmlinux" >"$tmp/vmlinux-truncated"
head -c 3000000 "$g/bzImage" >"$tmp/bzImage-truncated"
head -c 4096 /dev/urandom >"$tmp/random"
: >"$tmp/empty"
printf '#!/bin/sh\n' >"$tmp/script"
cp /bin/true "$tmp/not-linux-elf"
head -c 1000 /dev/zero >"$tmp/disk-odd"
touch "$tmp/unreadable" && chmod 000 "$tmp/unreadable"

# poke FILE OFFSET BYTES: overwrites the bytes at OFFSET (BYTES in printf %b form).
poke() {
	printf '%b' "$3" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
# bzImages whose load address or its round-up wraps around 2^64 (the setup
# header's offsets: vmm/loader.c's HDR_*).  One non-relocatable
# (relocatable_kernel 0x234 = 0) with pref_address (0x258) 0xffffffffffe00000
# and init_size (0x260) 2 MiB, and one relocatable with pref_address
# 0xffffffffffe00001 and kernel_alignment (0x230) 2 MiB.
cp "$g/bzImage" "$tmp/bzImage-top"
poke "$tmp/bzImage-top" 0x234 '\x00'
poke "$tmp/bzImage-top" 0x258 '\x00\x00\xe0\xff\xff\xff\xff\xff'
poke "$tmp/bzImage-top" 0x260 '\x00\x00\x20\x00'
cp "$g/bzImage" "$tmp/bzImage-round"
poke "$tmp/bzImage-round" 0x234 '\x01'
poke "$tmp/bzImage-round" 0x230 '\x00\x00\x20\x00'
poke "$tmp/bzImage-round" 0x258 '\x01\x00\xe0\xff\xff\xff\xff\xff'
long=$(head -c 3000 /dev/zero | tr '\0' x)

# expect NAME ARG-NAMED MESSAGE-PATTERN -- zxhv-vmm arguments...
expect() {
	local name=$1 arg=$2 pat=$3 rc lines
	shift 4
	"$vmm" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	n=$((n + 1))
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -q -- "^zxhv-vmm: $arg: .*$pat" "$tmp/err"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $rc, $lines stderr lines)"
		sed 's/^/# /' "$tmp/err"
		failed=1
	fi
}

# A root-run test cannot make a file unreadable: skip that case for root.
unreadable_case() {
	if [ "$(id -u)" = 0 ]; then
		n=$((n + 1))
		echo "ok $n - unreadable kernel # SKIP root reads any file"
		return
	fi
	expect "unreadable kernel" --kernel "Permission denied" -- --kernel "$tmp/unreadable"
}

echo "1..35"
expect "no --kernel" --kernel "missing" --
expect "unknown option" --kernal "unknown argument" -- --kernal "$g/vmlinux"
expect "missing kernel" --kernel "No such file" -- --kernel "$tmp/nonexistent"
unreadable_case
expect "empty kernel" --kernel "empty" -- --kernel "$tmp/empty"
expect "kernel is a directory" --kernel "not a regular file" -- --kernel "$tmp"
expect "truncated vmlinux" --kernel "truncated" -- --kernel "$tmp/vmlinux-truncated"
expect "truncated bzImage" --kernel "truncated" -- --kernel "$tmp/bzImage-truncated"
expect "random bytes" --kernel "not a Linux kernel" -- --kernel "$tmp/random"
expect "a script" --kernel "not a Linux kernel" -- --kernel "$tmp/script"
expect "an ELF program, not Linux" --kernel "Linux vmlinux" -- --kernel "$tmp/not-linux-elf"
expect "kernel larger than memory" --kernel "needs memory" -- --kernel "$g/vmlinux" --memory 64M
expect "bzImage at the top of 2^64" --kernel "beyond the end of memory" -- --kernel "$tmp/bzImage-top"
expect "bzImage whose round-up wraps" --kernel "beyond the end of memory" -- \
	--kernel "$tmp/bzImage-round"
expect "initrd does not fit" --initrd "do not fit" -- --kernel "$g/vmlinux" --memory 128M \
	--initrd "$g/vmlinux"
expect "missing initrd" --initrd "No such file" -- --kernel "$g/vmlinux" --initrd "$tmp/nonexistent"
expect "malformed size" --memory "not a size" -- --kernel "$g/vmlinux" --memory 12Q
expect "size not whole pages" --memory "pages" -- --kernel "$g/vmlinux" --memory 1000000
expect "memory too large" --memory "outside" -- --kernel "$g/vmlinux" --memory 64G
expect "--cpus 0" --cpus "outside" -- --kernel "$g/vmlinux" --cpus 0
expect "too many cpus" --cpus "outside" -- --kernel "$g/vmlinux" --cpus 64
expect "cpus not a number" --cpus "not a number" -- --kernel "$g/vmlinux" --cpus two
expect "command line over the limit" --cmdline "over the kernel's limit" -- \
	--kernel "$g/vmlinux" --cmdline "$long"
expect "missing disk" --disk "No such file" -- --kernel "$g/vmlinux" --disk "$tmp/nonexistent,ro"
expect "disk not whole sectors" --disk "multiple of 512" -- --kernel "$g/vmlinux" \
	--disk "$tmp/disk-odd"
expect "unknown console" --console "neither" -- --kernel "$g/vmlinux" --console serial
expect "net without tap" --net "tap=NAME is missing" -- --kernel "$g/vmlinux" \
	--net mac=52:54:00:00:00:01
expect "net multicast mac" --net "not a unicast MAC" -- --kernel "$g/vmlinux" \
	--net tap=t0,mac=01:00:5e:00:00:01
expect "net unknown option" --net "unknown option" -- --kernel "$g/vmlinux" --net tap=t0,vhost=on
expect "net all-zero mac" --net "not a unicast MAC" -- --kernel "$g/vmlinux" \
	--net tap=t0,mac=00:00:00:00:00:00
expect "net mac with a sign" --net "not a unicast MAC" -- --kernel "$g/vmlinux" \
	--net tap=t0,mac=52:-1:00:00:00:01
expect "net mac twice" --net "mac= given more than once" -- --kernel "$g/vmlinux" \
	--net tap=t0,mac=52:54:00:00:00:01,mac=52:54:00:00:00:02
# Options that take one value refuse a second rather than keep the last.
expect "--kernel twice" --kernel "given more than once" -- --kernel "$g/vmlinux" --kernel "$g/bzImage"
expect "--cpus twice" --cpus "given more than once" -- --kernel "$g/vmlinux" --cpus 1 --cpus 2
expect "--net twice" --net "given more than once" -- --kernel "$g/vmlinux" --net tap=t0 --net tap=t1
exit $failed
