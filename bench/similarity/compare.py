#!/usr/bin/python3
"""Whole-command similarity speed: `transfusion similarity --method M A.npy B.npy` against google/svcca.

Started by bench/similarity/compare.sh, which builds the CLI and finds svcca first. For every size and method it
runs both tools as whole processes on the same float64 files, alternating (and swapping which goes first every
round) so that the machine's changing load hits both alike, and prints a Markdown table of the median wall
seconds, the ratio svcca / Transfusion (above 1: Transfusion is faster), the median CPU seconds (user + system,
all threads) and the relative difference of the two values. The load average is printed before and after.
After the rounds of a case, one more run of Transfusion with --timings (not counted in the table) says where its
time goes: a second table splits its wall time into JVM start, OpenBLAS load, reading, computing and printing.
The input files are generated once (seeded) under --data and reused. Every case is also written to
results/<timestamp>.jsonl, which bench/summary.py reads.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def inputs(data, n, p):
    """A and B of n points x p neurons, float64, B a noisy nonlinear function of A (so correlations vary)."""
    a_path = os.path.join(data, f"a_{n}x{p}.npy")
    b_path = os.path.join(data, f"b_{n}x{p}.npy")
    if not (os.path.exists(a_path) and os.path.exists(b_path)):
        import numpy as np
        os.makedirs(data, exist_ok=True)
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, p))
        b = np.tanh(a @ (rng.standard_normal((p, p)) / np.sqrt(p))) + 0.5 * rng.standard_normal((n, p))
        np.save(a_path, a)
        np.save(b_path, b)
    return a_path, b_path


def timed(cmd, env):
    """(wall seconds, CPU seconds of the process and its threads, stdout, stderr) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = resource_of(proc)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
        raise SystemExit(f"compare.py: {' '.join(cmd[:4])}... failed with exit code {proc.returncode}")
    return wall, usage, out.decode(), err.decode(errors="replace")


_children_cpu = [0.0]


def resource_of(proc):
    """CPU seconds the child just reaped used (the difference of RUSAGE_CHILDREN before and after)."""
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = r.ru_utime + r.ru_stime
    used = total - _children_cpu[0]
    _children_cpu[0] = total
    return used


