#!/usr/bin/env bash
# Print the directory of Debian's extracted linux-source-6.1 tree (the
# kselftest harness, checkpatch and kunit's parser come from it), extracting
# it into the cache first if needed.  Shares its location with
# scripts/kernel/build-debug.sh.
set -euo pipefail
cache=${ZXHV_CACHE:-/var/cache/zircon-hv}
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
dir=$cache/src/linux-source-6.1-$ver
if [ ! -d "$dir" ]; then
	mkdir -p "$cache/src"
	tmp=$(mktemp -d "$cache/src/.extract.XXXXXX")
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$tmp"
	mv -T "$tmp/linux-source-6.1" "$dir" 2>/dev/null || true
	rm -rf "$tmp"
fi
echo "$dir"
