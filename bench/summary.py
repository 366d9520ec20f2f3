#!/usr/bin/python3
"""One table of the latest results of every comparison under bench/ (see bench/README.md).

Reads the newest results/*.jsonl of bench/similarity (whole-command seconds, Transfusion vs google/svcca), of
bench/training (images/s, Transfusion as it runs by default, channels-last, vs PyTorch in channels-last and
contiguous, each row naming the allocator PyTorch ran with) and of bench/e2e (whole
`transfusion train` runs vs the same run as a PyTorch script, seconds and test AUC) and prints one Markdown table
whose last column is how many times faster Transfusion is (above 1: faster).
"""
import glob
import json
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))


def latest(bench):
    files = sorted(glob.glob(os.path.join(HERE, bench, "results", "*.jsonl")))
    if not files:
        return None, []
    with open(files[-1]) as f:
        return files[-1], [json.loads(line) for line in f if line.strip()]


def main():
    print("| benchmark | case | Transfusion | peer tool | peer | Transfusion is faster by |")
    print("|---|---|---:|---|---:|---:|")
    sources = []
    path, rows = latest("similarity")
    if path:
        sources.append(path)
    for r in rows:
        print(f"| similarity | {r['case']} | {r['transfusion_s']:.2f} s | {r['peer']} | {r['peer_s']:.2f} s "
              f"| {r['peer_s'] / r['transfusion_s']:.2f}x |")
    path, rows = latest("training")
    if path:
        sources.append(path)
    # Like for like first: PyTorch in channels-last as Transfusion runs by default (run-all.sh also gives PyTorch
    # the same preloaded allocator); then PyTorch as it runs by default (contiguous).
    cases = {}
    for r in rows:
        key = (r["model"], r["size"], r["mode"])
        c = cases.setdefault(key, {"t": [], "pytorch-channels-last": [], "pytorch": []})
        if r.get("tool") in ("pytorch", "pytorch-channels-last"):
            c[r["tool"]].append(r)
        elif "DJL" in r.get("engine", "") and r.get("memory_format") == "channels-last":
            c["t"].append(r)
    for (model, size, mode), v in cases.items():
        if not v["t"]:
            continue
        t = statistics.median(r["images_per_second"] for r in v["t"])
        for tool, label in (("pytorch-channels-last", "channels-last"), ("pytorch", "contiguous")):
            if v[tool]:
                p = statistics.median(r["images_per_second"] for r in v[tool])
                allocator = v[tool][0].get("allocator", "?")
                print(f"| training | {model} {size} px {mode} | {t:.1f} img/s | PyTorch {label}, {allocator} "
                      f"| {p:.1f} img/s | {t / p:.2f}x |")
    path, rows = latest("e2e")
    if path:
        sources.append(path)
    for r in rows:
        print(f"| end-to-end train | {r['case']} | {r['transfusion_s']:.1f} s, test AUC {r['transfusion_test_auc']:.3f} "
              f"| {r['peer']} | {r['peer_s']:.1f} s, test AUC {r['peer_test_auc']:.3f} "
              f"| {r['peer_s'] / r['transfusion_s']:.2f}x |")
    print("\nfrom: " + (", ".join(sources) if sources else "no results yet (run bench/run-all.sh)"))


if __name__ == "__main__":
    main()
