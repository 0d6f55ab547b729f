#!/usr/bin/env bash
# Build zircon-hv.ko against one kernel, warning-free with W=1.
#   scripts/build-module.sh KDIR OUTDIR [MAKE VARS...]
# Out-of-tree builds write objects next to the sources, so each kernel gets
# its own copy of the sources under OUTDIR (rsync keeps rebuilds incremental).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?KDIR}
out=${2:?OUTDIR}
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod*' \
	--exclude '.*' --exclude '*.gcno' --exclude 'build.log' --exclude 'modules.order' --exclude 'Module.symvers' \
	"$top/Kbuild" "$top/module" "$top/uapi" "$top/kunit" "$out/"
if ! make -C "$kdir" M="$out" W=1 "$@" modules >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "build-module: build against $kdir failed" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$out/build.log" >&2; then
	echo "build-module: warnings building against $kdir (W=1 must be clean)" >&2
	exit 1
fi
