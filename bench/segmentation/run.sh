#!/usr/bin/env bash
# Whole `transfusion train --task segmentation` (unet-resnet18 on CHASE_DB1) against the same work as a PyTorch
# script (train_unet.py), in one command:
#   bench/segmentation/run.sh
#   STEPS=500 PATCH=96 BATCH=16 ROUNDS=3 THREADS=2 bench/segmentation/run.sh
# Settings (environment): STEPS (200), PATCH (96), BATCH (16), ROUNDS (2), SEED (0), THREADS (both tools' threads;
# default each tool's own: all cores), DATA (the CHASE_DB1 folder, default ../shared/data/segmentation/chase_db1
# next to the repository), TRANSFUSION (the command, default ./transfusion), PEER_ALLOCATOR (same: PyTorch runs with
# the allocator the launcher preloads, as bench/e2e does; glibc: without), DATA_QUERY (appended to Transfusion's
# chase-db1:DATA spec) and PY_ARGS (added to train_unet.py's arguments), KEEP=1 keeps the run folders.
# Smoke run (minutes, not a measurement: fewer val/test images):
#   STEPS=2 PATCH=32 BATCH=2 ROUNDS=1 DATA_QUERY='?val=1&train=26' PY_ARGS='--limit-val 1 --limit-test 2' \
#     bench/segmentation/run.sh
# The tools alternate, the first one swapping every round. Each process runs under /usr/bin/time -v (wall time,
# peak RSS); the raw logs, time reports, metrics and the table go to bench/segmentation/results/<timestamp>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

STEPS="${STEPS:-200}"
PATCH="${PATCH:-96}"
BATCH="${BATCH:-16}"
ROUNDS="${ROUNDS:-2}"
SEED="${SEED:-0}"
THREADS="${THREADS:-}"
DATA="$(cd "${DATA:-$root/../shared/data/segmentation/chase_db1}" && pwd)"
TRANSFUSION="${TRANSFUSION:-$root/transfusion}"
PEER_ALLOCATOR="${PEER_ALLOCATOR:-same}"
DATA_QUERY="${DATA_QUERY:-}"
PY_ARGS="${PY_ARGS:-}"

for tool in /usr/bin/time /usr/bin/python3; do
  [ -x "$tool" ] || { echo "bench: $tool is missing (apt-get install time python3-torch python3-torchvision)" >&2; exit 1; }
done

out="$here/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
work="$(mktemp -d)"
[ "${KEEP:-0}" = "1" ] || trap 'rm -rf "$work"' EXIT
threads=()
[ -z "$THREADS" ] || threads=(--threads "$THREADS")

# The launcher builds on first use or when a source changed: do that now, outside the timings.
(cd "$root" && "$TRANSFUSION" --version >/dev/null)

# The allocator and libtorch settings the launcher uses, for PyTorch too (unless PEER_ALLOCATOR=glibc).
. "$root/scripts/native-env.sh"
peer_env=()
[ "$PEER_ALLOCATOR" = "same" ] || peer_env=(env -u LD_PRELOAD)

{
  echo "date: $(date -Iseconds)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ' (with changes)')"
  echo "settings: steps $STEPS, patch $PATCH, batch $BATCH, rounds $ROUNDS, seed $SEED, threads ${THREADS:-default}, peer allocator $PEER_ALLOCATOR (LD_PRELOAD=${LD_PRELOAD:-})"
  echo "data: $DATA$DATA_QUERY; PY_ARGS: $PY_ARGS"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/settings.txt"

transfusion() {
  local r="$1"
  echo "bench: round $r, Transfusion" >&2
  (cd "$root" && /usr/bin/time -v -o "$out/transfusion-$r.time" "$TRANSFUSION" train \
      --data "chase-db1:$DATA$DATA_QUERY" --task segmentation --model unet-resnet18 \
      --steps "$STEPS" --eval-every "$STEPS" --patch-size "$PATCH" --batch-size "$BATCH" --seed "$SEED" \
      "${threads[@]}" --out "$work/run-$r" >"$out/transfusion-$r.log" 2>&1)
  cp "$work/run-$r/metrics.json" "$out/transfusion-$r.metrics.json"
}

pytorch() {
  local r="$1"
  echo "bench: round $r, PyTorch" >&2
  # shellcheck disable=SC2086  # PY_ARGS is a list of words
  "${peer_env[@]}" /usr/bin/time -v -o "$out/pytorch-$r.time" /usr/bin/python3 "$here/train_unet.py" \
      --data "$DATA" --steps "$STEPS" --eval-every "$STEPS" --patch-size "$PATCH" --batch-size "$BATCH" \
      --seed "$SEED" "${threads[@]}" --json "$out/pytorch-$r.json" $PY_ARGS >"$out/pytorch-$r.log" 2>&1
}

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then transfusion "$r"; pytorch "$r"; else pytorch "$r"; transfusion "$r"; fi
done

# Inference alone (Transfusion): the test split of round 1's run, scored by sliding windows, as a whole command.
echo "bench: Transfusion evaluate --split test" >&2
(cd "$root" && /usr/bin/time -v -o "$out/transfusion-evaluate.time" "$TRANSFUSION" evaluate "$work/run-1" \
    --split test >"$out/transfusion-evaluate.json" 2>"$out/transfusion-evaluate.log")

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/settings.txt"
/usr/bin/python3 "$here/table.py" "$out" | tee "$out/table.md"
echo "bench: raw outputs in $out" >&2
