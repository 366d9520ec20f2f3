#!/usr/bin/env python3
"""Recomputes a segmentation run's metrics from the files `transfusion evaluate --predictions DIR` wrote, with numpy
and scikit-learn, and compares them with what transfusion printed (its JSON), to 1e-6.

    transfusion evaluate RUN --split test --predictions PRED > eval.json
    scripts/check-segmentation-metrics.py PRED eval.json --mask 'DATA/{stem}_1stHO.png'

--mask is a pattern for each image's ground-truth mask ({stem}: the image's file stem, which names its PNG in PRED);
pixels > 0 are foreground. The field of view is read from PRED/{stem}_fov.png (what transfusion scored inside).
Scores are the 16-bit grey levels / 65535; foreground at >= 0.5. Exit 0 when every metric agrees, 1 otherwise.
A reference for checking, not a runtime dependency (Debian: python3-numpy python3-sklearn python3-pil).
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
from PIL import Image
from sklearn.metrics import average_precision_score, roc_auc_score


def counts(q, y):
    said = q >= 0.5
    tp = int(np.sum(said & y))
    fp = int(np.sum(said & ~y))
    fn = int(np.sum(~said & y))
    tn = int(np.sum(~said & ~y))
    return tp, fp, fn, tn


def metrics(q, y):
    tp, fp, fn, tn = counts(q, y)
    return {
        "dice": 2 * tp / (2 * tp + fp + fn),
        "iou": tp / (tp + fp + fn),
        "auc": roc_auc_score(y, q),
        "average_precision": average_precision_score(y, q),
        "sensitivity": tp / (tp + fn),
        "specificity": tn / (tn + fp),
        "accuracy": (tp + tn) / (tp + fp + fn + tn),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("predictions")
    ap.add_argument("evaluation", help="the JSON `transfusion evaluate` printed")
    ap.add_argument("--mask", required=True, help="pattern of each image's mask, e.g. 'DIR/{stem}_1stHO.png'")
    ap.add_argument("--tolerance", type=float, default=1e-6)
    a = ap.parse_args()
    with open(a.evaluation) as f:
        said = json.load(f)
    stems = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(a.predictions, "*.png"))
                   if not p.endswith(("_fov.png", "_overlay.png")))
    if not stems:
        sys.exit(f"{a.predictions}: no probability maps")
    all_q, all_y = [], []
    per_image = {row["image"]: row for row in said.get("per_image", [])}
    bad = 0
    print(f"{'image':<14} {'metric':<18} {'transfusion':>12} {'numpy/sklearn':>14}")

    def compare(where, name, mine, theirs):
        nonlocal bad
        ok = mine is not None and abs(mine - theirs) <= a.tolerance
        bad += 0 if ok else 1
        print(f"{where:<14} {name:<18} {mine if mine is not None else float('nan'):>12.8f} {theirs:>14.8f}"
              f"{'' if ok else '   MISMATCH'}")

    for stem in stems:
        grey = np.array(Image.open(os.path.join(a.predictions, stem + ".png")), dtype=np.float64)
        fov = np.array(Image.open(os.path.join(a.predictions, stem + "_fov.png"))) > 0
        mask = np.array(Image.open(a.mask.format(stem=stem)))
        if mask.ndim == 3:
            mask = mask[..., 0]
        if grey.shape != mask.shape or grey.shape != fov.shape:
            sys.exit(f"{stem}: map {grey.shape}, mask {mask.shape}, fov {fov.shape} differ")
        q = grey[fov] / 65535.0
        y = mask[fov] > 0
        all_q.append(q)
        all_y.append(y)
        if stem in per_image:
            for k, v in metrics(q, y).items():
                compare(stem, k, per_image[stem].get(k), v)
    q = np.concatenate(all_q)
    y = np.concatenate(all_y)
    for k, v in metrics(q, y).items():
        compare("pooled", k, said.get(k), v)
    print(f"{len(stems)} images, {q.size} pixels in the field of view: "
          + ("all agree to %g" % a.tolerance if bad == 0 else f"{bad} mismatches"))
    sys.exit(0 if bad == 0 else 1)


if __name__ == "__main__":
    main()
