#!/usr/bin/env bash
# sparse over the module, built against Debian's stock 6.1 headers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/scripts/kernel/stock.sh" --headers)
out=$top/build/sparse
"$top/scripts/build-module.sh" "$kdir" "$out" C=2 ZXHV_KUNIT=n
# build-module.sh already failed on any warning; show what sparse saw.
grep -c 'CHECK' "$out/build.log" | sed 's/^/sparse: clean, files checked: /'
