#!/usr/bin/python3
"""The work of `transfusion train --task segmentation --model unet-resnet18` on CHASE_DB1, as a plain PyTorch script.

    /usr/bin/python3 bench/segmentation/train_unet.py --data ../shared/data/segmentation/chase_db1 \
        --steps 200 --eval-every 200 --patch-size 96 --batch-size 16

Written from the Java code (engine, package data and eval) to do the same work; needs only Debian's python3-torch,
python3-torchvision, numpy and PIL:

- data: CHASE_DB1's `Image_NNX.jpg` with `Image_NNX_1stHO.png`, sorted by name, the first 20 for training (4 of
  them, drawn by the seed, for validation), the last 8 for test (data/SegmentationFolders, data/SegmentationSpecs);
- field of view derived from each image: brightest channel > 10, the largest 4-connected region, holes filled
  (data/SegmentationFiles.deriveFov); pixels outside count for neither the loss nor the metrics;
- the network: unet-resnet18, the module classes of scripts/unet_reference.py (encoder torchvision's resnet18,
  decoder widths 256-128-64-32-16 with a full-resolution stem, one output); channels-last like Transfusion's
  default (`--memory-format contiguous` to change);
- ImageNet normalisation; patches of `--patch-size` cut at random, one in three centred on a vessel pixel inside
  the FOV, then flips, quarter turns and a brightness/contrast jitter (gain 1 +- 0.1, offset +- 0.1) applied before
  normalising; parts beyond the image read as zero after normalising and lie outside the FOV (data/PatchSampler);
- loss: BCE over the FOV pixels plus 1 - soft Dice (p * fov against the mask, summed over the whole batch, +1 on
  both sides) (eval/SegmentationLoss);
- Adam, lr 1e-3, L2 weight decay 1e-4 added to the gradient (torch.optim.Adam(weight_decay=...)), a linear warm-up
  over the first 3% of steps (at most 200), then cosine to zero (train/Schedule);
- validation every `--eval-every` steps and at the end, the best weights by validation Dice scored on test;
- inference by sliding windows (eval/SlidingWindow): windows of the patch side, corners spread evenly edge to edge
  at most half a window apart, each window weighted by a Gaussian (sigma = side/8, peak 1), windows batched so
  that at most 16 * 96 * 96 pixels run at once, probabilities (sigmoid) blended by the summed weights;
- metrics pooled over a split's FOV pixels at 16 bits, as eval/SegmentationMetrics scores them: Dice at
  round(p * 65535) >= 32768 and the pixel ROC AUC by the rank formula (mid-ranks for ties).

Not the same: the draws (numpy's and torch's generators, not Java's SplittableRandom), so the validation images,
the patches and the initial weights (torch's defaults; ours are He normal) are another seed's; libtorch 1.13
against DJL's 2.7.1; no checkpoint files, TensorBoard log or run folder are written.

Prints the timings (reading, steps/s, validation and test inference seconds, inference seconds per test image),
Dice and AUC, and a last line `result {json}` for bench/segmentation/run.sh.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from unet_reference import ResNetEncoder, UNet  # noqa: E402  (our own module; importing it only defines classes)

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
FOV_THRESHOLD = 10
TRAIN_IMAGES = 20
VAL_IMAGES = 4
FOREGROUND_SHARE = 1.0 / 3.0
JITTER = 0.1
SMOOTH = 1.0
PIXELS_PER_BATCH = 16 * 96 * 96


# ---------------------------------------------------------------- field of view

def row_runs(mask):
    """Horizontal runs of True pixels: arrays of row, start, end (exclusive), in row-major order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    return rows, starts, ends


def run_components(rows, starts, ends):
    """4-connected components of runs: runs on neighbouring rows whose columns overlap are joined (union-find)."""
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(rows.max() + 2 if len(rows) else 1))
    for r in range(1, len(first) - 1):
        i, i_end = first[r - 1], first[r]      # runs of the row above
        j, j_end = first[r], first[r + 1]      # runs of this row
        while i < i_end and j < j_end:
            if starts[i] < ends[j] and starts[j] < ends[i]:
                a, b = find(i), find(j)
                if a != b:
                    parent[a] = b
            if ends[i] < ends[j]:
                i += 1
            else:
                j += 1
    return np.array([find(i) for i in range(len(rows))], np.int64)


