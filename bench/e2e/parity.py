#!/usr/bin/python3
"""Checks that torch_train.py feeds the network what `transfusion train` feeds it, and (with --training) that
from the same initial weights the two reach nearly the same first validations.

Data: for a few cases (both datasets, up- and downscaling, with and without augmentation, a train subset) it has
bench/e2e/BatchDump.java build training batches (across an epoch boundary) and the first val batch with our
BatchLoader, builds the same batches with torch_train.py's Loader, and compares them value by value (they agree
exactly unless Math.sin/cos and the C library's differ in a last bit; the largest difference is printed).

Training (--training): runs `transfusion train` for a few steps with validation after each, then torch_train.py
with --init-weights set to that run's init.safetensors, and prints both learning curves side by side. Different
libtorch builds round differently, so they agree closely at the first steps and drift apart after.

Run from anywhere after building the CLI (bench/e2e/compare.sh builds it; or ./mvnw -o -pl cli -am package):
  /usr/bin/python3 bench/e2e/parity.py [--training] [--transfusion CMD]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import torch_train as tt  # noqa: E402

DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "medmnist")
RETINA = os.path.join(DATA, "retinamnist.npz")
PNEUMONIA = os.path.join(DATA, "pneumoniamnist_subset.npz")

# data file, task, size, augment, seed, train subset (-1: all), batch, train batches
CASES = [
    (RETINA, "referable", 64, "default", 0, -1, 64, [0, 1, 16, 17]),
    (RETINA, "referable", 28, "default", 7, 300, 32, [0, 9, 10]),
    (RETINA, "referable", 20, "default", 1, -1, 64, [3]),
    (PNEUMONIA, "binary", 28, "default", 0, 500, 64, [0, 7, 8]),
    (PNEUMONIA, "binary", 64, "none", 2, -1, 64, [0, 60]),
    (PNEUMONIA, "binary", 16, "default", 5, 200, 16, [12]),
]


def java_batches(case, out):
    data, task, size, augment, seed, subset, batch, ks = case
    cmd = ["java", "-cp", os.path.join(ROOT, "cli", "target", "lib", "*"), os.path.join(HERE, "BatchDump.java"),
           "npz:" + data, task, str(size), augment, str(seed), str(subset), str(batch), out,
           ",".join(map(str, ks))]
    info = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    raw = np.fromfile(out, dtype="<f4")
    c, s = info["channels"], info["size"]
    batches, at = [], 0
    for n in info["counts"]:
        images = raw[at:at + n * c * s * s].reshape(n, c, s, s)
        at += n * c * s * s
        batches.append((images, raw[at:at + n]))
        at += n
    return info, batches


def python_batches(case):
    data, task, size, augment, seed, subset, batch, ks = case
    args = tt.parse_args(["--data", "npz:" + data, "--task", task, "--image-size", str(size), "--augment", augment,
                          "--seed", str(seed), "--batch-size", str(batch), "--out", "unused"]
                         + (["--train-subset", str(subset)] if subset >= 0 else []))
    setup = tt.Setup(args)
    return setup, [setup.train.batch(k) for k in ks] + [setup.val.batch(0)]


def check_data():
    worst = 0.0
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            info, theirs = java_batches(case, os.path.join(tmp, "batches.bin"))
            setup, ours = python_batches(case)
            diffs = []
            for (xj, yj), (xp, yp) in zip(theirs, ours):
                if xj.shape != xp.shape or not np.array_equal(yj, yp):
                    ok = False
                    diffs.append(float("inf"))
                else:
                    diffs.append(float(np.abs(xj - xp).max()))
            exact = sum(d == 0 for d in diffs)
            name = os.path.basename(case[0])
            print(f"{name} {case[2]} px, augment {case[3]}, seed {case[4]}, subset {case[5]}: "
                  f"{exact}/{len(diffs)} batches identical, largest difference {max(diffs):.3g} "
                  f"(train images {info['train_images']} vs {len(setup.train.images)})")
            ok &= info["train_images"] == len(setup.train.images) and max(diffs) < 1e-5
            worst = max(worst, max(diffs))
    print(f"data: {'same' if ok else 'DIFFERENT'} (largest difference {worst:.3g})")
    return ok


def curve(path):
    with open(path) as f:
        rows = [line.strip().split(",") for line in f][1:]
    return [(int(r[0]), float(r[1]), float(r[2] or "nan"), float(r[3])) for r in rows if r and r[0]]


# data file, task, image size: both channel layouts (grey 1-channel, RGB 3-channel), native size and upscaled
TRAINING_CASES = [(RETINA, "referable", 28), (PNEUMONIA, "binary", 64)]


def check_training(transfusion, steps):
    for data, task, size in TRAINING_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            common = ["--data", "npz:" + data, "--task", task, "--model", "cbr-small", "--image-size", str(size),
                      "--steps", str(steps), "--eval-every", "1", "--seed", "0", "--threads", "1"]
            t_out, p_out = os.path.join(tmp, "transfusion"), os.path.join(tmp, "pytorch")
            subprocess.run(shlex.split(transfusion) + ["train"] + common + ["--out", t_out], check=True,
                           stderr=subprocess.DEVNULL)
            subprocess.run([sys.executable, os.path.join(HERE, "torch_train.py")] + common
                           + ["--out", p_out, "--init-weights", os.path.join(t_out, "init.safetensors")],
                           check=True, stderr=subprocess.DEVNULL)
            print(f"\n{os.path.basename(data)} {size} px, {steps} steps from transfusion's init.safetensors, "
                  "validated after each (curve.csv of both):")
            print("| step | train loss (ours) | train loss (PyTorch) | val AUC (ours) | val AUC (PyTorch) "
                  "| val loss (ours) | val loss (PyTorch) |")
            print("|---|---|---|---|---|---|---|")
            for a, b in zip(curve(os.path.join(t_out, "curve.csv")), curve(os.path.join(p_out, "curve.csv"))):
                print(f"| {a[0]} | {a[1]:.5f} | {b[1]:.5f} | {a[2]:.4f} | {b[2]:.4f} | {a[3]:.5f} | {b[3]:.5f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--training", action="store_true", help="also compare a few training steps from one init")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--transfusion", default=os.path.join(ROOT, "transfusion"),
                    help="command that runs the CLI (default: the launcher)")
    a = ap.parse_args()
    ok = check_data()
    if a.training:
        check_training(a.transfusion, a.steps)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
