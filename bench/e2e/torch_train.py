#!/usr/bin/python3
"""`transfusion train` written as a plain PyTorch script: the peer of the end-to-end comparison (bench/e2e).

Same flags as `transfusion train` for what it supports, same run from the same data, as read from the Java code:

  data       npz:FILE in MedMNIST's layout ({train,val,test}_{images,labels}, uint8 images (N,H,W) or (N,H,W,C));
             --train-subset N draws the same seeded subset as SubsetSplit (Java's SplittableRandom, ported below).
  task       binary (2 classes, the label) or referable (grade >= 2); one sigmoid output, BCE-with-logits mean
             (eval/Losses.java). The other tasks are not written here.
  channels   the data's own (grey stays 1 channel, RGB 3), unless --channels; normalisation ImageNet's mean/std
             (grey: 0.449/0.226), as ImagePipeline.imagenet.
  pipeline   ImagePipeline.apply, vectorised with numpy in the same float32/float64 arithmetic: one inverse affine
             map per image (square crop of side sqrt(scale) * min(h, w) at a random centre, rotation, flip),
             bilinear sampling when upscaling, the mean of up to 8 x 8 samples per output pixel when downscaling,
             clamp-by-one-pixel border, black beyond; evaluation: the centre square, no augmentation.
  augment    Augment.DEFAULT: flip p=1/2, crop area in [0.85, 1], rotation in [-10, 10] degrees (--augment none).
  batches    BatchLoader: a fresh permutation each epoch from SplittableRandom(mix(seed, epoch, -1)), the last
             incomplete batch dropped, each image's augmentation drawn from SplittableRandom(mix(seed, epoch, i)),
             seed = Seeds.stream(--seed, "shuffle"); so the training batches are the same images, augmented the
             same way, as ours. Built ahead on a background thread (a queue of 3), as ours; val/test in order.
  model      CbrNet (ModelRegistry): per layer conv (no bias, stride 1, padding k//2) -> batch-norm (eps 1e-5f,
             momentum 1 - 0.9f) -> ReLU -> max-pool 3x3 stride 2 padding 1; global average pool; linear.
             Init as RandomInit: conv N(0, 2 / (out * kh * kw)), linear weight and bias U(+-1/sqrt(fan_in)),
             batch-norm identity. Model and 3-channel batches channels-last (Network, BatchArrays), unless
             --memory-format contiguous (ours: TRANSFUSION_MEMORY_FORMAT=contiguous).
  optimiser  DJL's adamUpdate as Optimizer.java calls it: g = grad + wd * w (L2, not AdamW); m, v as Adam;
             w -= (lr * sqrt(1 - 0.999^t) / (1 - 0.9^t)) * m / (sqrt(v) + 1e-8), constants as float32. This is
             not torch.optim.Adam, whose epsilon is added after the bias correction of v. SGD as DJL's sgdUpdate.
  schedule   Schedule.java: linear warm-up over min(200, max(1, 3% of the steps)), then cosine (or constant,
             step) over all steps, the rate rounded to float32.
  length     --epochs E: E * floor(train / batch) steps (at least 1 per epoch); or --steps N.
  validation every --eval-every K steps (default: once per epoch) and at the last step: ROC AUC of the val split
             (sklearn's roc_auc_score: the Mann-Whitney statistic with ties counting 1/2, as RocAuc.java); the
             best weights by val AUC written to weights.safetensors when they improve; then a checkpoint
             (weights, batch-norm statistics and the optimiser's m and v, with the step, best AUC and curve in its
             metadata) written atomically (temp file, fsync, rename) as checkpoint.safetensors; curve.csv.
  finish     the best weights read back, val and test scored, metrics.json written, the checkpoint deleted.
  threads    --threads T: torch.set_num_threads(T) (ours: libtorch's set_num_threads through DJL); inter-op
             threads left at libtorch's default on both sides. 0: torch's default.
  files      run.json, init.safetensors, weights.safetensors, checkpoint.safetensors (during the run), curve.csv
             and metrics.json in --out, in the safetensors layout and key names ours writes
             (layers.I.conv.weight, layers.I.bn.*, fc.*), fsync'ed and renamed like AtomicFiles.

Where it cannot match exactly (the end-to-end README lists these too):
  - Initial weights: RandomInit draws each tensor from Java's SplittableRandom.nextGaussian (a ziggurat sampler)
    and nextDouble; this script draws the same distributions from torch's generator seeded with --seed, so the two
    runs start from different weights and their AUCs differ by seed noise. --init-weights FILE
    (a run's init.safetensors) starts from given weights instead, for checking that the rest matches.
  - libtorch: Debian's PyTorch 1.13 here, 2.7.1 (through DJL 0.36) there; kernels (oneDNN versions, reduction
    orders) differ, so even from the same weights the losses agree to float rounding, then drift apart.
  - Augmentation: Math.sin/cos (HotSpot intrinsics) against the C library's; they may differ in the last bit,
    which can move a bilinear weight by one float32 ulp.
  - metrics.json: AUC, loss, accuracy, sensitivity/specificity at 0.5, average precision (sklearn's definition)
    and the Youden operating point chosen on val; ours also has DeLong intervals, calibration (ECE, reliability
    tables, NLL) and a TensorBoard event file, all cheap at these sizes. No lease/lock files, no --resume.
  - Startup: a Python interpreter importing torch, numpy and sklearn against a JVM loading DJL and libtorch.
"""
import argparse
import json
import math
import os
import queue
import struct
import sys
import threading
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------------
# Java's random numbers, so that subsets, permutations and augmentations are drawn exactly as ours draws them.