def paint(shape, rows, starts, ends, keep):
    out = np.zeros(shape, bool)
    for r, s, e in zip(rows[keep], starts[keep], ends[keep]):
        out[r, s:e] = True
    return out


def derive_fov(rgb):
    """Brightest channel > 10, the largest 4-connected lit region, its holes filled."""
    lit = rgb.max(axis=2) > FOV_THRESHOLD
    rows, starts, ends = row_runs(lit)
    if len(rows) == 0:
        return np.zeros(lit.shape, bool)
    root = run_components(rows, starts, ends)
    size = np.bincount(root, weights=ends - starts)
    disc = paint(lit.shape, rows, starts, ends, root == size.argmax())
    # outside: the pixels not in the disc that are connected to the border; the rest (disc and holes) is inside
    h, w = lit.shape
    rows, starts, ends = row_runs(~disc)
    root = run_components(rows, starts, ends)
    border = (rows == 0) | (rows == h - 1) | (starts == 0) | (ends == w)
    outside = paint(lit.shape, rows, starts, ends, np.isin(root, np.unique(root[border])))
    return ~outside


# ---------------------------------------------------------------- data

def read_chase(folder, seed):
    names = sorted(f for f in os.listdir(folder) if f.startswith("Image_") and f.endswith(".jpg"))
    images = []
    for name in names:
        stem = name[:-len(".jpg")]
        rgb = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB"))
        mask = np.asarray(Image.open(os.path.join(folder, stem + "_1stHO.png")).convert("L")) > 0
        if mask.shape != rgb.shape[:2]:
            raise SystemExit(f"{stem}: mask {mask.shape} != image {rgb.shape[:2]}")
        images.append({"name": stem, "rgb": rgb, "mask": mask, "fov": derive_fov(rgb)})
    if len(images) != 28:
        print(f"note: {len(images)} images (CHASE_DB1 has 28)", file=sys.stderr)
    train, test = images[:TRAIN_IMAGES], images[TRAIN_IMAGES:]
    order = np.random.default_rng(seed).permutation(len(train))
    val = [train[i] for i in sorted(order[:VAL_IMAGES])]
    train = [train[i] for i in sorted(order[VAL_IMAGES:])]
    return train, val, test


def normalise(rgb01):
    """[..., H, W, 3] in [0, 1] -> [..., 3, H, W] ImageNet-normalised."""
    return np.moveaxis((rgb01 - MEAN) / STD, -1, -3).astype(np.float32)


class PatchSampler:
    def __init__(self, train, patch, batch, rng):
        self.train, self.patch, self.batch, self.rng = train, patch, batch, rng
        self.foreground = [np.flatnonzero(s["mask"] & s["fov"]) for s in train]

    def next(self):
        p, rng = self.patch, self.rng
        x = np.zeros((self.batch, 3, p, p), np.float32)
        y = np.zeros((self.batch, 1, p, p), np.float32)
        f = np.zeros((self.batch, 1, p, p), np.float32)
        for b in range(self.batch):
            i = rng.integers(len(self.train))
            s = self.train[i]
            h, w = s["mask"].shape
            fg = self.foreground[i]
            if len(fg) and rng.random() < FOREGROUND_SHARE:
                cy, cx = divmod(int(fg[rng.integers(len(fg))]), w)
            else:
                cy, cx = rng.integers(h), rng.integers(w)
            y0, x0 = cy - p // 2, cx - p // 2
            # the part of the patch inside the image; the rest stays zero (the mean) and outside the FOV
            sy0, sy1, sx0, sx1 = max(y0, 0), min(y0 + p, h), max(x0, 0), min(x0 + p, w)
            gain = 1 - JITTER + 2 * JITTER * rng.random()
            offset = JITTER * (2 * rng.random() - 1)
            region = s["rgb"][sy0:sy1, sx0:sx1].astype(np.float32) / 255 * gain + offset
            dy, dx = sy0 - y0, sx0 - x0
            x[b, :, dy:dy + sy1 - sy0, dx:dx + sx1 - sx0] = normalise(region)
            y[b, 0, dy:dy + sy1 - sy0, dx:dx + sx1 - sx0] = s["mask"][sy0:sy1, sx0:sx1]
            f[b, 0, dy:dy + sy1 - sy0, dx:dx + sx1 - sx0] = s["fov"][sy0:sy1, sx0:sx1]
            turns, flip_x, flip_y = rng.integers(4), rng.random() < 0.5, rng.random() < 0.5
            for a in (x, y, f):
                v = a[b]
                if flip_x:
                    v = v[:, :, ::-1]
                if flip_y:
                    v = v[:, ::-1, :]
                a[b] = np.rot90(v, turns, axes=(1, 2)).copy()
        return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(f)


