#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# check-symbols.sh LIB MAP: the dynamic symbols LIB defines must be exactly
# the global: names of the version script MAP, each bound to a version node.
set -eu

lib=$1
map=$2

# Defined dynamic symbols, without the version node's own absolute symbol.
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort)
# Names between "global:" and "local:" in the map.
wanted=$(sed -n '/global:/,/local:/p' "$map" | sed -e 's/[[:space:]]//g' \
	-e '/^global:/d' -e '/^local:/d' -e '/^$/d' -e 's/;$//' | sort)
# Every export must carry a version, e.g. zx_status_get_string@@ZXHV_0.1.
unversioned=$(printf '%s\n' "$exported" | grep -v '@@' || true)

if [ -n "$unversioned" ]; then
	echo "check-symbols: unversioned exports in $lib:" >&2
	printf '%s\n' "$unversioned" >&2
	exit 1
fi
exported=$(printf '%s\n' "$exported" | sed 's/@.*//')
if [ "$exported" != "$wanted" ]; then
	echo "check-symbols: $lib exports differ from $map (-map +lib):" >&2
	printf '%s\n' "$wanted" > "${TMPDIR:-/tmp}/zx-map.$$"
	printf '%s\n' "$exported" | diff "${TMPDIR:-/tmp}/zx-map.$$" - >&2 || true
	rm -f "${TMPDIR:-/tmp}/zx-map.$$"
	exit 1
fi
echo "check-symbols: ok ($(printf '%s\n' "$exported" | wc -l) exports)"
