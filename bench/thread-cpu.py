#!/usr/bin/env python3
"""Per-thread CPU seconds of a running JVM, read from /proc every 0.2 s until it exits.

usage: bench/thread-cpu.py PID [TIMELINE-FILE]

Prints one line when PID is gone: the CPU-s (user+sys) of the ingest threads (main = reading,
parsing, dedupe and document preparation; mobilessh-indexer-1; mobilessh-flusher;
mobilessh-committer; Lucene merge threads), the JIT compilers (C1, C2), GC/VM, and the total.
With TIMELINE-FILE it also writes, for every 0.2 s, what each of them used in it (m i f c M G J),
which shows where the indexing thread waits. Not a test: docs/performance-log.md, "Session 7: ingest-fast".
"""
import os
import sys
import time


def group(name):
    if name == "java":
        return "main"
    if "C2 Comp" in name:
        return "C2"
    if "C1 Comp" in name:
        return "C1"
    if "GC" in name or "VM Thread" in name:
        return "GC/VM"
    if "Merge" in name:
        return "merges"
    return name


SHORT = {"main": "m", "mobilessh-index": "i", "mobilessh-flush": "f", "mobilessh-commi": "c",
         "merges": "M", "GC/VM": "G", "C2": "J", "C1": "J"}


def main():
    pid = sys.argv[1]
    timeline = sys.argv[2] if len(sys.argv) > 2 else None
    tick = os.sysconf("SC_CLK_TCK")
    cpu = {}
    rows = []
    t0 = time.time()
    while os.path.exists(f"/proc/{pid}"):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            break
        for t in tasks:
            try:
                with open(f"/proc/{pid}/task/{t}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            name = s[s.index("(") + 1:s.rindex(")")]
            fields = s[s.rindex(")") + 2:].split()
            cpu[(t, name)] = (int(fields[11]) + int(fields[12])) / tick
        if timeline:
            agg = {}
            for (_, n), v in cpu.items():
                k = SHORT.get(group(n))
                if k:
                    agg[k] = agg.get(k, 0) + v
            rows.append((time.time() - t0, agg))
        time.sleep(0.2)
    total = {}
    for (_, n), v in cpu.items():
        total[group(n)] = total.get(group(n), 0) + v
    shown = sorted(((k, v) for k, v in total.items() if v >= 0.05), key=lambda kv: -kv[1])
    print(" ".join(f"{k}={v:.2f}" for k, v in shown) + f" total={sum(total.values()):.2f}")
    if timeline:
        prev = {}
        with open(timeline, "w") as f:
            for t, agg in rows:
                f.write(f"{t:6.1f} " + " ".join(
                    f"{k}+{agg.get(k, 0) - prev.get(k, 0):.2f}" for k in "mifcMGJ") + "\n")
                prev = agg


if __name__ == "__main__":
    main()