MASK = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _mix32(z):
    z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & MASK
    r = (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & MASK) >> 32
    return r - (1 << 32) if r >= (1 << 31) else r


class JavaRandom:
    """java.util.SplittableRandom(seed) (Java 17): nextInt, nextInt(bound), nextDouble, nextBoolean."""

    def __init__(self, seed):
        self.seed = seed & MASK

    def _next_seed(self):
        self.seed = (self.seed + GOLDEN_GAMMA) & MASK
        return self.seed

    def next_int(self):
        return _mix32(self._next_seed())

    def next_long(self):
        return _mix64(self._next_seed())

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53

    def next_boolean(self):
        return self.next_int() < 0

    def next_int_below(self, bound):
        """RandomSupport.boundedNextInt: a power of two masks; otherwise rejects the over-represented draws."""
        m = bound - 1
        r = self.next_int()
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if u + m - r < (1 << 31):  # Java: u + m - r < 0 after int overflow
                return r
            u = (self.next_int() & 0xFFFFFFFF) >> 1


def seed_stream(root, name):
    """Seeds.stream: the seed of the named stream under a root seed."""
    h = (root ^ GOLDEN_GAMMA) & MASK
    for b in name.encode("utf-8"):
        signed = b - 256 if b >= 128 else b  # Java's byte, sign-extended
        h = ((h ^ (signed & MASK)) * 0x100000001B3) & MASK
        h ^= h >> 29
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 32
    h = (h * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 29)


def loader_mix(seed, epoch, index):
    """BatchLoader.mix."""
    h = (seed * 0x9E3779B97F4A7C15 + epoch * 0xBF58476D1CE4E5B9 + index * 0x94D049BB133111EB) & MASK
    h ^= h >> 31
    h = (h * 0xD6E8FEB86659FD93) & MASK
    return h ^ (h >> 32)


# ---------------------------------------------------------------------------------------------------------------
# Data

def fail(message):
    """A user's mistake: one line, exit code 2 (as BadInputException)."""
    sys.stderr.write(f"torch_train.py: {message}\n")
    raise SystemExit(2)


def load_npz(spec):
    path = spec[4:] if spec.startswith("npz:") else spec
    if not os.path.isfile(path):
        fail(f"{path}: file not found (expected --data npz:FILE)")
    arrays = np.load(path)
    splits = {}
    for s in ("train", "val", "test"):
        for part in ("images", "labels"):
            if f"{s}_{part}" not in arrays:
                fail(f"{path}: no {s}_{part} array")
        images = arrays[f"{s}_images"]
        if images.dtype != np.uint8 or images.ndim not in (3, 4) or len(images) == 0:
            fail(f"{path}: {s}_images has shape {images.shape} and dtype {images.dtype}, expected (N,H,W) or "
                 f"(N,H,W,C) uint8 with N >= 1")
        if images.ndim == 3:
            images = images[..., None]
        labels = arrays[f"{s}_labels"].reshape(len(images), -1)
        if labels.shape[1] != 1:
            fail(f"{path}: {s}_labels has shape {arrays[f'{s}_labels'].shape}, expected one class per image")
        splits[s] = (np.ascontiguousarray(images), labels[:, 0].astype(np.float64))
    return path, splits


