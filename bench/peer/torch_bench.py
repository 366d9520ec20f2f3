#!/usr/bin/python3
"""PyTorch peer of org.transfusion.bench.TrainingBench: the same networks, batch, threads, optimiser and loss,
timed the same way, printed as the same JSON fields (one line).

Networks: torchvision's resnet50 and mobilenet_v2, and the CBR family written here as Transfusion defines it
(conv without bias, "same" padding -> batch-norm -> ReLU -> 3x3 stride-2 max-pool padded by 1, global average
pool, linear). The runner checks that both sides report the same parameter count.

Run by bench/training/run.sh, which installs Debian's python3-torch; usable alone:
  /usr/bin/python3 bench/peer/torch_bench.py --model cbr-small --size 64 --mode train [--channels-last 1]
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

CBR = {
    "cbr-tiny": ([64, 128, 256, 512], 5),
    "cbr-small": ([32, 64, 128, 256], 7),
    "cbr-large-wide": ([64, 128, 256, 512], 7),
}


def cbr(widths, kernel, classes):
    layers, inp = [], 3
    for w in widths:
        layers += [nn.Conv2d(inp, w, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(w),
                   nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=1)]
        inp = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(inp, classes))


def build(name, classes):
    if name in CBR:
        widths, kernel = CBR[name]
        return cbr(widths, kernel, classes)
    if name == "resnet50":
        return torchvision.models.resnet50(num_classes=classes)
    if name == "mobilenet-v2":
        return torchvision.models.mobilenet_v2(num_classes=classes)
    raise SystemExit(f"torch_bench.py: unknown model {name}")


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="cbr-small")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--interop-threads", type=int, default=os.cpu_count())
    p.add_argument("--warmup-seconds", type=float, default=3)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--repeat-seconds", type=float, default=2)
    p.add_argument("--channels-last", type=int, default=0)
    p.add_argument("--profile", metavar="FILE", help="after the warm-up, run --profile-steps steps under "
                   "torch.profiler and write its Chrome trace to FILE (bench/training/profile_summary.py sums it per "
                   "operator, as it does TrainingBench --profile's); then exit")
    p.add_argument("--profile-steps", type=int, default=10)
    a = p.parse_args()

    torch.set_num_interop_threads(a.interop_threads)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = build(a.model, a.classes).to(memory_format=fmt)
    rng = np.random.default_rng(42)
    batches = [(rng.standard_normal((a.batch, 3, a.size, a.size), dtype=np.float32),
                torch.from_numpy(rng.integers(0, a.classes, a.batch)).long()) for _ in range(2)]
    k = [0]

    if a.mode == "train":
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            images, labels = batches[k[0] % 2]
            k[0] += 1
            x = torch.from_numpy(images).clone().contiguous(memory_format=fmt)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), labels)
            loss.backward()
            opt.step()
            if not torch.isfinite(loss):
                raise SystemExit(f"loss is {loss.item()}")
    else:
        model.eval()

        def step():
            images, _ = batches[k[0] % 2]
            k[0] += 1
            with torch.no_grad():
                x = torch.from_numpy(images).clone().contiguous(memory_format=fmt)
                torch.softmax(model(x), 1).numpy()

    w0 = time.perf_counter()
    warm = 0
    while warm < 2 or time.perf_counter() - w0 < a.warmup_seconds:
        step()
        warm += 1
    per_step = (time.perf_counter() - w0) / warm
    if a.profile:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
            for _ in range(a.profile_steps):
                step()
        prof.export_chrome_trace(a.profile)
        print(json.dumps({"profile": a.profile, "steps": a.profile_steps, "model": a.model, "size": a.size,
                          "mode": a.mode, "engine": f"torch {torch.__version__} (Python)"}))
        return
    steps_per_repeat = max(1, int(np.ceil(a.repeat_seconds / per_step)))
    cpu0 = os.times()
    rss_start = status_kb("VmRSS")
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(steps_per_repeat):
            step()
        rates.append(steps_per_repeat * a.batch / (time.perf_counter() - t0))
    cpu1 = os.times()
    print(json.dumps({
        "tool": "pytorch" + ("-channels-last" if a.channels_last else ""),
        "engine": f"torch {torch.__version__} (Python)",
        "model": a.model, "size": a.size, "mode": a.mode, "batch": a.batch,
        "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
        "parameters": sum(t.numel() for t in model.parameters()),
        "allocator": os.path.basename(os.environ["LD_PRELOAD"].split(":")[0]) if os.environ.get("LD_PRELOAD") else "glibc",
        "warmup_steps": warm, "steps_per_repeat": steps_per_repeat, "samples": rates,
        "images_per_second": statistics.median(rates),
        "user_seconds": cpu1.user - cpu0.user, "sys_seconds": cpu1.system - cpu0.system,
        "rss_start_mb": rss_start / 1024, "rss_end_mb": status_kb("VmRSS") / 1024,
        "peak_rss_mb": status_kb("VmHWM") / 1024,
    }))


if __name__ == "__main__":
    main()
