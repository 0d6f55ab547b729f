#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The module's layering and naming rules, from docs/design.md ("Where things
# live: the ladder"), checked against the sources and the built objects:
#  1. the ladder table lists every module/**/*.{c,h,S} once, and only files
#     that exist;
#  2. no upward edge: a file includes (#include "...") and an object calls
#     or references (nm: its undefined symbols, resolved to the object of
#     the module that defines them) only files of its own row or of rows
#     on a lower rung; rows on the same rung do not reach each other.  The
#     exceptions table lists the edges still to remove; one that no longer
#     occurs fails too (delete its row);
#  3. generic code (outside a vmx/ directory, KUnit included) includes no
#     VMX header: nothing from module/arch/x86/vmx/, no <asm/vmx*.h>;
#  4. every global symbol an object of the module defines starts with one
#     of its row's prefixes, and no global of zircon-hv.ko starts otherwise
#     (but the kernel's init_module, cleanup_module, __this_module, and the
#     globals TRACE_EVENT generates for an event named zxhv_*:
#     __tracepoint_, __traceiter_, __SCK__tp_func_, __SCT__tp_func_); no
#     global and no static function of zircon-hv.ko has the name of any
#     symbol of the stock kernel's kvm.ko or kvm-intel.ko.
# Objects come from ZXHV_LAYERING_BUILD (default build/stock, `make
# module-stock`); KVM's modules from scripts/kernel/stock.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${ZXHV_LAYERING_BUILD:-$top/build/stock}
[ -f "$build/zircon-hv.ko" ] || {
	echo "layering: $build/zircon-hv.ko missing: run make module-stock first" >&2
	exit 1
}
kvm_syms=$(mktemp)
trap 'rm -f "$kvm_syms"' EXIT
stock=$(scripts/kernel/stock.sh)
kvm_kos=$(find "$stock/lib/modules" \( -name 'kvm.ko*' -o -name 'kvm-intel.ko*' \) | sort)
[ "$(echo "$kvm_kos" | grep -c .)" = 2 ] || {
	echo "layering: kvm.ko and kvm-intel.ko not found under $stock" >&2
	exit 1
}
for ko in $kvm_kos; do
	case $ko in
	*.xz) xz -dc "$ko" >"$kvm_syms.tmp" ;;
	*) cp "$ko" "$kvm_syms.tmp" ;;
	esac
	nm "$kvm_syms.tmp" | awk 'NF == 3 { print $3 }' >>"$kvm_syms"
	rm -f "$kvm_syms.tmp"
done

# "D <object> <symbol>" for every global definition, "U <object> <symbol>"
# for every reference, of the objects whose source exists.
objsyms() {
	local src o
	for src in $(find module \( -name '*.c' -o -name '*.S' \) | sort); do
		o=$build/${src%.*}.o
		[ -f "$o" ] || { echo "layering: $o missing (stale build?)" >&2; exit 1; }
		nm "$o" | awk -v f="$src" '
			NF == 3 && $2 ~ /^[TDBRVW]$/ { print "D", f, $3 }
			NF == 2 && $1 == "U" { print "U", f, $2 }'
	done
}

objsyms >"$kvm_syms.objs"
# "G <symbol>" for the globals of zircon-hv.ko, "L <symbol>" for its static functions.
nm "$build/zircon-hv.ko" | awk 'NF == 3 && $2 ~ /^[TDBRVW]$/ { print "G", $3 }
	NF == 3 && $2 == "t" { print "L", $3 }' >"$kvm_syms.ko"
trap 'rm -f "$kvm_syms" "$kvm_syms.objs" "$kvm_syms.ko"' EXIT

python3 - docs/design.md "$kvm_syms.objs" "$kvm_syms.ko" "$kvm_syms" <<'EOF'
import os, re, sys

design, objs, ko, kvm = sys.argv[1:5]
text = open(design).read()
errors = []

def table(name):
    """Rows of the markdown table after the marker comment <!-- name -->."""
    m = re.search(r'<!-- %s -->\n((?:\|.*\n)+)' % re.escape(name), text)
    if not m:
        sys.exit('layering: docs/design.md has no <!-- %s --> table' % name)
    rows = []
    for line in m.group(1).splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        rows.append([re.findall(r'`([^`]+)`', c) or [c] for c in cells])
    return rows

