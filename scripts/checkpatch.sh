#!/usr/bin/env bash
# checkpatch.pl (from Debian's linux-source) over the module, its KUnit
# tests and the uapi header: no errors, no warnings, no checks.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=$("$top/scripts/ksrc.sh")
cd "$top"
files=$(find module kunit -name '*.[ch]' | sort; echo uapi/zircon-hv.h)
# --no-tree: not inside a kernel tree.  FILE_PATH_CHANGES and SPDX style
# checks are about in-tree patches.  uapi/zircon/* are Zircon's own headers
# (Zircon's names and typedefs, shared with userspace) and are not checked.
"$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse --show-types -q \
	--ignore FILE_PATH_CHANGES,CAMELCASE -f $files
echo "checkpatch: clean ($(echo "$files" | wc -l) files)"
