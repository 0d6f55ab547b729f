#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The table of `make bench`.

  bench-table.py RAW [--bells RAW2] [--json OUT] [--suites-only]
                                      RAW: the output of tools/bench/bench-vm.sh
                                      RAW2: its doorbell ops on a multi-CPU machine
  bench-table.py --compare A.json B.json [--tolerance PCT]

The first form prints one row per op (zircon-hv, KVM, ratio, target) as a
Markdown table, then the boot table (zxhv-vmm on zircon-hv against QEMU
microvm on KVM: boot-to-init and boot-to-poweroff, vmlinux and bzImage, 1
and 2 CPUs; medians of the repetitions), and writes the same figures as
JSON; it fails if either suite is missing an op, a boot kind is missing or
any boot failed (no init line, or a non-zero exit).  --suites-only: a run
without the boots (ZXHV_BENCH_ONLY=suites, and the mitigations=off profile),
no boot table.  --bells: the doorbell ops (c) and (h) again from a run with
ZXHV_BENCH_ONLY=bells on a machine of several CPUs, as rows of their own
(ops c_bell_smp, h_bell4_smp; both suites must have them).  The second form checks that two runs agree: every op's
figure (the median; for the doorbells (c) and (h) the mean over the blocks,
from the `mean` lines) within PCT percent (default 2), else exit status 1.
"""
import argparse
import json
import sys

# op, what it measures, unit, target on the zircon-hv/KVM ratio of ticks
# (issue 17's targets, the same in both profiles; docs/benchmarks.md).
OPS = [
    ("a_mem_trap", "(a) MEM trap round trip", "ticks/exit", 0.5),
    ("b_io_trap", "(b) IO trap round trip", "ticks/exit", 0.5),
    ("i_io_in", "(i) IO read round trip, answer included", "ticks/exit", 0.5),
    # (c) targets 1.5x KVM's write rate, i.e. 1/1.5 of its ticks per write.
    ("c_bell", "(c) BELL doorbell write", "ticks/write", 1 / 1.5),
    ("h_bell4", "(h) BELL write, 4 queues, 4 waiters", "ticks/write", 1 / 1.5),
    ("d_cpuid", "(d) CPUID exit in the kernel", "ticks/exit", 0.8),
    ("e_hlt_wake", "(e) HLT wake latency", "ticks", 0.8),
    ("f_setup", "(f) setup: guest+VCPU+16 MiB+first exit", "ticks", 0.5),
    ("g_touch", "(g) first touch of the touch region", "ticks", 0.8),
    ("j_touch1g", "(j) first touch of 1 GiB in 1 GiB pages", "ticks", 0.8),
]
# The doorbell ops measured again on a multi-CPU machine (--bells).
BELL_OPS = [o for o in OPS if o[0] in ("c_bell", "h_bell4")]
SUITES = {"zircon-hv": "zxhv", "kvm": "kvm"}
# The boot kinds (path, CPUs), and the target on zxhv-vmm / QEMU for
# boot-to-init (None: reported only).
BOOTS = [("elf", 1), ("elf", 2), ("bzimage", 1), ("bzimage", 2)]
BOOT_TARGET = {"elf": 0.8, "bzimage": None}
PATH_NAME = {"elf": "vmlinux ELF", "bzimage": "bzImage"}


def parse(path):
    runs = {"zxhv": {}, "kvm": {}, "boot": {}}
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
            elif w[0] == "mean" and suite and len(w) == 3 and w[1] in runs[suite]:
                runs[suite][w[1]]["mean"] = int(w[2])
            elif w[0] in ("ept", "eptj") and suite:
                runs[suite][w[0]] = None if w[1:] == ["n/a"] else \
                    dict(zip(("4k", "2m", "1g"), map(int, w[1:4])))
            elif line.startswith("# touch:") and suite:
                runs[suite]["touch_mib"] = int(w[2])
            elif w[0] == "done" and len(w) > 1:
                done.add(w[1])
            elif w[0] == "bootinfo" and len(w) > 1:
                info["boot_" + w[1]] = " ".join(w[2:])
            elif w[0] == "boot" and len(w) == 9 and w[1] in ("zxhv", "qemu"):
                key = (w[1], w[2], int(w[3]))
                runs["boot"].setdefault(key, []).append(
                    {"init_ns": int(w[4]), "exit_ns": int(w[5]), "init_ticks": int(w[6]),
                     "exit_ticks": int(w[7]), "status": int(w[8]), "stall_ns": 0})
            elif w[0] == "bootstall" and len(w) == 5:
                # boot-bench.sh prints it right after its boot's line.
                b = runs["boot"].get((w[1], w[2], int(w[3])))
                if b:
                    b[-1]["stall_ns"] = int(w[4])
    return runs, info, done


def fmt_ept(e):
    if e is None:
        return "n/a"
    return "%d/%d/%d" % (e["4k"], e["2m"], e["1g"])


def figure(r):
    """An op's figure: the mean where the tool gives one (the doorbells), else the median."""
    return r.get("mean", r["median"])


