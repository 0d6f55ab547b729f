#!/usr/bin/env bash
# Generic code must not include VMX headers: only files under a vmx/
# directory may include a header that lives in module/arch/x86/vmx/ or the
# kernel's <asm/vmx.h> family.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
names=$(cd module/arch/x86/vmx && ls *.h 2>/dev/null | sed 's/\./\\./g' | paste -sd'|' -)
re='#include *[<"](asm/vmx[a-z_]*\.h'
[ -n "$names" ] && re="$re|([^\">]*/)?($names)"
re="$re)[\">]"
bad=$(grep -rnE "$re" module kunit --include='*.c' --include='*.h' | grep -v '^[^:]*/vmx/' || true)
if [ -n "$bad" ]; then
	echo "layering: VMX headers included outside a vmx/ directory:"
	echo "$bad"
	exit 1
fi
echo "layering: ok ($(find module kunit -name '*.[ch]' | wc -l) files)"