# ---------------------------------------------------------------- loss, schedule

def segmentation_loss(logits, y, fov):
    bce = logits.clamp(min=0) - logits * y + F.softplus(-logits.abs())
    ce = (bce * fov).sum() / fov.sum().clamp(min=1)
    p = torch.sigmoid(logits) * fov
    dice = (2 * (p * y).sum() + SMOOTH) / (p.sum() + (y * fov).sum() + SMOOTH)
    return ce + 1 - dice


def rate(base, step, total):
    warmup = min(200, max(1, total * 3 // 100))
    warm = (step + 1.0) / warmup if step < warmup else 1.0
    progress = 0 if total <= 1 else step / total
    return base * warm * 0.5 * (1 + math.cos(math.pi * progress))


# ---------------------------------------------------------------- inference, metrics

def positions(length, window):
    if length <= window:
        return [0]
    stride = max(1, round(window * 0.5))
    n = math.ceil((length - window) / stride) + 1
    step = (length - window) / (n - 1)
    return [int(math.floor(i * step + 0.5)) for i in range(n)]


def gaussian(window):
    sigma = window / 8.0
    c = (window - 1) / 2.0
    d = np.arange(window) - c
    g = np.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma * sigma)).astype(np.float32)
    g[g == 0] = g[g > 0].min()
    return torch.from_numpy(g)