def targets_for(task, labels, classes):
    if task == "binary":
        if classes != 2:
            fail(f"task 'binary' needs 2 classes but the data has {classes}")
        return labels.astype(np.float32)
    if task == "referable":
        if classes < 3:
            fail(f"task 'referable' needs at least 3 classes but the data has {classes}")
        return (labels >= 2).astype(np.float32)
    fail(f"task '{task}' is not written in this script (binary, referable)")


def subset_indices(n, count, rng):
    """SubsetSplit.sample: count of n indices without replacement (partial Fisher-Yates), sorted."""
    if count >= n:
        return np.arange(n)
    all_ = list(range(n))
    for i in range(count):
        j = i + rng.next_int_below(n - i)
        all_[i], all_[j] = all_[j], all_[i]
    return np.array(sorted(all_[:count]))


IMAGENET_MEAN = {3: (0.485, 0.456, 0.406), 1: (0.449,)}
IMAGENET_STD = {3: (0.229, 0.224, 0.225), 1: (0.226,)}
MAX_TAPS = 8
F32 = np.float32


class Pipeline:
    """ImagePipeline.apply for a batch: images (B,H,W,C) uint8 and per-image (side, cx, cy, angle, flip)."""

    def __init__(self, size, channels, augment):
        self.size = size
        self.channels = channels
        self.mean = np.array(IMAGENET_MEAN[channels], dtype=F32)
        self.std = np.array(IMAGENET_STD[channels], dtype=F32)
        self.augment = augment  # (flip, min_scale, max_rotation_degrees) or None

    def draw(self, h, w, rng):
        """The per-image geometry, drawing from rng in ImagePipeline's order."""
        if self.augment is None:
            return min(h, w), w / 2.0, h / 2.0, 0.0, False
        flip, min_scale, max_rot = self.augment
        scale = min_scale + (1 - min_scale) * rng.next_double()
        side = math.sqrt(scale) * min(h, w)
        cx = side / 2 + (w - side) * rng.next_double()
        cy = side / 2 + (h - side) * rng.next_double()
        angle = math.radians(max_rot * (2 * rng.next_double() - 1))
        return side, cx, cy, angle, flip and rng.next_boolean()

    def apply(self, images, geometry):
        b, h, w, src_c = images.shape
        s = self.size
        if all(g[3] == 0 and not g[4] and h == s and w == s and g[0] == s for g in geometry):
            values = images.astype(F32)  # the identity map reads each pixel as it is
        else:
            values = np.empty((b, s, s, src_c), dtype=F32)
            by_taps = {}
            for k, g in enumerate(geometry):
                step = g[0] / s
                taps = int(min(MAX_TAPS, max(1, math.ceil(step - 1e-9))))
                by_taps.setdefault(taps, []).append(k)
            for taps, members in by_taps.items():
                values[members] = self._resample(images[members], [geometry[k] for k in members], taps)
        return self._normalise(values)

    def _resample(self, images, geometry, taps):
        b, h, w, src_c = images.shape
        s = self.size
        col = lambda i: np.array([g[i] for g in geometry], dtype=np.float64)[:, None, None]
        side, cx, cy, angle = col(0), col(1), col(2), col(3)
        flip = np.array([g[4] for g in geometry])[:, None, None]
        step = side / s
        cos, sin = np.cos(angle), np.sin(angle)
        u = np.arange(s, dtype=np.float64)[None, None, :]
        v = np.arange(s, dtype=np.float64)[None, :, None]
        u = np.where(flip, s - 1 - u, u)
        if taps == 1:
            return self._sample(images, *self._coordinates(u + 0.5, v + 0.5, step, side, cx, cy, cos, sin))
        acc = np.zeros((b, s, s, src_c), dtype=F32)
        for j in range(taps):
            for i in range(taps):
                coords = self._coordinates(u + (i + 0.5) / taps, v + (j + 0.5) / taps, step, side, cx, cy, cos, sin)
                acc += self._sample(images, *coords)
        return acc / F32(taps * taps)

    @staticmethod
    def _coordinates(uu, vv, step, side, cx, cy, cos, sin):
        du = uu * step - side / 2
        dv = vv * step - side / 2
        x = cx + cos * du - sin * dv - 0.5
        y = cy + sin * du + cos * dv - 0.5
        return x, y

    @staticmethod
    def _sample(images, x, y):
        """Bilinear in float32; one pixel outside is clamped to the border, further out is black."""
        b, h, w, c = images.shape
        x0 = np.floor(x).astype(np.int64)
        y0 = np.floor(y).astype(np.int64)
        fx = (x - x0).astype(F32)[..., None]
        fy = (y - y0).astype(F32)[..., None]
        n = np.arange(b)[:, None, None]

        def at(xi, yi):
            inside = (xi >= -1) & (yi >= -1) & (xi <= w) & (yi <= h)
            px = images[n, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)].astype(F32)
            return np.where(inside[..., None], px, F32(0))

        a, bb, d, e = at(x0, y0), at(x0 + 1, y0), at(x0, y0 + 1), at(x0 + 1, y0 + 1)
        one = F32(1)
        return (a * (one - fx) + bb * fx) * (one - fy) + (d * (one - fx) + e * fx) * fy

    def _normalise(self, values):
        """(B,S,S,srcC) float32 pixel values -> (B,C,S,S) float32, as the end of ImagePipeline.apply."""
        src_c = values.shape[3]
        if self.channels == 3:
            v = values if src_c == 3 else np.repeat(values, 3, axis=3)
        elif src_c == 3:
            v = (F32(0.299) * values[..., 0] + F32(0.587) * values[..., 1] + F32(0.114) * values[..., 2])[..., None]
        else:
            v = values
        out = (v / F32(255) - self.mean) / self.std
        return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


