#!/usr/bin/env python3
"""Heap snapshot cost, Sable against node in one run.

Runs bench/heap_snapshot_map.js (a Map of N objects `{id, name: 'item-' + i,
tags: [i & 7, i & 15]}` keyed `'k' + i`, then one `v8.writeHeapSnapshot`) in
each engine, several processes each, and reports per engine (best run):

- RSS before: the resident set once the map is built (sampled from /proc);
- peak while writing: the highest RSS sampled between BUILT and DONE, and
  the kernel's high-water mark (VmHWM) at the end;
- the ratio peak / before;
- snapshot size, the time writeHeapSnapshot blocked the isolate (the pause;
  both engines collect garbage first and write synchronously) and the
  throughput in MB/s;
- Sable's ratios to node;
- with --fork, Sable once more in fork mode (`writeHeapSnapshot(file,
  { fork: true })`, Linux): the pause (garbage collection, ids, fork), the
  child's time to finish the file and its private memory (the pages it
  copied), while the script keeps running.

Usage: bench/heap_snapshot.py [--n N] [--runs R] [--fork] [--sable PATH] [--node PATH]
Build first: cargo build --release. Needs python3 and node (skipped with a
message if absent). Snapshots go to a temporary directory and are deleted.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "heap_snapshot_map.js")


def rss_kib(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def private_kib(pid):
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Clean:") or line.startswith("Private_Dirty:"):
                    total += int(line.split()[1])
    except OSError:
        return None
    return total


def run_fork(cmd, workdir):
    """Fork mode: DONE comes right after the fork; the child writes the file."""
    proc = subprocess.Popen(cmd + ["fork"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = None
    for line in proc.stdout:
        line = line.strip()
        if line == "BUILT":
            time.sleep(0.2)
            before = rss_kib(proc.pid)
        elif line.startswith("DONE"):
            pause_ms = float(line.split()[1])
            break
    start = time.monotonic()
    path = os.path.join(workdir, "out.heapsnapshot")
    child_peak = parent_peak = 0
    kids = []
    while True:
        kids = kids or children(proc.pid)
        for k in kids:
            child_peak = max(child_peak, private_kib(k) or 0)
        parent_peak = max(parent_peak, rss_kib(proc.pid) or 0)
        try:
            with open(path, "rb") as f:
                f.seek(-2, os.SEEK_END)
                if f.read() == b"]}" and not any(os.path.exists(f"/proc/{k}/status") and "zombie" not in open(f"/proc/{k}/status").read() for k in kids):
                    break
        except OSError:
            pass
        if time.monotonic() - start > 600:
            raise RuntimeError("the forked child did not finish")
        time.sleep(0.01)
    child_s = time.monotonic() - start
    proc.kill()
    proc.wait()
    size = os.path.getsize(path)
    return {"pause_ms": pause_ms, "child_s": child_s, "size_mb": size / 1e6, "before_mb": before / 1024,
            "parent_peak_mb": parent_peak / 1024, "child_private_mb": child_peak / 1024}


def run_once(cmd, workdir):
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []  # (time, rss KiB)
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            r = rss_kib(proc.pid)
            if r is not None:
                samples.append((time.monotonic(), r))
            time.sleep(0.002)

    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    built_at = done_at = None
    hwm = None
    pause_ms = None
    for line in proc.stdout:
        line = line.strip()
        if line == "BUILT":
            built_at = time.monotonic()
        elif line.startswith("DONE"):
            done_at = time.monotonic()
            pause_ms = float(line.split()[1])
            hwm = rss_kib(proc.pid, "VmHWM")
    proc.wait()
    stop.set()
    t.join()
    if proc.returncode != 0 or built_at is None or done_at is None:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.read()[-2000:]}")
    # RSS before: the last sample before the snapshot began (the program
    # idles 300 ms after BUILT, so take samples within that window).
    before = [r for (ts, r) in samples if built_at <= ts <= built_at + 0.25] or [r for (ts, r) in samples if ts <= built_at]
    during = [r for (ts, r) in samples if built_at <= ts <= done_at]
    size = os.path.getsize(os.path.join(workdir, "out.heapsnapshot"))
    return {
        "before_mb": before[-1] / 1024,
        "peak_mb": max(during) / 1024,
        "hwm_mb": (hwm or 0) / 1024,
        "pause_ms": pause_ms,
        "size_mb": size / 1e6,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sable", default=os.path.join(HERE, "..", "target", "release", "sable"))
    ap.add_argument("--node", default=shutil.which("node"))
    ap.add_argument("--fork", action="store_true", help="also measure Sable's fork mode")
    args = ap.parse_args()
    engines = [("sable", [os.path.abspath(args.sable), PROGRAM, "--", "out.heapsnapshot", str(args.n)])]
    if args.node:
        engines.append(("node", [args.node, PROGRAM, "out.heapsnapshot", str(args.n)]))
    else:
        print("node not found: measuring Sable alone (no ratios)", file=sys.stderr)
    results = {}
    for name, cmd in engines:
        runs = []
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as d:
                r = run_once(cmd, d)
            r["ratio"] = r["peak_mb"] / r["before_mb"]
            r["mb_per_s"] = r["size_mb"] / (r["pause_ms"] / 1000)
            print(f"{name} run {i + 1}: before {r['before_mb']:.0f} MB, peak {r['peak_mb']:.0f} MB "
                  f"(x{r['ratio']:.2f}; VmHWM {r['hwm_mb']:.0f} MB), {r['size_mb']:.0f} MB in {r['pause_ms']:.0f} ms "
                  f"= {r['mb_per_s']:.1f} MB/s", flush=True)
            runs.append(r)
        results[name] = {
            "ratio": min(r["ratio"] for r in runs),
            "mb_per_s": max(r["mb_per_s"] for r in runs),
            "pause_ms": min(r["pause_ms"] for r in runs),
            "before_mb": min(r["before_mb"] for r in runs),
            "peak_mb": min(r["peak_mb"] for r in runs),
            "size_mb": runs[0]["size_mb"],
        }
    print(f"\nbest of {args.runs} processes, Map of {args.n} objects:")
    print(f"{'engine':8} {'RSS before':>11} {'peak':>9} {'peak/before':>12} {'size':>9} {'pause':>9} {'MB/s':>8}")
    for name, r in results.items():
        print(f"{name:8} {r['before_mb']:9.0f}MB {r['peak_mb']:7.0f}MB {r['ratio']:11.2f}x {r['size_mb']:7.0f}MB "
              f"{r['pause_ms']:7.0f}ms {r['mb_per_s']:8.1f}")
    if "node" in results:
        s, n = results["sable"], results["node"]
        print(f"\nsable/node: peak-over-before {s['ratio']:.2f}x vs {n['ratio']:.2f}x; "
              f"throughput {s['mb_per_s'] / n['mb_per_s']:.2f}x node's; pause {s['pause_ms'] / n['pause_ms']:.2f}x node's")


    if args.fork:
        cmd = engines[0][1]
        best = None
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as d:
                r = run_fork(cmd, d)
            print(f"sable fork run {i + 1}: pause {r['pause_ms']:.0f} ms (RSS before {r['before_mb']:.0f} MB, parent peak "
                  f"{r['parent_peak_mb']:.0f} MB), child wrote {r['size_mb']:.0f} MB in {r['child_s']:.1f} s with "
                  f"{r['child_private_mb']:.0f} MB of private (copied) memory", flush=True)
            best = r if best is None or r["pause_ms"] < best["pause_ms"] else best
        print(f"\nsable fork mode, best of {args.runs}: the isolate paused {best['pause_ms']:.0f} ms "
              f"(synchronous: {results['sable']['pause_ms']:.0f} ms)")


if __name__ == "__main__":
    main()
