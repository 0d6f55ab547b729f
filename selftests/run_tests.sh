#!/bin/sh
# Runs the zircon-hv kselftest binaries beside this script, in order, each
# printing its own TAP: every *_test, or only the ones named as arguments
# (e.g. `run_tests.sh vcpu_smp_test vcpu_test`).  Exits non-zero if any of
# them failed or a named one is missing.  After each, the seconds it took.
cd "$(dirname "$0")" || exit 1
rc=0
named=$#
[ "$named" -gt 0 ] || set -- ./*_test
for t in "$@"; do
	t=./${t#./}
	if [ ! -x "$t" ]; then
		[ "$named" -gt 0 ] && echo "# zxhv-selftest: no $t" && rc=1
		continue
	fi
	echo "# zxhv-selftest: $t"
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$t" || rc=1
	# The guest's own clock (in Bochs: emulated instructions, which is what
	# make check's wall time follows): where a stage's time goes.
	echo "# zxhv-selftest: $t took $(awk -v a="$t0" '{printf "%.2f", $1 - a}' /proc/uptime) s"
done
exit $rc
