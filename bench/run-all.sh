#!/usr/bin/env bash
# Every comparison under bench/, then one table of their results (bench/summary.py):
#   bench/run-all.sh                          # similarity (minutes), training (about an hour on 2 cores), end to end
#   bench/run-all.sh --no-training --no-e2e   # similarity only
# The training comparison is like for like: PyTorch gets the same preloaded allocator (--peer-allocator same) and
# both tools run channels-last (--like-for-like). SIMILARITY_ARGS, TRAINING_ARGS and E2E_ARGS pass options on,
# e.g. TRAINING_ARGS="--models cbr-small --sizes 64", E2E_ARGS="--cases retina28,retina64 --rounds 5".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
training=1
e2e=1
for a in "$@"; do
  case "$a" in
    --no-training) training=0 ;;
    --no-e2e) e2e=0 ;;
    *) echo "usage: bench/run-all.sh [--no-training] [--no-e2e]" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC2086
"$here/similarity/compare.sh" ${SIMILARITY_ARGS:-}
if [ "$training" = 1 ]; then
  # shellcheck disable=SC2086
  # Like for like: PyTorch gets the allocator the launcher preloads for Transfusion (tcmalloc when installed), and
  # both run channels-last.
  "$here/training/run.sh" --peer-allocator same --like-for-like ${TRAINING_ARGS:-}
fi
if [ "$e2e" = 1 ]; then
  # shellcheck disable=SC2086
  "$here/e2e/compare.sh" ${E2E_ARGS:-}
fi
echo
python3 "$here/summary.py"