@torch.no_grad()
def predict(model, rgb, window, memory_format):
    """Probability per pixel of one image, [H, W], by Gaussian-weighted sliding windows."""
    h, w = rgb.shape[:2]
    image = torch.zeros(3, max(h, window), max(w, window))
    image[:, :h, :w] = torch.from_numpy(normalise(rgb.astype(np.float32) / 255))
    corners = [(y, x) for y in positions(h, window) for x in positions(w, window)]
    per_batch = max(1, min(len(corners), PIXELS_PER_BATCH // (window * window)))
    g = gaussian(window)
    total = torch.zeros(image.shape[1:])
    norm = torch.zeros(image.shape[1:])
    for first in range(0, len(corners), per_batch):
        chunk = corners[first:first + per_batch]
        x = torch.stack([image[:, y:y + window, x:x + window] for y, x in chunk])
        probs = torch.sigmoid(model(x.contiguous(memory_format=memory_format)))[:, 0]
        for (y, x), p in zip(chunk, probs):
            total[y:y + window, x:x + window] += g * p
            norm[y:y + window, x:x + window] += g
    return (total / norm)[:h, :w].numpy()


def score(model, images, window, memory_format):
    """Pooled Dice at 0.5 and pixel ROC AUC inside the FOV, at 16 bits; seconds of inference."""
    model.eval()
    pos = np.zeros(65536, np.int64)
    neg = np.zeros(65536, np.int64)
    seconds = 0.0
    for s in images:
        t = time.perf_counter()
        p = predict(model, s["rgb"], window, memory_format)
        seconds += time.perf_counter() - t
        q = np.rint(p[s["fov"]].astype(np.float64) * 65535).astype(np.int64)
        y = s["mask"][s["fov"]]
        pos += np.bincount(q[y], minlength=65536)
        neg += np.bincount(q[~y], minlength=65536)
    tp, fn = pos[32768:].sum(), pos[:32768].sum()
    fp = neg[32768:].sum()
    dice = 2 * tp / max(2 * tp + fp + fn, 1)
    # rank formula: (sum of the positives' mid-ranks - n1 (n1 + 1) / 2) / (n1 n0)
    count = pos + neg
    midrank = np.cumsum(count) - count + (count + 1) / 2.0
    n1, n0 = pos.sum(), neg.sum()
    auc = ((pos * midrank).sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0) if n1 and n0 else float("nan")
    return float(dice), float(auc), seconds


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the CHASE_DB1 folder")
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--eval-every", type=int, default=0, help="validate every K steps (default: at the end only)")
    ap.add_argument("--patch-size", type=int, default=96)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--memory-format", choices=["channels-last", "contiguous"], default="channels-last")
    ap.add_argument("--limit-val", type=int, default=0, help="score only the first N validation images (smoke runs)")
    ap.add_argument("--limit-test", type=int, default=0, help="score only the first N test images (smoke runs)")
    ap.add_argument("--json", help="also write the result to this file")
    a = ap.parse_args()

    start = time.perf_counter()
    torch.set_num_threads(a.threads if a.threads > 0 else os.cpu_count())
    torch.manual_seed(a.seed)
    memory_format = torch.channels_last if a.memory_format == "channels-last" else torch.contiguous_format

    t = time.perf_counter()
    train, val, test = read_chase(a.data, a.seed)
    val = val[:a.limit_val] if a.limit_val else val
    test = test[:a.limit_test] if a.limit_test else test
    read_s = time.perf_counter() - t
    print(f"read {len(train)} train, {len(val)} val, {len(test)} test images in {read_s:.2f} s", flush=True)

    model = UNet(ResNetEncoder(), 3, 1, [256, 128, 64, 32, 16]).to(memory_format=memory_format)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    sampler = PatchSampler(train, a.patch_size, a.batch_size, np.random.default_rng(a.seed))
    eval_every = a.eval_every if a.eval_every > 0 else a.steps

    train_s = val_s = 0.0
    best_dice, best_state, best_step = -1.0, None, 0
    for step in range(a.steps):
        t = time.perf_counter()
        model.train()
        x, y, f = sampler.next()
        for group in opt.param_groups:
            group["lr"] = rate(a.lr, step, a.steps)
        loss = segmentation_loss(model(x.contiguous(memory_format=memory_format)), y, f)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss = loss.item()
        train_s += time.perf_counter() - t
        if (step + 1) % eval_every == 0 or step + 1 == a.steps:
            t = time.perf_counter()
            dice, auc, _ = score(model, val, a.patch_size, memory_format)
            val_s += time.perf_counter() - t
            print(f"step {step + 1}: train loss {loss:.4f}, val Dice {dice:.4f}, val AUC {auc:.4f}", flush=True)
            if dice > best_dice:
                best_dice, best_step, best_state = dice, step + 1, copy.deepcopy(model.state_dict())

    model.load_state_dict(best_state)
    test_dice, test_auc, infer_s = score(model, test, a.patch_size, memory_format)
    total_s = time.perf_counter() - start
    h, w = test[0]["mask"].shape
    result = {
        "steps": a.steps, "patch_size": a.patch_size, "batch_size": a.batch_size, "threads": torch.get_num_threads(),
        "memory_format": a.memory_format, "read_s": read_s, "train_s": train_s, "steps_per_s": a.steps / train_s,
        "val_s": val_s, "best_step": best_step, "val_dice": best_dice, "test_images": len(test),
        "test_infer_s": infer_s, "infer_s_per_image": infer_s / len(test), "image_size": [h, w],
        "test_dice": test_dice, "test_auc": test_auc, "total_s": total_s, "torch": torch.__version__,
    }
    print(f"train {a.steps} steps in {train_s:.2f} s ({a.steps / train_s:.3f} steps/s); validation {val_s:.2f} s; "
          f"test inference {infer_s:.2f} s for {len(test)} images ({infer_s / len(test):.2f} s per {h}x{w} image)")
    print(f"test Dice {test_dice:.4f}, AUC {test_auc:.4f} (best val Dice {best_dice:.4f} at step {best_step}); "
          f"{total_s:.1f} s in all")
    if a.json:
        with open(a.json, "w") as out:
            json.dump(result, out, indent=1)
    print("result " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
