#!/usr/bin/python3
"""Side-by-side training and inference throughput: Transfusion (Java, DJL + libtorch) and PyTorch (Python).

Started by bench/training/run.sh, which installs the peer and builds the benchmark first. For every case (model,
image size, train or infer) it runs, one process each and alternating between the tools so that drifts in the
machine's speed hit both alike:
  1. Transfusion as it runs by default (channels-last batches, the launcher's allocator)
  2. PyTorch, contiguous tensors (the default memory format)
  3. Transfusion with -Dtransfusion.memory-format=contiguous
  4. PyTorch with the model and inputs in torch.channels_last
It checks that both tools report the same parameter count, prints a Markdown table with the ratios
Transfusion / PyTorch, and writes every raw measurement to results/<timestamp>.jsonl and the table to
results/<timestamp>.md.

Both tools use the same batch, intra-op and inter-op threads, optimiser (Adam, lr 1e-3, L2 1e-4), loss (softmax
cross-entropy, 5 classes) and seeded random inputs copied to a fresh tensor every step. PyTorch runs as a user
would start it (glibc malloc) unless --peer-allocator same gives it Transfusion's preloaded allocator too.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd, env):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        sys.stderr.write(p.stderr[-3000:])
        raise SystemExit(f"compare.py: {' '.join(cmd[:3])}... failed with exit code {p.returncode}")
    return json.loads(lines[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt(x, digits=1):
    return "—" if x is None else f"{x:.{digits}f}"


def median_run(runs):
    """The run with the median images/s (the lower middle one for an even count); None for no runs."""
    if not runs:
        return None
    return sorted(runs, key=lambda r: r["images_per_second"])[(len(runs) - 1) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="cbr-tiny,cbr-small,mobilenet-v2,resnet50")
    p.add_argument("--sizes", default="28,64,128,224")
    p.add_argument("--modes", default="train,infer")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--rounds", type=int, default=1, help="run each case's alternating processes this many times "
                   "and report the median process per column (this machine's speed drifts by up to ~30%% between "
                   "processes; three rounds make a single slow process irrelevant)")
    p.add_argument("--repeat-seconds", type=float, default=2)
    p.add_argument("--warmup-seconds", type=float, default=3)
    p.add_argument("--peer-allocator", choices=["glibc", "same"], default="glibc")
    p.add_argument("--no-contiguous", action="store_true", help="skip Transfusion contiguous and PyTorch "
                   "channels-last (two runs per case instead of four)")
    p.add_argument("--like-for-like", action="store_true", help="only the like-for-like pair: Transfusion and "
                   "PyTorch both channels-last (two runs per case; with --peer-allocator same also the same allocator)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    a = p.parse_args()

    common = ["--batch", str(a.batch), "--repeats", str(a.repeats), "--repeat-seconds", str(a.repeat_seconds),
              "--warmup-seconds", str(a.warmup_seconds)]
    if "LD_PRELOAD" not in os.environ:
        sys.stderr.write("compare.py: no allocator preloaded; Transfusion runs with glibc malloc, not as the launcher "
                         "starts it. Run bench/training/run.sh instead (it sources scripts/native-env.sh).\n")
    java_env = dict(os.environ)
    peer_env = dict(os.environ)
    if a.peer_allocator == "glibc":
        peer_env.pop("LD_PRELOAD", None)
        peer_env.pop("MALLOC_CONF", None)
        peer_env.pop("TCMALLOC_RELEASE_RATE", None)
    java = ["java", "-Dai.djl.offline=true", "-Xmx4g", f"-Dai.djl.pytorch.num_threads={a.threads}",
            f"-Dai.djl.pytorch.num_interop_threads={a.threads}", "-cp",
            f"{HERE}/target/classes:{HERE}/target/lib/*", "org.transfusion.bench.TrainingBench"]
    peer = ["/usr/bin/python3", os.path.join(ROOT, "bench", "peer", "torch_bench.py"),
            "--threads", str(a.threads), "--interop-threads", str(a.threads)]

    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw_path = os.path.join(a.out, stamp + ".jsonl")
    md_path = os.path.join(a.out, stamp + ".md")
    rows = []
    header = ("| model | px | mode | Transfusion img/s | PyTorch img/s | ratio | Transfusion contiguous | ratio, "
              "contiguous | PyTorch channels-last | ratio, channels-last | Transfusion sys/user | peak RSS MB "
              "Transfusion / PyTorch |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(header, flush=True)
    with open(raw_path, "w") as raw:
        for model in a.models.split(","):
            for size in [int(s) for s in a.sizes.split(",")]:
                for mode in a.modes.split(","):
                    case = ["--model", model, "--size", str(size), "--mode", mode] + common
                    runs = {"t": [], "pt": [], "tc": [], "pcl": []}
                    for _ in range(a.rounds):
                        runs["t"].append(run(java + case + ["--memory-format", "channels-last"], java_env))
                        if a.like_for_like:
                            runs["pcl"].append(run(peer + case + ["--channels-last", "1"], peer_env))
                        else:
                            runs["pt"].append(run(peer + case, peer_env))
                        if not a.no_contiguous and not a.like_for_like:
                            runs["tc"].append(run(java + case + ["--memory-format", "contiguous"], java_env))
                            runs["pcl"].append(run(peer + case + ["--channels-last", "1"], peer_env))
                        for column in runs.values():
                            if column:
                                raw.write(json.dumps(column[-1]) + "\n")
                        raw.flush()
                    t, pt, tc, pcl = (median_run(runs[k]) for k in ("t", "pt", "tc", "pcl"))
                    peer_runs = runs["pt"] or runs["pcl"]  # PyTorch as installed, or channels-last alone
                    peer_run = median_run(peer_runs)
                    if t["parameters"] != peer_run["parameters"]:
                        raise SystemExit(f"{model}: Transfusion has {t['parameters']} parameters, PyTorch "
                                         f"{peer_run['parameters']}: the networks differ")
                    ips = lambda r: None if r is None else r["images_per_second"]
                    ratio = lambda x, y: None if x is None or y is None else x / y
                    sys_user = (sum(r["sys_seconds"] for r in runs["t"])
                                / max(sum(r["user_seconds"] for r in runs["t"]), 1e-9))
                    peak = lambda rs: max(r["peak_rss_mb"] for r in rs)
                    row = (f"| {model} | {size} | {mode} | {fmt(ips(t))} | {fmt(ips(pt))} | "
                           f"**{fmt(ratio(ips(t), ips(pt)), 2)}** | {fmt(ips(tc))} | {fmt(ratio(ips(tc), ips(pt)), 2)} | "
                           f"{fmt(ips(pcl))} | {fmt(ratio(ips(t), ips(pcl)), 2)} | {100 * sys_user:.1f}% | "
                           f"{peak(runs['t']):.0f} / {peak(peer_runs):.0f} |")
                    rows.append(row)
                    print(row, flush=True)
    machine = (f"{cpu_model()}, {os.cpu_count()} cores, {a.threads} threads per tool, batch {a.batch}; "
               f"Transfusion: {t['engine']}, Java {t['java']}, "
               f"allocator {t['allocator']}; PyTorch: {peer_run['engine']}, allocator {peer_run['allocator']}; "
               f"median of {a.repeats} measurements of >= {a.repeat_seconds:g} s after >= {a.warmup_seconds:g} s warm-up"
               + (f"; median process of {a.rounds} alternating rounds, peak RSS the largest" if a.rounds > 1 else ""))
    with open(md_path, "w") as f:
        f.write(machine + "\n\n" + header + "\n" + "\n".join(rows) + "\n")
    print("\n" + machine)
    print(f"raw measurements: {raw_path}\ntable: {md_path}")


if __name__ == "__main__":
    main()
