#!/bin/sh
# Runs every zircon-hv kselftest binary beside this script, in order, each
# printing its own TAP.  Exits non-zero if any of them failed.
cd "$(dirname "$0")" || exit 1
rc=0
for t in ./*_test; do
	[ -x "$t" ] || continue
	echo "# zxhv-selftest: $t"
	"$t" || rc=1
done
exit $rc
