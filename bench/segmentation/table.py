#!/usr/bin/python3
"""The table of one bench/segmentation/run.sh run, from its raw outputs: table.py RESULTS_DIR

Per process: wall seconds and peak RSS from `/usr/bin/time -v`, test Dice and pixel AUC (Transfusion: metrics.json's
`test` block; PyTorch: train_unet.py's --json), and per round PyTorch wall / Transfusion wall (above 1: Transfusion
is faster). Then inference alone: Transfusion's `evaluate --split test` (a whole command: JVM start, loading the run,
sliding windows over the test images, metrics) per image, against train_unet.py's own inference timing per image.
"""
import glob
import json
import os
import re
import sys


def timed(path):
    """(wall seconds, peak RSS MB) from a `/usr/bin/time -v` report."""
    text = open(path).read()
    clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    wall = 0.0
    for part in clock.split(":"):
        wall = wall * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return wall, rss_kb / 1024


def find(d, key):
    """The first value of `key` in a nested JSON object, depth first (None when absent)."""
    if isinstance(d, dict):
        if key in d and not isinstance(d[key], (dict, list)):
            return d[key]
        for v in d.values():
            found = find(v, key)
            if found is not None:
                return found
    return None


def fmt(x, digits):
    return "-" if x is None else f"{x:.{digits}f}"


def main():
    out = sys.argv[1]
    rows = []
    rounds = sorted({int(m.group(1)) for f in os.listdir(out) if (m := re.match(r"(?:transfusion|pytorch)-(\d+)\.time$", f))})
    print("| tool | round | wall s | peak RSS MB | test Dice | test AUC | PyTorch / Transfusion wall |")
    print("|---|---|---:|---:|---:|---:|---:|")
    test_images = None
    py_infer = []
    for r in rounds:
        walls = {}
        for tool in ["transfusion", "pytorch"]:
            time_file = os.path.join(out, f"{tool}-{r}.time")
            if not os.path.exists(time_file):
                continue
            wall, rss = timed(time_file)
            walls[tool] = wall
            dice = auc = None
            if tool == "transfusion" and os.path.exists(os.path.join(out, f"transfusion-{r}.metrics.json")):
                m = json.load(open(os.path.join(out, f"transfusion-{r}.metrics.json")))
                test = m.get("test", {})
                dice, auc = find(test, "dice"), find(test, "auc")
                if isinstance(test.get("per_image"), (list, dict)):
                    test_images = len(test["per_image"])
            elif tool == "pytorch" and os.path.exists(os.path.join(out, f"pytorch-{r}.json")):
                p = json.load(open(os.path.join(out, f"pytorch-{r}.json")))
                dice, auc = p["test_dice"], p["test_auc"]
                py_infer.append((p["infer_s_per_image"], p["test_images"], p["image_size"]))
            rows.append((tool, r, wall, rss, dice, auc))
        ratio = walls["pytorch"] / walls["transfusion"] if len(walls) == 2 else None
        for tool, rr, wall, rss, dice, auc in rows[-len(walls):]:
            name = "Transfusion" if tool == "transfusion" else "PyTorch"
            last = f"{ratio:.2f}x" if ratio is not None and tool == "pytorch" else ""
            print(f"| {name} | {rr} | {wall:.1f} | {rss:.0f} | {fmt(dice, 4)} | {fmt(auc, 4)} | {last} |")

    print()
    print("| inference alone | images | s in all | s per image | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    ev = os.path.join(out, "transfusion-evaluate.time")
    if os.path.exists(ev):
        wall, rss = timed(ev)
        n = test_images or 8
        print(f"| Transfusion `evaluate RUN --split test` (whole command) | {n} | {wall:.1f} | {wall / n:.2f} | {rss:.0f} |")
    for per_image, n, size in py_infer:
        print(f"| PyTorch train_unet.py sliding windows ({size[0]}x{size[1]}) | {n} | {per_image * n:.1f} | "
              f"{per_image:.2f} | - |")


if __name__ == "__main__":
    main()