class Loader:
    """BatchLoader (shuffle sampler): batch k depends only on the seed and k."""

    def __init__(self, images, targets, pipeline, batch, training, seed):
        self.images, self.targets, self.pipeline = images, targets, pipeline
        self.batch_size, self.training, self.seed = batch, training, seed
        self._perm_epoch, self._perm = -1, None

    def batches_per_epoch(self):
        n = len(self.images)
        return max(1, n // self.batch_size) if self.training else (n + self.batch_size - 1) // self.batch_size

    def _permutation(self, epoch):
        if epoch != self._perm_epoch:
            p = list(range(len(self.images)))
            rng = JavaRandom(loader_mix(self.seed, epoch, -1))
            for i in range(len(p) - 1, 0, -1):
                j = rng.next_int_below(i + 1)
                p[i], p[j] = p[j], p[i]
            self._perm, self._perm_epoch = p, epoch
        return self._perm

    def batch(self, k):
        per = self.batches_per_epoch()
        epoch, within = divmod(k, per)
        start = within * self.batch_size
        count = min(self.batch_size, len(self.images) - start)
        if self.training:
            order = self._permutation(epoch)
            idx = [order[start + b] for b in range(count)]
        else:
            idx = list(range(start, start + count))
        h, w = self.images.shape[1:3]
        if self.pipeline.augment is None:
            geometry = [self.pipeline.draw(h, w, None)] * count
        else:
            geometry = [self.pipeline.draw(h, w, JavaRandom(loader_mix(self.seed, epoch, i))) for i in idx]
        return self.pipeline.apply(self.images[idx], geometry), self.targets[idx]


class Prefetcher:
    """Batches from..to-1 built on a daemon thread, at most 3 ahead (BatchLoader.Prefetcher)."""

    END = object()

    def __init__(self, loader, start, stop, depth=3):
        self.wait_seconds = 0.0
        self._queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()

        def work():
            try:
                for k in range(start, stop):
                    if self._stop.is_set():
                        return
                    self._queue.put(loader.batch(k))
                self._queue.put(Prefetcher.END)
            except BaseException as e:  # handed to the consumer, which raises it
                self._queue.put(e)

        self._thread = threading.Thread(target=work, name="loader", daemon=True)
        self._thread.start()

    def __iter__(self):
        while True:
            t0 = time.perf_counter()
            item = self._queue.get()
            self.wait_seconds += time.perf_counter() - t0
            if item is Prefetcher.END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self):
        self._stop.set()


