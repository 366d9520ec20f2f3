#!/usr/bin/env bash
# Every comparison under bench/, then one table of their results (bench/summary.py):
#   bench/run-all.sh                  # similarity (minutes) and training (about an hour on 2 cores)
#   bench/run-all.sh --no-training    # similarity only
# SIMILARITY_ARGS and TRAINING_ARGS pass options on, e.g. TRAINING_ARGS="--models cbr-small --sizes 64".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
training=1
for a in "$@"; do
  case "$a" in
    --no-training) training=0 ;;
    *) echo "usage: bench/run-all.sh [--no-training]" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC2086
"$here/similarity/compare.sh" ${SIMILARITY_ARGS:-}
if [ "$training" = 1 ]; then
  # shellcheck disable=SC2086
  "$here/training/run.sh" ${TRAINING_ARGS:-}
fi
echo
python3 "$here/summary.py"