def op_rows(runs, bells, bell_info):
    """(key, label, unit, target, zircon-hv's result, KVM's) of every row, in order."""
    for op, what, unit, target in OPS:
        yield op, what, unit, target, runs["zxhv"][op], runs["kvm"][op]
        if bells and op == "h_bell4":
            for bop, bwhat, bunit, btarget in BELL_OPS:
                yield (bop + "_smp", "%s, %s CPUs" % (bwhat, bell_info.get("cpus", "?")),
                       bunit, btarget, bells["zxhv"][bop], bells["kvm"][bop])


def table(runs, info, bells=None, bell_info=None):
    rows = []
    out = ["| op | unit | zircon-hv | KVM | ratio | target | met |",
           "|---|---|---:|---:|---:|---:|---|"]
    for op, what, unit, target, zr, kr in op_rows(runs, bells, bell_info or {}):
        z = figure(zr)
        k = figure(kr)
        ratio = z / k if k else float("inf")
        met = ratio <= target
        if op == "g_touch":
            # Also needs 2 MiB pages in use.
            e = runs["zxhv"].get("ept")
            met = met and e is not None and e["2m"] > 0
            what = "%s (%d MiB)" % (what, runs["zxhv"].get("touch_mib", 0))
        if op == "j_touch1g":
            # Also needs the 1 GiB leaf in place.
            e = runs["zxhv"].get("eptj")
            met = met and e is not None and e["1g"] > 0
        rows.append({"op": op, "what": what, "unit": unit, "zircon_hv": zr,
                     "kvm": kr, "ratio": round(ratio, 4),
                     "target_ratio": round(target, 4), "met": met})
        out.append("| %s | %s | %d | %d | %.3f | <= %.3f | %s |" %
                   (what, unit, z, k, ratio, target, "yes" if met else "**no**"))
    out.append("")
    out.append("EPT leaves after (g), 4k/2m/1g: zircon-hv %s, KVM %s; after (j): "
               "zircon-hv %s, KVM %s" %
               (fmt_ept(runs["zxhv"].get("ept")), fmt_ept(runs["kvm"].get("ept")),
                fmt_ept(runs["zxhv"].get("eptj")), fmt_ept(runs["kvm"].get("eptj"))))
    out.append("Medians ((c), (h): means over the blocks); ratio = zircon-hv / KVM in ticks "
               "((c), (h): KVM's rate / zircon-hv's). "
               "Under Bochs the TSC counts emulated instructions: these are path lengths, "
               "not times.")
    if info:
        out.append("Kernel %s; CPU %s; arguments '%s'." %
                   (info.get("kernel", "?"), info.get("cpu", "?"), info.get("args", "")))
    if bells:
        out.append("The rows with CPUs: the doorbell ops again in a boot of %s CPUs "
                   "(kernel arguments '%s')." % (bell_info.get("cpus", "?"),
                                                 bell_info.get("kargs", "")))
    return "\n".join(out), rows


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def boot_problems(boots):
    """What makes the boot table incomplete: missing kinds, failed boots."""
    bad = []
    for vmm in ("zxhv", "qemu"):
        for path, cpus in BOOTS:
            samples = boots.get((vmm, path, cpus))
            if not samples:
                bad.append("no %s %s %d-CPU boot" % (vmm, path, cpus))
                continue
            for i, b in enumerate(samples):
                if b["init_ns"] < 0 or b["status"] != 0:
                    bad.append("%s %s %d-CPU boot %d failed (init %d, exit status %d)" %
                               (vmm, path, cpus, i + 1, b["init_ns"], b["status"]))
    return bad


