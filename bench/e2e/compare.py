#!/usr/bin/python3
"""End to end: `transfusion train` against the same training written as a PyTorch script (torch_train.py).

Started by bench/e2e/compare.sh, which builds the CLI and sets the launcher's native environment (allocator) for
both tools. For every case (a dataset at an image size) it trains cbr-small with the same flags on both sides
(epochs, batch, learning rate, validation interval, seed, threads), each as a whole process from start to exit
(data loading, augmentation, validation, checkpoints, the final test evaluation), alternating which tool goes
first every round so that the machine's changing load hits both alike. It prints a Markdown table of the median
wall and CPU seconds, the ratio PyTorch / Transfusion (above 1: Transfusion is faster) and both tools' test AUC
and best validation AUC (from each run folder's metrics.json), and writes every case to results/<timestamp>.jsonl,
which bench/summary.py reads. The load average is printed before and after.
"""
import argparse
import datetime
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MEDMNIST = os.path.join(os.path.dirname(ROOT), "shared", "data", "medmnist")

# name: (label, file under the MedMNIST folder, task, image size)
CASES = {
    "pneumonia28": ("PneumoniaMNIST subset 28 px", "pneumoniamnist_subset.npz", "binary", 28),
    "pneumonia64": ("PneumoniaMNIST subset 64 px", "pneumoniamnist_subset.npz", "binary", 64),
    "retina28": ("RetinaMNIST referable 28 px", "retinamnist.npz", "referable", 28),
    "retina64": ("RetinaMNIST referable 64 px", "retinamnist.npz", "referable", 64),
}

_children_cpu = [0.0]


def timed(cmd, env, log):
    """(wall seconds, CPU seconds of the process and all its threads) of one process; its output goes to log."""
    start = time.perf_counter()
    with open(log, "w") as out:
        code = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - start
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = r.ru_utime + r.ru_stime - _children_cpu[0]
    _children_cpu[0] = r.ru_utime + r.ru_stime
    if code != 0:
        with open(log) as f:
            sys.stderr.write(f.read()[-3000:])
        raise SystemExit(f"compare.py: {' '.join(cmd[:3])}... failed with exit code {code} (log: {log})")
    return wall, cpu


