#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# check-man.sh [LIB]: the manual pages in man/ against libzx.
#   - every symbol libzx exports (the global: names of libzx/libzx.map and,
#     when LIB (default build/libzx/libzx.so.0) exists, its nm -D exports)
#     has a section 3 page, man/SYMBOL.3, either the page itself or a .so
#     link to a page whose NAME lists the symbol;
#   - that page's SYNOPSIS shows the declaration of the symbol's header, the
#     same after whitespace is ignored, and the page has the sections
#     NAME, LIBRARY, SYNOPSIS, DESCRIPTION, RIGHTS, RETURN VALUE, SEE ALSO;
#   - the EXAMPLES of each section 3 page compile (cc -fsyntax-only, after
#     declarations of the handles and buffers they use);
#   - every page formats without a warning: groff -man -ww -z, man --warnings
#     and mandoc -T lint (.so links: their target is checked instead).
# Prints each problem; exits 1 if there is any.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
man=$top/man
lib=${1:-$top/build/libzx/libzx.so.0}
fail=0
bad() { echo "check-man: $*" >&2; fail=1; }

syms=$(sed -n '/global:/,/local:/p' "$top/libzx/libzx.map" | sed -e 's/[[:space:]]//g' \
	-e '/^global:/d' -e '/^local:/d' -e '/^$/d' -e 's/;$//')
if [ -f "$lib" ]; then
	syms+=$'\n'$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }')
fi
syms=$(printf '%s\n' "$syms" | sort -u)
[ -n "$syms" ] || bad "no exported symbols found"

# The page that documents SYM (following one .so), or nothing.
page_of() {
	local f=$man/$1.3 target
	[ -f "$f" ] || return 0
	target=$(sed -n 's/^\.so[[:space:]]\+man3\/\(.*\)$/\1/p' "$f")
	if [ -n "$target" ]; then
		[ -f "$man/$target" ] && echo "$man/$target"
	else
		echo "$f"
	fi
}

nsym=0
for s in $syms; do
	nsym=$((nsym + 1))
	p=$(page_of "$s")
	if [ -z "$p" ]; then
		bad "$s: no manual page (man/$s.3, or a .so link to an existing page)"
		continue
	fi
	# NAME: "a, b \- summary" must list the symbol.
	sed -n '/^\.SH NAME/{n;p;}' "$p" | sed 's/ \\- .*//' | tr -d ' ' | tr , '\n' |
		grep -qx "$s" || bad "$s: not in the NAME line of ${p#"$top"/}"
done

# SYNOPSIS against the headers (python: prototypes span lines).
python3 - "$top" $syms <<'PY' || fail=1
import glob, os, re, subprocess, sys
top, syms = sys.argv[1], sys.argv[2:]
decl = {}
for h in glob.glob(os.path.join(top, 'libzx/include/zircon/*.h')):
    text = re.sub(r'/\*.*?\*/', ' ', open(h).read(), flags=re.S)
    for m in re.finditer(r'([A-Za-z_][\w \*]*?\b(?:zx|zxhv)_\w+)\s*\(([^;{]*?)\)\s*;', text):
        name = re.search(r'((?:zx|zxhv)_\w+)$', m.group(1)).group(1)
        decl[name] = re.sub(r'\s+', '', m.group(0))
def src_of(page):
    with open(page) as f:
        return f.read()
bad = 0
rendered = {}
for s in syms:
    if s not in decl:
        print(f'check-man: {s}: exported but declared in no libzx header', file=sys.stderr)
        bad = 1
        continue
    page = os.path.join(top, 'man', s + '.3')
    if not os.path.exists(page):
        continue                    # reported above
    src = src_of(page)
    m = re.match(r'\.so\s+man3/(\S+)', src)
    if m:
        page = os.path.join(top, 'man', m.group(1))
    if page not in rendered:
        rendered[page] = subprocess.run(['groff', '-man', '-Tutf8', '-P-cbou', '-rLL=200n',
                                         page], capture_output=True, text=True).stdout
    out = rendered[page]
    syn = re.search(r'^SYNOPSIS\n(.*?)^\S', out, flags=re.S | re.M)
    syn = re.sub(r'\s+', '', syn.group(1)) if syn else ''
    if decl[s] not in syn:
        print(f'check-man: {s}: the SYNOPSIS of {os.path.basename(page)} does not show '
              f'the declaration {decl[s]}', file=sys.stderr)
        bad = 1
    for sec in ('NAME', 'LIBRARY', 'SYNOPSIS', 'DESCRIPTION', 'RIGHTS', 'RETURN VALUE',
                'SEE ALSO'):
        if not re.search(r'^\.SH "?' + sec + r'"?$', src_of(page), flags=re.M):
            print(f'check-man: {os.path.basename(page)}: no {sec} section', file=sys.stderr)
            bad = 1
# The EXAMPLES of each section 3 page must compile against the headers: the
# fragments go into one function, after declarations of the names they share.
prelude = r"""
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <zircon/syscalls.h>
#include <zircon/hv.h>
extern zx_handle_t rsrc, guest, vmar, guest_vmar, vmo, vcpu, port, h, vcpus[64];
extern zx_port_packet_t pkt;
extern zx_vaddr_t addr;
extern size_t size, code_size, kernel_size;
extern const void *code, *kernel_image;
extern unsigned nvcpus;
extern int sock;
zx_status_t example(void);
zx_status_t example(void)
{
"""
for page in sorted(glob.glob(os.path.join(top, 'man', '*.3'))):
    src = src_of(page)
    if src.startswith('.so'):
        continue
    sec = re.search(r'^\.SH EXAMPLES\n(.*?)(?=^\.SH )', src, flags=re.S | re.M)
    if not sec:
        continue
    blocks = re.findall(r'^\.EX\n(.*?)^\.EE$', sec.group(1), flags=re.S | re.M)
    code = '\n'.join(blocks).replace('\\e', '\\').replace('\\-', '-')
    prog = prelude + '{\n' + code + '\n}\nreturn ZX_OK;\n}\n'
    cc = subprocess.run(['cc', '-std=gnu11', '-Wall', '-Werror', '-Wno-unused-variable',
                         '-Wno-unused-but-set-variable', '-fsyntax-only', '-x', 'c',
                         '-I', os.path.join(top, 'libzx/include'), '-I', os.path.join(top, 'uapi'),
                         '-'], input=prog, capture_output=True, text=True)
    if cc.returncode != 0:
        print(f'check-man: {os.path.basename(page)}: EXAMPLES do not compile:\n{cc.stderr}',
              file=sys.stderr)
        bad = 1
sys.exit(bad)
PY

# Formatting: no warning from groff, man or mandoc.
npage=0
for f in "$man"/*.[0-9]; do
	if grep -q '^\.so' "$f"; then
		t=$(sed -n 's/^\.so[[:space:]]\+man[0-9]\/\(.*\)$/\1/p' "$f")
		[ -n "$t" ] && [ -f "$man/$t" ] || bad "${f#"$top"/}: .so to a missing page"
		continue
	fi
	npage=$((npage + 1))
	w=$( { groff -man -ww -z "$f"; man --warnings -l "$f" >/dev/null; } 2>&1)
	[ -z "$w" ] || bad "${f#"$top"/}: groff warnings:"$'\n'"$w"
	w=$(mandoc -T lint -W all "$f" 2>&1 || true)
	[ -z "$w" ] || bad "${f#"$top"/}: mandoc -T lint:"$'\n'"$w"
done

if [ "$fail" = 0 ]; then
	echo "check-man: ok ($nsym symbols documented, $npage pages without warnings)"
fi
exit "$fail"
