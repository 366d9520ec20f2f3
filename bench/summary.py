#!/usr/bin/python3
"""One table of the latest results of every comparison under bench/ (see bench/README.md).

Reads the newest results/*.jsonl of bench/similarity (whole-command seconds, Transfusion vs google/svcca), of
bench/training (images/s, Transfusion as it runs by default vs PyTorch contiguous) and of bench/e2e (whole
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
    cases = {}
    for r in rows:
        key = (r["model"], r["size"], r["mode"])
        if r.get("tool") == "pytorch":
            cases.setdefault(key, {"t": [], "p": []})["p"].append(r["images_per_second"])
        elif "DJL" in r.get("engine", "") and r.get("memory_format") == "channels-last":
            cases.setdefault(key, {"t": [], "p": []})["t"].append(r["images_per_second"])
    for (model, size, mode), v in cases.items():
        if v["t"] and v["p"]:
            t, p = statistics.median(v["t"]), statistics.median(v["p"])
            print(f"| training | {model} {size} px {mode} | {t:.1f} img/s | PyTorch | {p:.1f} img/s | {t / p:.2f}x |")
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