def aucs(run_dir):
    with open(os.path.join(run_dir, "metrics.json")) as f:
        m = json.load(f)
    return m["test"]["auc"], m["val"]["auc"], m["steps"]


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    ap.add_argument("--data-dir", default=MEDMNIST, help="folder of the .npz files (default: ../shared/data/medmnist)")
    ap.add_argument("--model", default="cbr-small")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--eval-every", type=int, default=0, help="validate every K steps (default: once per epoch)")
    ap.add_argument("--train-subset", type=int, help="train on a seeded subset of N images (both tools draw the same)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="--threads for both (default: all cores)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--transfusion", default=os.path.join(ROOT, "transfusion"),
                    help="command that runs the CLI (default: the launcher, ./transfusion)")
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter with torch, numpy and sklearn")
    ap.add_argument("--peer-allocator", choices=["same", "glibc"], default="same",
                    help="same: PyTorch gets the allocator the launcher preloads (LD_PRELOAD) too; glibc: it does not")
    ap.add_argument("--work", default=os.path.join(HERE, "work"), help="where the run folders go (removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the run folders and logs")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    unknown = [c for c in a.cases.split(",") if c not in CASES]
    if unknown:
        raise SystemExit(f"compare.py: unknown case {', '.join(unknown)} (expected some of {', '.join(CASES)})")

    env = dict(os.environ)
    if "LD_PRELOAD" not in env:
        sys.stderr.write("compare.py: no allocator preloaded (run it through compare.sh for the launcher's)\n")
    peer_env = dict(env)
    if a.peer_allocator == "glibc":
        peer_env.pop("LD_PRELOAD", None)
    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw_path = os.path.join(a.out, stamp + ".jsonl")
    work = os.path.join(a.work, stamp)
    os.makedirs(work, exist_ok=True)

    print(f"load average before: {load()}; {a.model}, {a.epochs} epoch{'s' * (a.epochs != 1)}, batch {a.batch_size}, lr {a.lr}, "
          f"eval every {a.eval_every or 'epoch'}, {a.threads} threads, seed {a.seed}"
          + (f", train subset {a.train_subset}" if a.train_subset else "")
          + f"; allocator {env.get('LD_PRELOAD', 'glibc')} (PyTorch: {peer_env.get('LD_PRELOAD', 'glibc')})",
          flush=True)
    print("| case | steps | Transfusion s | PyTorch s | PyTorch / Transfusion | Transfusion CPU s | PyTorch CPU s "
          "| test AUC Transfusion | test AUC PyTorch | best val AUC Transfusion | best val AUC PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    with open(raw_path, "w") as raw:
        for name in a.cases.split(","):
            label, file, task, size = CASES[name]
            flags = ["--data", "npz:" + os.path.join(a.data_dir, file), "--task", task, "--model", a.model,
                     "--image-size", str(size), "--epochs", str(a.epochs), "--batch-size", str(a.batch_size),
                     "--lr", str(a.lr), "--eval-every", str(a.eval_every), "--seed", str(a.seed),
                     "--threads", str(a.threads)]
            if a.train_subset:
                flags += ["--train-subset", str(a.train_subset)]
            tools = {"t": (shlex.split(a.transfusion) + ["train"] + flags, env),
                     "p": ([a.python, os.path.join(HERE, "torch_train.py")] + flags, peer_env)}
            runs = {"t": [], "p": []}
            for r in range(a.rounds):
                for key in (("t", "p") if r % 2 == 0 else ("p", "t")):
                    cmd, tool_env = tools[key]
                    run_dir = os.path.join(work, f"{name}-{key}-{r}")
                    wall, cpu = timed(cmd + ["--out", run_dir], tool_env, run_dir + ".log")
                    test_auc, val_auc, steps = aucs(run_dir)
                    runs[key].append({"wall_s": wall, "cpu_s": cpu, "test_auc": test_auc, "val_auc": val_auc,
                                      "steps": steps})
                    if not a.keep:
                        shutil.rmtree(run_dir)
                        os.remove(run_dir + ".log")

            def med(key, field):
                return statistics.median(x[field] for x in runs[key])

            t, p = med("t", "wall_s"), med("p", "wall_s")
            steps = runs["t"][0]["steps"]
            print(f"| {label} | {steps} | {t:.1f} | {p:.1f} | {p / t:.2f}x | {med('t', 'cpu_s'):.1f} "
                  f"| {med('p', 'cpu_s'):.1f} | {med('t', 'test_auc'):.4f} | {med('p', 'test_auc'):.4f} "
                  f"| {med('t', 'val_auc'):.4f} | {med('p', 'val_auc'):.4f} |", flush=True)
            raw.write(json.dumps({
                "benchmark": "e2e", "case": f"{label}, {a.model}, {a.epochs} epoch{'s' * (a.epochs != 1)}"
                + (f", {a.train_subset} train images" if a.train_subset else ""), "model": a.model,
                "epochs": a.epochs, "steps": steps, "batch_size": a.batch_size, "threads": a.threads,
                "train_subset": a.train_subset, "transfusion_s": t, "peer": "PyTorch script (bench/e2e)",
                "peer_s": p, "transfusion_cpu_s": med("t", "cpu_s"), "peer_cpu_s": med("p", "cpu_s"),
                "transfusion_test_auc": med("t", "test_auc"), "peer_test_auc": med("p", "test_auc"),
                "transfusion_val_auc": med("t", "val_auc"), "peer_val_auc": med("p", "val_auc"),
                "rounds": runs}) + "\n")
            raw.flush()
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average after: {load()}; medians of {a.rounds} rounds; raw: {raw_path}")


if __name__ == "__main__":
    main()