# 1. the ladder: | rung | files | prefixes | what lives there |
row_of, rung_of, prefixes = {}, {}, {}
for i, (rung, files, pfx, _) in enumerate(table('ladder')):
    rung_of[i] = int(rung[0])
    prefixes[i] = pfx if pfx != ['-'] else []
    for f in files:
        if f in row_of:
            errors.append('%s is listed twice' % f)
        row_of[f] = i
sources = sorted(os.path.join(d, f) for d, _, fs in os.walk('module') for f in fs
                 if f.endswith(('.c', '.h', '.S')))
for f in sources:
    if f not in row_of:
        errors.append('%s is not in the ladder table' % f)
for f in row_of:
    if f not in sources:
        errors.append('%s is in the ladder table but does not exist' % f)

def allowed(a, b):
    ra, rb = row_of.get(a), row_of.get(b)
    return ra is None or rb is None or ra == rb or rung_of[rb] < rung_of[ra]

exceptions = {(r[0][0], r[1][0]): False for r in table('ladder-exceptions')}

def edge(a, b, how):
    if allowed(a, b):
        return
    key = (a, b)
    if key in exceptions:
        exceptions[key] = True
        return
    errors.append('upward edge: %s -> %s (%s; rung %d -> %d)' %
                  (a, b, how, rung_of[row_of[a]], rung_of[row_of[b]]))

# 2a. includes, resolved like the compiler (-I module, then the file's dir)
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for f in sources:
    for name in inc.findall(open(f).read()):
        for d in (os.path.dirname(f), 'module'):
            p = os.path.normpath(os.path.join(d, name))
            if os.path.exists(p):
                if p.startswith('module/'):
                    edge(f, p, 'includes')
                break

# 2b. calls and references between objects
defs, uses = {}, []
for line in open(objs):
    kind, f, sym = line.split()
    if kind == 'D':
        defs[sym] = f
    else:
        uses.append((f, sym))
for f, sym in uses:
    if sym in defs and defs[sym] != f:
        edge(f, defs[sym], 'uses ' + sym)
for (a, b), used in exceptions.items():
    if not used:
        errors.append('exception %s -> %s no longer occurs: delete its row' % (a, b))

# 3. generic code includes no VMX header
vmx_headers = {f for f in sources if '/vmx/' in f and f.endswith('.h')}
for d in ('module', 'kunit'):
    for dirpath, _, fs in os.walk(d):
        if '/vmx' in dirpath:
            continue
        for fn in fs:
            f = os.path.join(dirpath, fn)
            if not f.endswith(('.c', '.h')):
                continue
            src = open(f).read()
            if re.search(r'#\s*include\s*<asm/vmx[a-z_]*\.h>', src):
                errors.append('%s (generic) includes <asm/vmx*.h>' % f)
            for name in inc.findall(src):
                p = os.path.normpath(os.path.join(dirpath, name))
                q = os.path.normpath(os.path.join('module', name))
                if p in vmx_headers or q in vmx_headers:
                    errors.append('%s (generic) includes VMX header %s' % (f, name))

# 4. names
kernel_names = {'init_module', 'cleanup_module', '__this_module'}
# What TRACE_EVENT(zxhv_<event>, ...) defines: the event's name carries the prefix.
trace_globals = re.compile(r'^__(tracepoint|traceiter|SCK__tp_func|SCT__tp_func)_zxhv_')
for sym, f in sorted(defs.items()):
    pfx = prefixes.get(row_of.get(f), [])
    if not any(sym.startswith(p) for p in pfx):
        errors.append('%s defines %s: not one of its prefixes %s' % (f, sym, pfx))
kvm_names = set(open(kvm).read().split())
for line in open(ko):
    kind, sym = line.split()
    if kind == 'G' and not sym.startswith('zxhv_') and sym not in kernel_names and \
       not trace_globals.match(sym):
        errors.append('zircon-hv.ko defines %s: globals start with zxhv_' % sym)
    if sym in kvm_names and sym not in kernel_names:
        errors.append('zircon-hv.ko defines %s, a name kvm.ko/kvm-intel.ko use' % sym)

if errors:
    print('layering: %d problem(s):' % len(errors))
    for e in errors:
        print('  ' + e)
    sys.exit(1)
print('layering: ok (%d files on %d rungs, %d cross-object symbols)' %
      (len(sources), len(set(rung_of.values())), len(uses)))
EOF
