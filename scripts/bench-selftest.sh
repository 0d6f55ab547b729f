#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Shows that the test bench reports each kind of failure: a failing KUnit
# case, a failing kselftest, a KASAN report and a hang.  Plants each one in
# the debug kernel under QEMU and checks that tools/vmrun and tools/tapsum
# flag it.  Also that `make bench`'s table has its boot rows and refuses a
# run with a failed boot.  Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kdir=$(scripts/kernel/build-debug.sh)
ksrc=$(scripts/ksrc.sh)
w=$top/build/bench-selftest
rm -rf "$w"
mkdir -p "$w/mod"
cp selftests/bench/zxhv_canary.c selftests/bench/zxhv_canary_kfail.c selftests/bench/Kbuild "$w/mod/"
make -s -C "$kdir" M="$w/mod" modules >"$w/mod.log" 2>&1 || { cat "$w/mod.log"; exit 1; }
gcc -O2 -Wall -Werror -D_GNU_SOURCE -I"$ksrc/tools/testing/selftests" \
	-o "$w/canary_fail_test" selftests/bench/canary_fail_test.c

echo "TAP version 13"
echo "1..7"
n=0
report() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# 1 and 2: a failing kselftest and a failing KUnit case, in one boot.
tools/vmrun --novmx --kernel debug --no-module --console "$w/fail.console" \
	--put "$w/mod/zxhv_canary_kfail.ko" --put "$w/canary_fail_test" \
	-- sh -c 'insmod /work/zxhv_canary_kfail.ko; rmmod zxhv_canary_kfail; ./canary_fail_test' \
	>"$w/fail.out" 2>"$w/fail.err"
rc=$?
python3 tools/tapsum "$w/fail.out" >"$w/fail.sum"
grep -q '^FAIL .*planted_failure' "$w/fail.sum" && [ "$rc" = 1 ]
report $? "a failing kselftest fails vmrun (rc=$rc) and is counted"
sed -n '/ZXHV-BEGIN/,$p' "$w/fail.console" >"$w/fail.kunit"
python3 tools/tapsum "$w/fail.kunit" >"$w/fail.ksum"
grep -q '^FAIL .*canary_planted_failure' "$w/fail.ksum" && grep -q '1 passed, 1 failed' "$w/fail.ksum"
report $? "a failing KUnit case is counted"

# 3: a KASAN report makes vmrun fail even though the command succeeded.
tools/vmrun --novmx --kernel debug --no-module --put "$w/mod/zxhv_canary.ko" \
	-- insmod /work/zxhv_canary.ko kasan=1 >"$w/kasan.out" 2>"$w/kasan.err"
rc=$?
[ "$rc" = 125 ] && grep -q 'KASAN: slab-out-of-bounds' "$w/kasan.err"
report $? "a KASAN report fails vmrun (rc=$rc)"

# 4: a hang ends in a timeout with the console tail.
tools/vmrun --novmx --kernel debug --no-module --timeout 90 \
	-- sh -c 'echo ZXHV-HANG-START >/dev/kmsg; sleep 100000' >"$w/hang.out" 2>"$w/hang.err"
rc=$?
[ "$rc" = 124 ] && grep -q 'TIMEOUT' "$w/hang.err" && grep -q 'ZXHV-HANG-START' "$w/hang.err"
report $? "a hang times out (rc=$rc)"

# 5: the counter itself: leaf results only, SKIP directives, a short plan.
printf '%s\n' 'TAP version 13' '1..4' 'ok 1 passes' 'ok 2 # SKIP no VMX here' \
	'not ok 3 fails' '    KTAP version 1' '    1..1' '    ok 1 leaf' 'ok 4 parent' \
	>"$w/counter.tap"
printf '%s\n' 'TAP version 13' '1..2' 'ok 1 only one' >"$w/short.tap"
python3 tools/tapsum "$w/counter.tap" >"$w/counter.sum"
python3 tools/tapsum "$w/short.tap" >"$w/short.sum"
grep -q 'counter.tap: 2 passed, 1 failed, 1 skipped' "$w/counter.sum" &&
	grep -q 'plan of 2 results' "$w/short.sum"
report $? "tapsum counts leaves, skips and short plans"

# 6: make bench's table (scripts/bench-table.py) on a recorded run: the eight
# boot rows (zxhv-vmm against QEMU), and a boot that exited 1 fails it.
raw=tools/bench/testdata/raw.txt
python3 scripts/bench-table.py "$raw" >"$w/bench.table" 2>&1 &&
	[ "$(grep -c '^| boot-to-\(init\|poweroff\), \(vmlinux ELF\|bzImage\) | [12] |' "$w/bench.table")" = 8 ]
r1=$?
sed '0,/^boot zxhv elf 2 \(.*\) 0$/s//boot zxhv elf 2 \1 1/' "$raw" >"$w/bench-fail.txt"
python3 scripts/bench-table.py "$w/bench-fail.txt" >/dev/null 2>"$w/bench-fail.err"
r2=$?
[ "$r1" = 0 ] && [ "$r2" = 1 ] && grep -q 'zxhv elf 2-CPU boot 1 failed' "$w/bench-fail.err"
report $? "the bench table has the boot rows and fails on a failed boot"

# 7: the suites alone (ZXHV_BENCH_ONLY=suites, the mitigations=off profile):
# without boot lines the table needs --suites-only, prints every op's row
# (as many as the whole table of test 6, ten since op j), no boot rows, and
# still fails on a missing op.
grep -v '^boot' "$raw" >"$w/suites.txt"
python3 scripts/bench-table.py "$w/suites.txt" >/dev/null 2>"$w/suites-boots.err"
r1=$?
python3 scripts/bench-table.py "$w/suites.txt" --suites-only --json "$w/suites.json" \
	>"$w/suites.table" 2>&1
r2=$?
grep -v '^result e_hlt_wake' "$w/suites.txt" >"$w/suites-short.txt"
python3 scripts/bench-table.py "$w/suites-short.txt" --suites-only >/dev/null \
	2>"$w/suites-short.err"
r3=$?
[ "$r1" = 1 ] && [ "$r2" = 0 ] && [ "$r3" = 1 ] &&
	[ "$(grep -c '^| (' "$w/suites.table")" = "$(grep -c '^| (' "$w/bench.table")" ] &&
	[ "$(grep -c '^| (' "$w/suites.table")" -ge 10 ] && ! grep -q '^| boot' "$w/suites.table" &&
	grep -q '"boots": \[\]' "$w/suites.json" && grep -q 'zxhv e_hlt_wake' "$w/suites-short.err"
report $? "the suites-only table: no boot rows needed or printed, a missing op fails"
