#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# zxhv's usage errors: each must end with exit status 2 and a message on
# stderr, nothing on stdout, before the tool asks the module anything (so
# this runs on any host, with the module loaded or not).  Prints TAP.
#   scripts/zxhv-usage-test.sh [ZXHV]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
zxhv=${1:-$top/build/tools/zxhv}
tmp=$(mktemp -d /tmp/zxhv-usage.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# expect NAME MESSAGE-PATTERN -- zxhv arguments...
expect() {
	local name=$1 pat=$2 rc
	shift 3
	"$zxhv" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$((n + 1))
	if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "$pat" "$tmp/err"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $rc)"
		sed 's/^/# /' "$tmp/err" "$tmp/out"
		failed=1
	fi
}

echo "1..16"
expect "no command" "^usage: zxhv" --
expect "unknown command" "^zxhv: unknown command 'lsit'" -- lsit
expect "unknown option" "^usage: zxhv" -- -x list
expect "list with an argument" "^zxhv list: unexpected argument 'all'" -- list all
expect "events with an argument" "^zxhv events: unexpected argument 'x'" -- events x
expect "probe with an argument" "^zxhv probe: unexpected argument 'x'" -- -j probe x
expect "stat, koid not a number" "^zxhv stat: bad koid 'abc'" -- stat abc
expect "stat, koid 0" "^zxhv stat: bad koid '0'" -- stat 0
expect "stat, negative koid" "^zxhv stat: bad koid '-5'" -- stat -5
expect "stat, koid over 64 bits" "^zxhv stat: bad koid" -- stat 18446744073709551616
expect "stat, two koids" "^zxhv stat: unexpected argument '2'" -- stat 1 2
expect "top -d 0" "^zxhv top: -d wants seconds" -- top -d 0
expect "top -d not a number" "^zxhv top: -d wants seconds" -- top -d 1s
expect "top -n 0" "^zxhv top: -n wants a count" -- top -n 0
expect "top -n over long" "^zxhv top: -n wants a count" -- top -n 99999999999999999999
expect "top with an argument" "^zxhv top: unexpected argument 'now'" -- top --once now
exit $failed
