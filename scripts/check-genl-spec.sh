#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The netlink spec docs/netlink/zircon-hv.yaml against uapi/zircon-hv-genl.h:
# the attribute sets zxhv, trap and exit and the operations list the
# enums' entries (prefix dropped, lower case, '_' -> '-') in the same order,
# so each spec name has the value the module uses; the enum definitions
# (vcpu-state, event) match theirs; the family, version-free, and its
# multicast group have the header's names.  Prints each mismatch; exit 1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Debian's python3 (python3-yaml, scripts/install-deps.sh).
/usr/bin/python3 - "$top/docs/netlink/zircon-hv.yaml" "$top/uapi/zircon-hv-genl.h" <<'PY'
import re, sys
import yaml

spec = yaml.safe_load(open(sys.argv[1]))
hdr = open(sys.argv[2]).read()
errors = []

def enum(name, prefix):
    m = re.search(r'enum %s \{(.*?)\};' % name, hdr, re.S)
    if not m:
        sys.exit('genl-spec: no enum %s in the header' % name)
    names = re.findall(r'^\s*(ZXHV_\w+)', m.group(1), re.M)
    return [n[len(prefix):].lower().replace('_', '-') for n in names if not n.startswith('__')]

def check(what, got, want):
    if got != want:
        errors.append('%s: spec %s, header %s' % (what, got, want))

sets = {s['name']: s for s in spec['attribute-sets']}
for name, cenum, prefix in (('zxhv', 'zxhv_genl_attr', 'ZXHV_A_'),
                            ('trap', 'zxhv_genl_trap_attr', 'ZXHV_TRAP_A_'),
                            ('exit', 'zxhv_genl_exit_attr', 'ZXHV_EXIT_A_')):
    check('attribute-set ' + name, [a['name'] for a in sets[name]['attributes']],
          enum(cenum, prefix))
check('operations', [o['name'] for o in spec['operations']['list']],
      enum('zxhv_genl_cmd', 'ZXHV_CMD_'))
defs = {d['name']: d for d in spec['definitions']}
check('enum vcpu-state', defs['vcpu-state']['entries'],
      enum('zxhv_genl_vcpu_state', 'ZXHV_VCPU_STATE_'))
check('enum event', defs['event']['entries'], enum('zxhv_genl_event', 'ZXHV_EVENT_'))
m = re.search(r'#define ZXHV_GENL_NAME\s+"([^"]+)"', hdr)
check('family name', spec['name'], m.group(1) if m else None)
m = re.search(r'#define ZXHV_GENL_MCGRP_EVENTS\s+"([^"]+)"', hdr)
check('mcast group', [g['name'] for g in spec['mcast-groups']['list']], [m.group(1) if m else None])
for e in errors:
    print('genl-spec:', e, file=sys.stderr)
if errors:
    sys.exit(1)
print('genl-spec: ok (%d attributes, %d operations)' % (len(sets['zxhv']['attributes']),
                                                     len(spec['operations']['list'])))
PY
