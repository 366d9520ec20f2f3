#!/usr/bin/env python3
"""Sums a Chrome trace from libtorch's autograd profiler per operator (self time: an event's duration minus
the durations of the events nested directly inside it on the same thread) and prints the top operators.

Works on the trace TrainingBench --profile FILE writes and on torch.profiler's export_chrome_trace, so the
two tools' step costs can be compared operator by operator.
"""
import argparse
import collections
import json


def shape_of(e):
    dims = e.get("shape") or e.get("args", {}).get("Input Dims") or []
    return " ".join("x".join(str(n) for n in d) for d in dims if d)


def self_times(events, by_shape=False):
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[(e.get("pid"), e.get("tid"))].append(e)
    total = collections.Counter()
    calls = collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, duration, time of the children]
        def pop():
            end, name, dur, child = stack.pop()
            total[name] += dur - child
        for e in evs:
            while stack and stack[-1][0] <= e["ts"]:
                pop()
            if stack:
                stack[-1][3] += e["dur"]
            key = e["name"] + (" " + shape_of(e) if by_shape else "")
            stack.append([e["ts"] + e["dur"], key, e["dur"], 0.0])
            calls[key] += 1
        while stack:
            pop()
    return total, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("trace")
    ap.add_argument("--steps", type=int, default=10, help="steps in the trace (for per-step ms)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--by-shape", action="store_true", help="one row per operator and input shapes")
    ap.add_argument("--only", help="operators whose name contains this")
    a = ap.parse_args()
    with open(a.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    if a.only:
        events = [e for e in events if a.only in e.get("name", "")]
    total, calls = self_times(events, a.by_shape)
    grand = sum(total.values())
    print(f"{'operator':90s} {'ms/step':>9s} {'share':>7s} {'calls/step':>10s}")
    for name, t in total.most_common(a.top):
        print(f"{name[:90]:90s} {t / 1000 / a.steps:9.2f} {t / grand:7.1%} {calls[name] / a.steps:10.1f}")
    print(f"{'all':90s} {grand / 1000 / a.steps:9.2f}")


if __name__ == "__main__":
    main()