def synchronous(loader, start, stop):
    for k in range(start, stop):
        yield loader.batch(k)


# ---------------------------------------------------------------------------------------------------------------
# Model, initialisation, optimiser, schedule

# name: (widths, kernel, pool after each layer), as ModelRegistry
MODELS = {
    "cbr-tiny": ([64, 128, 256, 512], 5, [True] * 4),
    "cbr-small": ([32, 64, 128, 256], 7, [True] * 4),
    "cbr-large-wide": ([64, 128, 256, 512], 7, [True] * 4),
    "cbr-large-tall": ([32, 64, 128, 256, 512], 7, [True, True, True, True, False]),
}
BN_EPS = float(F32(1e-5))
BN_MOMENTUM = float(F32(1) - F32(0.9))  # DJL passes 1f - momentum to libtorch


class Layer(nn.Module):
    def __init__(self, cin, cout, kernel):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=1, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)


class CbrNet(nn.Module):
    """Conv-BN-ReLU layers, each (where the spec says) followed by a 3x3 stride-2 max-pool padded by 1; global
    average pool; linear. Keys as ours: layers.I.conv.weight, layers.I.bn.*, fc.*."""

    def __init__(self, cin, outputs, widths, kernel, pools):
        super().__init__()
        self.layers = nn.ModuleList()
        for w in widths:
            self.layers.append(Layer(cin, w, kernel))
            cin = w
        self.pools = pools
        self.fc = nn.Linear(cin, outputs)

    def forward(self, x):
        for layer, pool in zip(self.layers, self.pools):
            x = F.relu(layer.bn(layer.conv(x)), inplace=True)
            if pool:
                x = F.max_pool2d(x, 3, 2, 1)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def random_init(model, seed):
    """RandomInit's distributions (torch's generator, not Java's: see the module's notes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Conv2d):
                out, _, kh, kw = m.weight.shape
                m.weight.normal_(0, math.sqrt(2.0 / (out * kh * kw)), generator=g)
            elif isinstance(m, nn.Linear):
                bound = 1 / math.sqrt(m.weight.shape[1])
                m.weight.uniform_(-bound, bound, generator=g)
                m.bias.uniform_(-bound, bound, generator=g)
            elif isinstance(m, nn.BatchNorm2d):
                m.reset_parameters()


class DjlOptimizer:
    """Optimizer.java through DJL's adamUpdate / sgdUpdate (L2 weight decay added to the gradient)."""

    def __init__(self, params, kind, weight_decay, momentum):
        self.params = params  # name -> parameter
        self.kind = kind
        self.wd = float(F32(weight_decay))
        self.momentum = float(F32(momentum))
        self.updates = 0
        self.state = {}

    @torch.no_grad()
    def step(self, lr):
        self.updates += 1
        b1, b2, eps = float(F32(0.9)), float(F32(0.999)), float(F32(1e-8))
        corrected = float(F32(lr * math.sqrt(1 - 0.999 ** self.updates) / (1 - 0.9 ** self.updates)))
        for name, w in self.params.items():
            g = w.grad.clone()
            w.grad = None
            if self.kind == "adam":
                m, v = self.state.setdefault(name, (torch.zeros_like(w), torch.zeros_like(w)))
                g.add_(w, alpha=self.wd)
                m.mul_(b1).add_(g, alpha=float(F32(1) - F32(0.9)))
                v.mul_(b2).addcmul_(g, g, value=float(F32(1) - F32(0.999)))
                w.sub_(m.mul(corrected).div(v.sqrt().add(eps)))
            else:
                g.add_(w, alpha=self.wd).mul_(float(F32(lr)))
                if self.momentum == 0:
                    w.sub_(g)
                else:
                    (buf,) = self.state.setdefault(name, (torch.zeros_like(w),))
                    buf.mul_(self.momentum).add_(g)
                    w.sub_(buf)

    def state_tensors(self):
        """As Optimizer.saveState: optim.KEY.0 (m), optim.KEY.1 (v)."""
        return {f"optim.{k}.{i}": t for k, ts in self.state.items() for i, t in enumerate(ts)}