def transfusion_value(out, method):
    report = json.loads(out)
    return report["cca"]["mean"] if method == "cca" else report["pwcca"]["value"]


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--svcca", required=True, help="checkout of github.com/google/svcca")
    ap.add_argument("--sizes", default="10000x1024,50000x256,10000x2048")
    ap.add_argument("--methods", default="cca,pwcca")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(HERE, "data"), help="where the generated inputs are kept")
    ap.add_argument("--python", default="python3", help="interpreter that runs svcca (default: python3)")
    ap.add_argument("--threads", type=int, default=0, help="OPENBLAS_NUM_THREADS for both tools (default: "
                    "unset, each tool as it runs by default)")
    ap.add_argument("--compact-memory", action="store_true", help="before every process of either tool, ask the "
                    "kernel to compact memory (/proc/sys/vm/compact_memory, root): numpy takes transparent huge pages "
                    "for its large arrays, and a process that has to compact while faulting them in ran 2-3x slower "
                    "(svcca at 50,000 x 256: 0.6 s or 1.4-1.9 s by the kernel's state); this gives both tools the "
                    "same, unfragmented start")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    if args.compact_memory and not os.access("/proc/sys/vm/compact_memory", os.W_OK):
        raise SystemExit("compare.py: --compact-memory needs write access to /proc/sys/vm/compact_memory (root)")
    os.makedirs(args.out, exist_ok=True)
    raw_path = os.path.join(args.out, datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ".jsonl")
    raw = open(raw_path, "w")

    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
    if args.threads > 0:
        env["OPENBLAS_NUM_THREADS"] = str(args.threads)
    print(f"load average before: {load()}; OPENBLAS_NUM_THREADS {env.get('OPENBLAS_NUM_THREADS', 'unset')}; "
          f"memory compacted before each process: {'yes' if args.compact_memory else 'no'}", flush=True)
    print("| size (points x neurons) | method | Transfusion s | svcca s | svcca / Transfusion "
          "| fastest of each: Transfusion, svcca, ratio | Transfusion CPU s | svcca CPU s | relative difference |")
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    splits = []
    for size in args.sizes.split(","):
        n, p = (int(v) for v in size.lower().split("x"))
        a, b = inputs(args.data, n, p)
        for method in args.methods.split(","):
            ours = [os.path.join(ROOT, "transfusion"), "similarity", "--method", method, a, b]
            theirs = [args.python, os.path.join(HERE, "svcca_reference.py"), args.svcca, method, a, b]
            runs = {"t": [], "s": []}
            values = {}
            for r in range(args.rounds):
                order = [("t", ours), ("s", theirs)] if r % 2 == 0 else [("s", theirs), ("t", ours)]
                for key, cmd in order:
                    if args.compact_memory:
                        with open("/proc/sys/vm/compact_memory", "w") as f:
                            f.write("1\n")
                    wall, cpu, out, _ = timed(cmd, env)
                    runs[key].append((wall, cpu))
                    values[key] = transfusion_value(out, method) if key == "t" else json.loads(out)["value"]
            # one more run of ours, not counted above, with --timings: where its time goes
            wall, _, _, err = timed(ours + ["--timings"], env)
            stages = [json.loads(line)["timings"] for line in err.splitlines() if line.startswith('{"timings"')][-1]
            stages["wall_s"] = wall
            splits.append((n, p, method, stages))
            t = statistics.median(w for w, _ in runs["t"])
            s = statistics.median(w for w, _ in runs["s"])
            tc = statistics.median(c for _, c in runs["t"])
            sc = statistics.median(c for _, c in runs["s"])
            diff = abs(values["t"] - values["s"]) / abs(values["s"])
            tb = min(w for w, _ in runs["t"])
            sb = min(w for w, _ in runs["s"])
            row = (f"| {n:,} x {p:,} | {method} | {t:.2f} | {s:.2f} | {s / t:.2f}x | {tb:.2f}, {sb:.2f}, {sb / tb:.2f}x "
                   f"| {tc:.2f} | {sc:.2f} | {diff:.1e} |")
            print(row, flush=True)
            raw.write(json.dumps({"benchmark": "similarity", "case": f"{n:,} x {p:,} {method}",
                                  "transfusion_s": t, "peer": "google/svcca (numpy)", "peer_s": s,
                                  "transfusion_cpu_s": tc, "peer_cpu_s": sc, "relative_difference": diff,
                                  "transfusion_best_s": tb, "peer_best_s": sb, "compact_memory": args.compact_memory,
                                  "rounds": runs, "transfusion_split": stages}) + "\n")
            raw.flush()
    raw.close()
    print("\nWhere Transfusion's time goes (one extra run per case with --timings; seconds; JVM start = the JVM's "
          "uptime when the command began: class loading and option parsing; read wait = reading and checking the two "
          "files, at once, from then; OpenBLAS load = what is left of its load after that (it loads in the background "
          "from the JVM's start); rest = wall - the stages: the "
          "launcher script, process creation and the JVM's exit):\n")
    print("| size | method | wall | JVM start | OpenBLAS load | read wait | compute | print | rest |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, p, method, st in splits:
        known = [st[k] for k in ("jvm_start_s", "openblas_load_s", "read_wait_s", "compute_s", "print_s")]
        rest = st["wall_s"] - sum(known)
        cells = " | ".join(f"{v:.2f}" for v in known)
        print(f"| {n:,} x {p:,} | {method} | {st['wall_s']:.2f} | {cells} | {rest:.2f} |")
    print(f"\nload average after: {load()}; medians of {args.rounds} rounds; raw: {raw_path}")


if __name__ == "__main__":
    main()
