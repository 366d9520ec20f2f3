#!/usr/bin/env bash
# Whole-command similarity speed, `transfusion similarity` against google/svcca, in one command:
#   bench/similarity/compare.sh [--sizes 10000x1024,50000x256] [--methods cca,pwcca] [--rounds 5]
# Builds the CLI (offline, package only), finds google/svcca (SVCCA_DIR, else a clone under
# ~/.cache/transfusion/svcca, made on first use), then runs compare.py (its --help lists the options).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

svcca="${SVCCA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/transfusion/svcca}"
if [ ! -f "$svcca/cca_core.py" ]; then
  echo "bench: cloning google/svcca into $svcca (set SVCCA_DIR to use a checkout you have)" >&2
  mkdir -p "$(dirname "$svcca")"
  git clone -q --depth 1 https://github.com/google/svcca "$svcca" || {
    echo "bench: cannot clone google/svcca; set SVCCA_DIR to a checkout of it" >&2; exit 1; }
fi

echo "bench: building the CLI (mvnw -o -pl cli -am package)" >&2
(cd "$root" && ./mvnw -B -q -o -pl cli -am -DskipTests package)
# the launcher rebuilds (and installs) when a source is newer than its jar; this build is current
touch "$root/cli/target/transfusion-cli.jar"
exec python3 "$here/compare.py" --svcca "$svcca" "$@"
