#!/usr/bin/env bash
# End-to-end training, `transfusion train` against the same run as a PyTorch script, in one command:
#   bench/e2e/compare.sh [--cases pneumonia28,pneumonia64,retina28,retina64] [--epochs 5] [--rounds 3] ...
# Installs what the peer needs when missing (Debian's python3-torch and python3-sklearn, libtcmalloc-minimal4),
# builds the CLI (offline, package only), sets the launcher's native environment (scripts/native-env.sh: the
# preloaded allocator and its settings) for both tools, then runs compare.py (its --help lists the options).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

"$here/../peer/install.sh" python3-torch python3-sklearn libtcmalloc-minimal4

echo "bench: building the CLI (mvnw -o -pl cli -am package)" >&2
(cd "$root" && ./mvnw -B -q -o -pl cli -am -DskipTests package)
# the launcher rebuilds (and installs) when a source is newer than its jar; this build is current
touch "$root/cli/target/transfusion-cli.jar"

# What the launcher sets for Transfusion, given to PyTorch too (compare.py --peer-allocator glibc drops the
# allocator for it). The launcher sources it again for Transfusion, which only names the same library twice in
# LD_PRELOAD (the dynamic loader loads it once).
. "$root/scripts/native-env.sh"
exec /usr/bin/python3 "$here/compare.py" "$@"