def boot_table(boots, info):
    out = ["| boot | CPUs | zxhv-vmm ms | QEMU ms | ratio | QEMU ms without the RTC stall "
           "| ratio | zxhv-vmm Mticks | QEMU Mticks | ratio | target | met |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    rows = []
    for what in ("init", "exit"):
        for path, cpus in BOOTS:
            z = boots[("zxhv", path, cpus)]
            q = boots[("qemu", path, cpus)]
            def med(f):     # (zxhv-vmm, QEMU) medians of f(boot), in millions
                return (median([f(b) for b in x]) / 1e6 for x in (z, q))
            zm, qm = med(lambda b: b[what + "_ns"])
            zs, qs = med(lambda b: b[what + "_ns"] - b["stall_ns"])
            zt, qt = med(lambda b: b[what + "_ticks"])
            target = BOOT_TARGET[path] if what == "init" else None
            ratio_ms = zm / qm if qm else float("inf")
            ratio_s = zs / qs if qs else float("inf")
            ratio_t = zt / qt if qt else float("inf")
            # Like for like: on a real host QEMU's RTC answers (no stall).
            met = None if target is None else ratio_s <= target
            label = "%s, %s" % ("boot-to-init" if what == "init" else "boot-to-poweroff",
                                PATH_NAME[path])
            rows.append({"boot": what, "path": path, "cpus": cpus, "zxhv_ms": round(zm, 3),
                         "qemu_ms": round(qm, 3), "ratio": round(ratio_ms, 4),
                         "zxhv_ms_nostall": round(zs, 3), "qemu_ms_nostall": round(qs, 3),
                         "ratio_nostall": round(ratio_s, 4),
                         "zxhv_mticks": round(zt, 3), "qemu_mticks": round(qt, 3),
                         "ratio_ticks": round(ratio_t, 4), "target_ratio": target, "met": met,
                         "samples": [len(z), len(q)]})
            out.append("| %s | %d | %.1f | %.1f | %.3f | %.1f | %.3f | %.1f | %.1f | %.3f "
                       "| %s | %s |" %
                       (label, cpus, zm, qm, ratio_ms, qs, ratio_s, zt, qt, ratio_t,
                        "-" if target is None else "<= %.3f" % target,
                        "-" if met is None else ("yes" if met else "**no**")))
    n = {p: "/".join(str(x) for x in sorted({len(v) for k, v in boots.items() if k[1] == p}))
         for p, _ in BOOTS}
    out.append("")
    out.append("Medians of %s boots per vmlinux kind and %s per bzImage kind; ms: the emulated "
               "machine's CLOCK_MONOTONIC from the VMM's start to the first byte of the init's "
               "line (init) and to its exit (poweroff); Mticks: the same spans in millions of "
               "TSC ticks; ratio = zxhv-vmm / QEMU.  Without the RTC stall: less the guest's "
               "own wait for a CMOS RTC that does not answer (QEMU's microvm inside Bochs; "
               "zxhv-vmm's answers), by the guest's timestamps; the target is judged on "
               "that column." % (n["elf"], n["bzimage"]))
    out.append("Guest command line '%s', memory %s; QEMU -M %s." %
               (info.get("boot_cmdline", "?"), info.get("boot_memory", "?"),
                info.get("boot_qemu", "machine microvm").split(" ", 1)[-1]))
    return "\n".join(out), rows


def compare(a_path, b_path, tol):
    a = {r["op"]: r for r in json.load(open(a_path))["rows"]}
    b = {r["op"]: r for r in json.load(open(b_path))["rows"]}
    worst = 0.0
    bad = []
    # An op one run lacks (added or dropped between them) is named, not compared.
    for op in sorted(set(a) ^ set(b)):
        print("%-12s only in %s: not compared" % (op, a_path if op in a else b_path))
    for op in [op for op in a if op in b]:
        for side in ("zircon_hv", "kvm"):
            x, y = figure(a[op][side]), figure(b[op][side])
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


def incomplete(runs, done, ops, where):
    """What a run lacks: each op either tool did not print, each tool that did not finish."""
    missing = ["%s %s%s" % (s, op, where) for s in ("zxhv", "kvm") for op, _, _, _ in ops
               if op not in runs[s]]
    missing += ["%s did not finish%s" % (tool, where) for tool in ("zxhv-bench", "kvm-bench")
                if tool not in done]
    return missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw", nargs="?")
    ap.add_argument("--json")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--tolerance", type=float, default=2.0)
    ap.add_argument("--suites-only", action="store_true")
    ap.add_argument("--bells")
    a = ap.parse_args()
    if a.compare:
        return compare(a.compare[0], a.compare[1], a.tolerance)
    if not a.raw:
        ap.error("RAW or --compare")
    runs, info, done = parse(a.raw)
    missing = incomplete(runs, done, OPS, "")
    if not a.suites_only:
        missing += boot_problems(runs["boot"])
    bells = bell_info = None
    if a.bells:
        bells, bell_info, bdone = parse(a.bells)
        missing += incomplete(bells, bdone, BELL_OPS,
                              " on %s CPUs" % bell_info.get("cpus", "?"))
    if missing:
        print("bench-table: incomplete run: %s" % ", ".join(missing), file=sys.stderr)
        return 1
    text, rows = table(runs, info, bells, bell_info)
    print(text)
    brows = []
    if not a.suites_only:
        btext, brows = boot_table(runs["boot"], info)
        print()
        print(btext)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "rows": rows, "boots": brows,
                       "ept": {"zircon_hv": runs["zxhv"].get("ept"),
                               "kvm": runs["kvm"].get("ept")},
                       "ept_j": {"zircon_hv": runs["zxhv"].get("eptj"),
                                 "kvm": runs["kvm"].get("eptj")}}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