def rate(kind, base, total, step):
    """Schedule.rate."""
    warmup = min(200, max(1, total * 3 // 100))
    warm = (step + 1.0) / warmup if step < warmup else 1.0
    progress = 0.0 if total <= 1 else step / total
    factor = {"cosine": 0.5 * (1 + math.cos(math.pi * progress)),
              "step": 1 if progress < 0.5 else 0.1 if progress < 0.75 else 0.01,
              "constant": 1.0}[kind]
    return float(F32(base * warm * factor))


# ---------------------------------------------------------------------------------------------------------------
# Files: written as AtomicFiles does (temp file in the folder, fsync, rename), weights as safetensors

def write_atomic(path, write):
    tmp = f"{os.path.dirname(path)}/.{os.path.basename(path)}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, value):
    write_atomic(path, lambda f: f.write((json.dumps(value, indent=2) + "\n").encode()))


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for key, t in tensors.items():
        counter = key.endswith("num_batches_tracked")
        data = t.detach().to(torch.int64 if counter else torch.float32).contiguous().numpy().tobytes()
        header[key] = {"dtype": "I64" if counter else "F32", "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)

    def write(f):
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)

    write_atomic(path, write)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = {}
    for key, h in header.items():
        if key == "__metadata__":
            continue
        if h["dtype"] not in dtypes:
            fail(f"{path}: tensor {key} has dtype {h['dtype']}, expected F32, F64 or I64")
        start, end = h["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(data[start:end], dtype=dtypes[h["dtype"]]).copy()
                                    .reshape(h["shape"]))
    return out


def load_weights(model, tensors, what):
    own = model.state_dict()
    missing = sorted(set(own) - set(tensors))
    extra = sorted(set(tensors) - set(own))
    wrong = [k for k in own if k in tensors and tuple(own[k].shape) != tuple(tensors[k].shape)]
    if missing or extra or wrong:
        fail(f"{what} do not fit the model: missing {missing[:3]}, unexpected {extra[:3]}, wrong shape {wrong[:3]}")
    with torch.no_grad():
        for k, t in own.items():
            t.copy_(tensors[k].to(t.dtype))


# ---------------------------------------------------------------------------------------------------------------
# Evaluation

def scores(model, loader, prefetch, fmt):
    probs, targets, loss_sum = [], [], 0.0
    model.eval()
    batches = Prefetcher(loader, 0, loader.batches_per_epoch(), prefetch) if prefetch else \
        synchronous(loader, 0, loader.batches_per_epoch())
    with torch.no_grad():
        for images, y in batches:
            logits = model(to_input(images, fmt))[:, 0]
            yt = torch.from_numpy(y)
            loss_sum += F.binary_cross_entropy_with_logits(logits, yt).item() * len(y)
            probs.append(torch.sigmoid(logits).numpy().astype(np.float64))
            targets.append(y.astype(np.float64))
    model.train()
    p, t = np.concatenate(probs), np.concatenate(targets)
    return p, t, loss_sum / len(t)


def auc(p, t):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(t, p)) if 0 < t.sum() < len(t) else float("nan")


def block(p, t, loss, threshold):
    from sklearn.metrics import average_precision_score

    def at(th):
        pred = p >= th
        pos, neg = t == 1, t == 0
        return {"threshold": th, "sensitivity": float(pred[pos].mean()) if pos.any() else None,
                "specificity": float((~pred[neg]).mean()) if neg.any() else None}

    half = at(0.5)
    return {"auc": auc(p, t), "accuracy": float(((p >= 0.5) == (t == 1)).mean()),
            "sensitivity": half["sensitivity"], "specificity": half["specificity"], "loss": loss, "count": len(t),
            "average_precision": float(average_precision_score(t, p)) if 0 < t.sum() < len(t) else None,
            "operating_point": {"rule": "youden", "chosen_on": "val", **at(threshold)}}


def youden(p, t):
    from sklearn.metrics import roc_curve
    fpr, tpr, thresholds = roc_curve(t, p)
    return float(min(1.0, thresholds[int(np.argmax(tpr - fpr))]))


def to_input(images, fmt):
    x = torch.from_numpy(images)
    return x.contiguous(memory_format=torch.channels_last) if fmt == "channels-last" and x.shape[1] > 1 else x


# ---------------------------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="npz:FILE")
    p.add_argument("--task", default="binary", choices=["binary", "referable"])
    p.add_argument("--model", default="cbr-small", choices=sorted(MODELS))
    p.add_argument("--epochs", type=int)
    p.add_argument("--steps", type=int)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=0.0001)
    p.add_argument("--schedule", choices=["cosine", "constant", "step"], default="cosine")
    p.add_argument("--image-size", type=int)
    p.add_argument("--channels", type=int, choices=[1, 3])
    p.add_argument("--augment", choices=["default", "none"], default="default")
    p.add_argument("--train-subset", type=int)
    p.add_argument("--eval-every", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    p.add_argument("--out", required=True)
    p.add_argument("--memory-format", choices=["channels-last", "contiguous"], default="channels-last")
    p.add_argument("--prefetch", type=int, default=3, help="batches built ahead on a thread (0: none)")
    p.add_argument("--init-weights", help="start from these weights (e.g. a transfusion run's init.safetensors)")
    a = p.parse_args(argv)
    if a.epochs is not None and a.steps is not None:
        fail("give --epochs or --steps, not both")
    if a.epochs is None and a.steps is None:
        a.epochs = 20
    return a


class Setup:
    """The run resolved against its data (RunSetup): splits, targets, the seeded subset, sizes and loaders."""

    def __init__(self, a):
        self.path, splits = load_npz(a.data)
        classes = int(max(splits[s][1].max() for s in splits)) + 1
        self.images = {s: splits[s][0] for s in splits}
        self.targets = {s: targets_for(a.task, splits[s][1], classes) for s in splits}
        if a.train_subset is not None:
            keep = subset_indices(len(self.images["train"]), a.train_subset, JavaRandom(seed_stream(a.seed, "subset")))
            self.images["train"], self.targets["train"] = self.images["train"][keep], self.targets["train"][keep]
        first = self.images["train"]
        self.channels = a.channels or first.shape[3]
        self.size = a.image_size or first.shape[1]
        self.widths, self.kernel, self.pools = MODELS[a.model]
        smallest = max(8, 1 << sum(self.pools))
        if self.size < smallest:
            fail(f"--image-size {self.size} is too small for {a.model} (at least {smallest})")
        augment = (True, 0.85, 10.0) if a.augment == "default" else None
        self.train = Loader(self.images["train"], self.targets["train"], Pipeline(self.size, self.channels, augment),
                            a.batch_size, True, seed_stream(a.seed, "shuffle"))
        plain = Pipeline(self.size, self.channels, None)
        self.val = Loader(self.images["val"], self.targets["val"], plain, a.batch_size, False, 0)
        self.test = Loader(self.images["test"], self.targets["test"], plain, a.batch_size, False, 0)
        self.total = a.steps if a.steps is not None else a.epochs * self.train.batches_per_epoch()
        self.eval_every = a.eval_every if a.eval_every > 0 else self.train.batches_per_epoch()


def main(argv=None):
    a = parse_args(argv)
    started = time.time()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    s = Setup(a)
    path, images, channels, size = s.path, s.images, s.channels, s.size
    train, val, test, total, eval_every = s.train, s.val, s.test, s.total, s.eval_every

    model = CbrNet(channels, 1, s.widths, s.kernel, s.pools)
    if a.init_weights:
        load_weights(model, read_safetensors(a.init_weights), a.init_weights)
    else:
        random_init(model, a.seed)
    if a.memory_format == "channels-last":
        model = model.to(memory_format=torch.channels_last)
    model.train()

    if os.path.exists(os.path.join(a.out, "run.json")):
        fail(f"{a.out}: already holds a run; choose a new --out")
    os.makedirs(a.out, exist_ok=True)
    files = {k: os.path.join(a.out, v) for k, v in {
        "run": "run.json", "init": "init.safetensors", "best": "weights.safetensors",
        "checkpoint": "checkpoint.safetensors", "curve": "curve.csv", "metrics": "metrics.json"}.items()}
    write_json(files["run"], {
        "spec": {k: v for k, v in vars(a).items() if k not in ("out", "threads")},
        "resolved": {"image_size": size, "channels": channels, "total_steps": total, "eval_every": eval_every,
                     "task_type": "binary", "train_images": len(images["train"]),
                     "normalisation": {"mean": IMAGENET_MEAN[channels], "std": IMAGENET_STD[channels]},
                     "trainable_parameters": sum(p.numel() for p in model.parameters())},
        "provenance": {"tool": "pytorch", "torch": torch.__version__, "numpy": np.__version__,
                       "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads()}})
    write_safetensors(files["init"], model.state_dict(), {"model": a.model, "step": "0"})
    curve = []

    def write_curve():
        lines = ["step,train_loss,val_auc,val_loss,lr,train_seconds"] + [
            ",".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in row) for row in curve]
        write_atomic(files["curve"], lambda f: f.write(("\n".join(lines) + "\n").encode()))

    write_curve()
    sys.stderr.write(f"training {a.model} on {path} ({a.task}, {len(images['train'])} train / {len(images['val'])} "
                     f"val / {len(images['test'])} test), {size} px, {total} steps of {a.batch_size} -> {a.out}\n")

    params = dict(model.named_parameters())
    optimizer = DjlOptimizer(params, a.optimizer, a.weight_decay, a.momentum)
    best_auc, best_step = -math.inf, -1
    loss_sum, loss_count, train_seconds, eval_seconds = 0.0, 0, 0.0, 0.0
    batches = Prefetcher(train, 0, total, a.prefetch) if a.prefetch else synchronous(train, 0, total)
    t0 = time.perf_counter()
    for step, (x_np, y_np) in enumerate(batches):
        lr = rate(a.schedule, a.lr, total, step)
        logits = model(to_input(x_np, a.memory_format))[:, 0]
        loss = F.binary_cross_entropy_with_logits(logits, torch.from_numpy(y_np))
        loss.backward()
        value = loss.item()
        if not math.isfinite(value):
            write_curve()
            fail(f"training diverged at step {step + 1}: loss is {value} (try a lower --lr than {a.lr})")
        optimizer.step(lr)
        loss_sum += value
        loss_count += 1
        done = step + 1
        train_seconds = time.perf_counter() - t0 - eval_seconds
        if done % eval_every == 0 or done == total:
            e0 = time.perf_counter()
            p, t, val_loss = scores(model, val, a.prefetch, a.memory_format)
            val_auc = auc(p, t)
            curve.append((done, loss_sum / loss_count, val_auc, val_loss, lr, train_seconds))
            sys.stderr.write(f"step {done}/{total}: train loss {loss_sum / loss_count:.4f}, val AUC {val_auc:.4f}, "
                             f"val loss {val_loss:.4f}\n")
            if val_auc > best_auc or best_step < 0:
                best_auc = -math.inf if math.isnan(val_auc) else val_auc
                best_step = done
                write_safetensors(files["best"], model.state_dict(), {"model": a.model, "step": str(done)})
            state = {"step": done, "best_auc": None if math.isinf(best_auc) else best_auc, "best_step": best_step,
                     "optimizer_updates": optimizer.updates, "train_seconds": train_seconds,
                     "curve": [list(r) for r in curve]}
            write_safetensors(files["checkpoint"], {**model.state_dict(), **optimizer.state_tensors()},
                              {"model": a.model, "step": str(done), "transfusion_state": json.dumps(state)})
            write_curve()
            loss_sum, loss_count = 0.0, 0
            eval_seconds += time.perf_counter() - e0
    if isinstance(batches, Prefetcher):
        batches.close()

    load_weights(model, read_safetensors(files["best"]), files["best"])
    pv, tv, lv = scores(model, val, a.prefetch, a.memory_format)
    pt, tt, lt = scores(model, test, a.prefetch, a.memory_format)
    threshold = youden(pv, tv) if 0 < tv.sum() < len(tv) else 0.5
    metrics = {"val": block(pv, tv, lv, threshold), "test": block(pt, tt, lt, threshold), "best_step": best_step,
               "steps": total, "train_seconds": train_seconds,
               "images_per_second": total * a.batch_size / train_seconds if train_seconds > 0 else None,
               "process_seconds": time.time() - started}
    write_json(files["metrics"], metrics)
    os.remove(files["checkpoint"])
    sys.stderr.write(f"done: best val AUC {metrics['val']['auc']:.4f} at step {best_step}; test AUC "
                     f"{metrics['test']['auc']:.4f} -> {a.out}\n")


if __name__ == "__main__":
    main()
