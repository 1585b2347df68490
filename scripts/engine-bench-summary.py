#!/usr/bin/env python3
"""Per-run ratios and medians for scripts/engine-bench.sh output (JMH JSON files in the given directory)."""
import glob
import json
import os
import re
import statistics
import sys

out = sys.argv[1]
def load(f):
    try:
        return json.load(open(f))
    except ValueError:
        return []  # a run still in progress (JMH writes its JSON at the end)


runs = {}  # (threads, round) -> {pool: (score, alloc B/op)}
for f in sorted(glob.glob(os.path.join(out, "cycle-t*-r*.json"))):
    t, r = map(int, re.search(r"cycle-t(\d+)-r(\d+)", f).groups())
    res = {}
    for b in load(f):
        alloc = b["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score")
        res[b["params"]["pool"]] = (b["primaryMetric"]["score"], alloc)
    if res:
        runs[(t, r)] = res

pairs = [("pooled", "hikari", 0.8), ("pooled-prometheus", "hikari-prometheus", 1.0),
         ("pooled-driver", "driver-floor", 0.9)]
print("ops/ms per pool and run; ratio = pool / baseline in the same JMH invocation")
for t in sorted({k[0] for k in runs}):
    print(f"\n## {t} thread(s)")
    rounds = sorted(r for (tt, r) in runs if tt == t)
    for pool, base, target in pairs:
        ratios = []
        cells = []
        for r in rounds:
            res = runs[(t, r)]
            if pool in res and base in res:
                q = res[pool][0] / res[base][0]
                ratios.append(q)
                cells.append(f"{res[pool][0]:.0f}/{res[base][0]:.0f}={q:.2f}")
        if ratios:
            med = statistics.median(ratios)
            print(f"{pool:>18} vs {base:<18} runs: {'; '.join(cells)}  median {med:.2f} (target >= {target})")
    allocs = {p: [runs[(t, r)][p][1] for r in rounds if p in runs[(t, r)]] for p in runs[(t, rounds[0])]}
    print("   alloc B/op (median): " + ", ".join(f"{p} {statistics.median(a):.0f}" for p, a in allocs.items() if a))

cpu = {}  # (threads, round) -> {pool: ns cpu per op}
cpu_file = os.path.join(out, "cpu.txt")
if os.path.exists(cpu_file):
    for line in open(cpu_file):
        m = re.match(r"CPU round=(\d+) (\S+) threads=(\d+) ns_cpu_per_op=([\d.]+)", line)
        if m:
            r, pool, t, ns = int(m.group(1)), m.group(2), int(m.group(3)), float(m.group(4))
            cpu.setdefault((t, r), {})[pool] = ns
if cpu:
    print("\nCPU ns per op (dev.pooled.benchmarks.CpuCost); ratio = baseline ns / pool ns (as a throughput ratio)")
    for t in sorted({k[0] for k in cpu}):
        print(f"\n## {t} thread(s), CPU time")
        rounds = sorted(r for (tt, r) in cpu if tt == t)
        for pool, base, target in pairs:
            ratios, cells = [], []
            for r in rounds:
                res = cpu[(t, r)]
                if pool in res and base in res:
                    q = res[base] / res[pool]
                    ratios.append(q)
                    cells.append(f"{res[pool]:.0f}/{res[base]:.0f} ns={q:.2f}")
            if ratios:
                print(f"{pool:>18} vs {base:<18} runs: {'; '.join(cells)}  median {statistics.median(ratios):.2f}"
                      f" (target >= {target})")

rej = {}
for f in sorted(glob.glob(os.path.join(out, "reject-r*.json"))):
    for b in load(f):
        p50 = b["primaryMetric"]["scorePercentiles"]["50.0"]
        rej.setdefault(b["params"]["reason"], []).append(p50)
if rej:
    print("\n## rejections, p50 us per rejected call (per run; median; target <= 5)")
    for reason, v in rej.items():
        print(f"{reason:>14}: {', '.join(f'{x:.2f}' for x in v)}  median {statistics.median(v):.2f}")
