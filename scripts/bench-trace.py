#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Where the ticks go (docs/benchmarks.md, "Breakdown"): reads the
# "== trace NAME" sections that tools/bench/trace-vm.sh prints ("TID TICKS
# EVENT REST" lines, TICKS from trace_clock x86-tsc) and prints, for
# zircon-hv and KVM side by side, the median (and mean) ticks between
# consecutive events of one IO round trip, one CPUID exit and one
# doorbell write on the VCPU thread, and what the doorbell's other thread
# did per write.  Every figure includes the cost of the events
# themselves (one tracepoint write each); docs/benchmarks.md says how
# that was measured.
import argparse
import statistics
import sys
from collections import defaultdict

IOCTL_ENTER, IOCTL_EXIT = "sys_enter", "sys_exit"
# Per hypervisor: its events, and the exit reasons of the three ops as
# its exit event prints them.
HV = {
    "zxhv": dict(entry="zxhv_entry", exit="zxhv_exit", io_exit="30", cpuid_exit="10",
                 bell_exit="48", bell_ev="zxhv_trap", io_ev="zxhv_trap"),
    "kvm": dict(entry="kvm_entry", exit="kvm_exit", io_exit="IO_INSTRUCTION",
                cpuid_exit="CPUID", bell_exit="EPT_MISCONFIG", bell_ev="kvm_fast_mmio",
                io_ev="kvm_pio"),
}


def parse(path):
    sections, cur = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("== trace "):
                cur = sections.setdefault(line.split()[2], [])
                continue
            w = line.split()
            if cur is None or len(w) < 3 or not w[0].isdigit() or not w[1].isdigit():
                continue
            cur.append((int(w[0]), int(w[1]), w[2], w[3:]))
    return sections


def reason(ev):
    r = ev[3]
    return r[r.index("reason") + 1] if "reason" in r else None


class Seg:
    """Samples of named segments, in the order first seen."""

    def __init__(self):
        self.d = defaultdict(list)

    def add(self, name, ticks):
        self.d[name].append(ticks)


def analyse(evs, hv):
    h = HV[hv]
    vcpu = next(e[0] for e in evs if e[2] == h["entry"])
    mine = [e for e in evs if e[0] == vcpu]
    core = [e for e in mine if not e[2].startswith("sched_")]
    io, cpuid, bell = Seg(), Seg(), Seg()
    extra = defaultdict(int)
    # IO round trips: an ioctl with exactly one entry and one IO exit.
    i = 0
    while i < len(core):
        if core[i][2] != IOCTL_ENTER:
            i += 1
            continue
        j = i + 1
        while j < len(core) and core[j][2] != IOCTL_EXIT:
            j += 1
        w = core[i:j + 1]
        names = [e[2] for e in w]
        if (j < len(core) and names.count(h["entry"]) == 1 and names.count(h["exit"]) == 1
                and reason(w[names.index(h["exit"])]) == h["io_exit"]):
            for a, b in zip(w, w[1:]):
                io.add(f"{a[2]} -> {b[2]}", b[1] - a[1])
            io.add("total: ioctl in -> ioctl out", w[-1][1] - w[0][1])
            if j + 1 < len(core) and core[j + 1][2] == IOCTL_ENTER:
                io.add("user: ioctl out -> next ioctl in", core[j + 1][1] - w[-1][1])
        i = j + 1
    # CPUID and doorbell exits in steady state: entry, exit, [event], entry.
    for k in range(1, len(core) - 2):
        p, a, b = core[k - 1], core[k], core[k + 1]
        if a[2] != h["entry"] or b[2] != h["exit"] or p[2] == IOCTL_ENTER:
            continue
        r = reason(b)
        if r == h["cpuid_exit"] and core[k + 2][2] == h["entry"]:
            if reason(p) != h["cpuid_exit"]:
                continue
            cpuid.add("entry -> exit", b[1] - a[1])
            cpuid.add("exit -> next entry", core[k + 2][1] - b[1])
            cpuid.add("total", core[k + 2][1] - a[1])
        elif (r == h["bell_exit"] and k + 3 < len(core) and core[k + 2][2] == h["bell_ev"]
              and core[k + 3][2] == h["entry"]):
            t0, t3 = a[1], core[k + 3][1]
            bell.add("entry -> exit", b[1] - a[1])
            bell.add(f"exit -> {h['bell_ev']}", core[k + 2][1] - b[1])
            bell.add(f"{h['bell_ev']} -> next entry", t3 - core[k + 2][1])
            bell.add("total", t3 - t0)
            extra["bell writes"] += 1
            # What else ran on the CPU between this write's exit and the next entry.
            between = [e for e in evs if b[1] < e[1] < t3]
            extra["VCPU thread switched out"] += sum(
                1 for e in between if e[2] == "sched_switch" and e[0] == vcpu)
            extra["wake-ups by the VCPU thread"] += sum(
                1 for e in between if e[2] == "sched_wakeup" and e[0] == vcpu)
    # The doorbell's other thread: its system calls that returned without sleeping.
    other = [e for e in evs if e[0] != vcpu and not e[2].startswith("sched_")]
    drain = []
    for a, b in zip(other, other[1:]):
        if a[0] == b[0] and a[2] == IOCTL_ENTER and b[2] == IOCTL_EXIT:
            slept = any(e[2] == "sched_switch" and e[0] == a[0] and a[1] < e[1] < b[1]
                        for e in evs)
            if not slept:
                drain.append(b[1] - a[1])
    calls = sum(1 for e in other if e[2] == IOCTL_ENTER)
    return dict(io=io, cpuid=cpuid, bell=bell, extra=extra, drain=drain, calls=calls)


def fmt(v):
    if not v:
        return "-"
    return f"{statistics.median(v):.0f} ({statistics.mean(v):.0f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("raw")
    a = ap.parse_args()
    secs = parse(a.raw)
    res = {hv: analyse(secs[hv], hv) for hv in HV if hv in secs}
    if len(res) != 2:
        sys.exit("bench-trace: want the sections 'zxhv' and 'kvm'")
    print("Ticks between consecutive events on the VCPU thread: median (mean) of the samples.")
    for op in ("io", "cpuid", "bell"):
        print(f"\n### {op}\n")
        print("| segment (zircon-hv) | zircon-hv | segment (KVM) | KVM |")
        print("|---|---:|---|---:|")
        zd, kd = res["zxhv"][op].d, res["kvm"][op].d
        summary = [n for n in list(zd) + list(kd) if n.startswith(("total", "user"))]
        za = [(n, v) for n, v in zd.items() if n not in summary]
        ka = [(n, v) for n, v in kd.items() if n not in summary]
        for n in range(max(len(za), len(ka))):
            zn, zv = za[n] if n < len(za) else ("", [])
            kn, kv = ka[n] if n < len(ka) else ("", [])
            print(f"| {zn} | {fmt(zv)} | {kn} | {fmt(kv)} |")
        for n in dict.fromkeys(summary):
            print(f"| **{n}** | {fmt(zd.get(n))} | | {fmt(kd.get(n))} |")
        print(f"\nsamples: zircon-hv {max((len(v) for v in res['zxhv'][op].d.values()), default=0)}, "
              f"KVM {max((len(v) for v in res['kvm'][op].d.values()), default=0)}")
    for hv in HV:
        r = res[hv]
        print(f"\n{hv}: " + ", ".join(f"{k} {v}" for k, v in r["extra"].items()) +
              f"; other threads' system calls {r['calls']}, of them returned without "
              f"sleeping {len(r['drain'])}: {fmt(r['drain'])} ticks")


if __name__ == "__main__":
    main()
