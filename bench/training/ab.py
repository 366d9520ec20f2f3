#!/usr/bin/env python3
"""A/B of two Transfusion settings on the training benchmark, same machine, same invocation, alternating.

    bench/training/ab.py --a=-Dtransfusion.conv1x1=onednn --b=-Dtransfusion.conv1x1=matmul \
        --models resnet50,mobilenet-v2 --sizes 64 --modes train --rounds 3

Each case runs 2 x rounds fresh JVMs (A, B, A, B, ...) of TrainingBench with the launcher's native settings
(source scripts/native-env.sh first, as run.sh does) and prints the median images/s of each side and B/A.
Build first: ./mvnw -B -q -Pbench -pl bench/training -am -DskipTests package
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(flags, root, model, size, mode, extra):
    bench = os.path.join(root, "bench", "training") if root else HERE
    cmd = ["java", "-Dai.djl.offline=true", *flags.split(), "-cp",
           f"{bench}/target/classes:{bench}/target/lib/*", "org.transfusion.bench.TrainingBench",
           "--model", model, "--size", str(size), "--mode", mode, *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--a", default="", help="JVM flags of side A (space-separated; may be empty)")
    p.add_argument("--b", default="", help="JVM flags of side B")
    p.add_argument("--a-root", help="another checkout (built with -Pbench) for side A, e.g. the code before a change")
    p.add_argument("--b-root", help="another checkout for side B")
    p.add_argument("--models", default="resnet50,mobilenet-v2")
    p.add_argument("--sizes", default="64")
    p.add_argument("--modes", default="train")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", default="5")
    a = p.parse_args()
    if "LD_PRELOAD" not in os.environ:
        print("ab.py: no allocator preloaded; source scripts/native-env.sh first", file=sys.stderr)
    extra = ["--repeats", a.repeats]
    print(f"A: {a.a} {a.a_root or ''}\nB: {a.b} {a.b_root or ''}")
    print(f"{'model':14} {'size':>4} {'mode':5} {'A img/s':>9} {'B img/s':>9} {'B/A':>6}  (per round A | B)")
    for model in a.models.split(","):
        for size in a.sizes.split(","):
            for mode in a.modes.split(","):
                ra, rb = [], []
                for _ in range(a.rounds):
                    ra.append(run(a.a, a.a_root, model, size, mode, extra)["images_per_second"])
                    rb.append(run(a.b, a.b_root, model, size, mode, extra)["images_per_second"])
                ma, mb = statistics.median(ra), statistics.median(rb)
                rounds = " ".join(f"{x:.1f}" for x in ra) + " | " + " ".join(f"{x:.1f}" for x in rb)
                print(f"{model:14} {size:>4} {mode:5} {ma:9.1f} {mb:9.1f} {mb / ma:6.2f}  ({rounds})", flush=True)


if __name__ == "__main__":
    main()
