#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The table of `make bench`.

  bench-table.py RAW [--json OUT]     RAW: the output of tools/bench/bench-vm.sh
  bench-table.py --compare A.json B.json [--tolerance PCT]

The first form prints one row per op (zircon-hv, KVM, ratio, target) as a
Markdown table and writes the same figures as JSON; it fails if either suite
is missing an op.  The second checks that two runs agree: every median within
PCT percent (default 2), else exit status 1.
"""
import argparse
import json
import sys

# op, what it measures, unit, target on the zircon-hv/KVM ratio of ticks.
OPS = [
    ("a_mem_trap", "(a) MEM trap round trip", "ticks/exit", 0.35),
    ("b_io_trap", "(b) IO trap round trip", "ticks/exit", 0.35),
    # (c) targets 1.5x KVM's write rate, i.e. 1/1.5 of its ticks per write.
    ("c_bell", "(c) BELL doorbell write", "ticks/write", 1 / 1.5),
    ("d_cpuid", "(d) CPUID exit in the kernel", "ticks/exit", 0.8),
    ("e_hlt_wake", "(e) HLT wake latency", "ticks", 0.8),
    ("f_setup", "(f) setup: guest+VCPU+16 MiB+first exit", "ticks", 0.1),
    ("g_touch", "(g) first touch of the touch region", "ticks", 1.0),
]
SUITES = {"zircon-hv": "zxhv", "kvm": "kvm"}


def parse(path):
    runs = {"zxhv": {}, "kvm": {}}
    info = {}
    suite = None
    done = set()
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "==" and len(w) > 1:
                suite = SUITES.get(w[1])
            elif w[0] == "info" and len(w) > 1:
                info[w[1]] = " ".join(w[2:])
            elif w[0] == "result" and suite and len(w) == 6:
                runs[suite][w[1]] = {"median": int(w[2]), "min": int(w[3]),
                                     "max": int(w[4]), "samples": int(w[5])}
            elif w[0] == "ept" and suite:
                runs[suite]["ept"] = None if w[1:] == ["n/a"] else \
                    dict(zip(("4k", "2m", "1g"), map(int, w[1:4])))
            elif line.startswith("# touch:") and suite:
                runs[suite]["touch_mib"] = int(w[2])
            elif w[0] == "done" and len(w) > 1:
                done.add(w[1])
    return runs, info, done


def fmt_ept(e):
    if e is None:
        return "n/a"
    return "%d/%d/%d" % (e["4k"], e["2m"], e["1g"])


def table(runs, info):
    rows = []
    out = ["| op | unit | zircon-hv | KVM | ratio | target | met |",
           "|---|---|---:|---:|---:|---:|---|"]
    for op, what, unit, target in OPS:
        z = runs["zxhv"][op]["median"]
        k = runs["kvm"][op]["median"]
        ratio = z / k if k else float("inf")
        met = ratio <= target
        if op == "g_touch":
            # Also needs 2 MiB pages in use.
            e = runs["zxhv"].get("ept")
            met = met and e is not None and e["2m"] > 0
            what = "%s (%d MiB)" % (what, runs["zxhv"].get("touch_mib", 0))
        rows.append({"op": op, "what": what, "unit": unit, "zircon_hv": runs["zxhv"][op],
                     "kvm": runs["kvm"][op], "ratio": round(ratio, 4),
                     "target_ratio": round(target, 4), "met": met})
        out.append("| %s | %s | %d | %d | %.3f | <= %.3f | %s |" %
                   (what, unit, z, k, ratio, target, "yes" if met else "**no**"))
    out.append("")
    out.append("EPT leaves after (g), 4k/2m/1g: zircon-hv %s, KVM %s" %
               (fmt_ept(runs["zxhv"].get("ept")), fmt_ept(runs["kvm"].get("ept"))))
    out.append("Medians; ratio = zircon-hv / KVM in ticks ((c): KVM's rate / zircon-hv's). "
               "Under Bochs the TSC counts emulated instructions: these are path lengths, "
               "not times.")
    if info:
        out.append("Kernel %s; CPU %s; arguments '%s'." %
                   (info.get("kernel", "?"), info.get("cpu", "?"), info.get("args", "")))
    return "\n".join(out), rows


def compare(a_path, b_path, tol):
    a = {r["op"]: r for r in json.load(open(a_path))["rows"]}
    b = {r["op"]: r for r in json.load(open(b_path))["rows"]}
    worst = 0.0
    bad = []
    for op in a:
        for side in ("zircon_hv", "kvm"):
            x, y = a[op][side]["median"], b[op][side]["median"]
            d = abs(x - y) / max(x, y, 1) * 100
            worst = max(worst, d)
            print("%-12s %-9s %12d %12d %6.2f%%" % (op, side, x, y, d))
            if d > tol:
                bad.append("%s %s" % (op, side))
    print("largest difference %.2f%% (tolerance %.1f%%)" % (worst, tol))
    if bad:
        print("differ by more than %.1f%%: %s" % (tol, ", ".join(bad)))
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw", nargs="?")
    ap.add_argument("--json")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--tolerance", type=float, default=2.0)
    a = ap.parse_args()
    if a.compare:
        return compare(a.compare[0], a.compare[1], a.tolerance)
    if not a.raw:
        ap.error("RAW or --compare")
    runs, info, done = parse(a.raw)
    missing = ["%s %s" % (s, op) for s in ("zxhv", "kvm") for op, _, _, _ in OPS
               if op not in runs[s]]
    for tool in ("zxhv-bench", "kvm-bench"):
        if tool not in done:
            missing.append("%s did not finish" % tool)
    if missing:
        print("bench-table: incomplete run: %s" % ", ".join(missing), file=sys.stderr)
        return 1
    text, rows = table(runs, info)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "rows": rows,
                       "ept": {"zircon_hv": runs["zxhv"].get("ept"),
                               "kvm": runs["kvm"].get("ept")}}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
