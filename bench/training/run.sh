#!/usr/bin/env bash
# Training/inference speed, Transfusion vs PyTorch on this machine, in one command:
#   bench/training/run.sh [--models cbr-small,resnet50] [--sizes 64,128] [--modes train] [--repeats 5] ...
# Installs what the comparison needs when missing (Debian's python3-torch and python3-torchvision as the peer,
# libtcmalloc-minimal4, the allocator the launcher preloads), builds the benchmark, then runs compare.py
# (its --help lists the options). The table is printed and saved under bench/training/results/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

"$here/../peer/install.sh" python3-torch python3-torchvision libtcmalloc-minimal4

echo "bench: building (mvnw -Pbench -pl bench/training -am package)" >&2
(cd "$root" && ./mvnw -B -q -Pbench -pl bench/training -am -DskipTests package)

# Transfusion runs with the launcher's native settings; compare.py gives PyTorch the system allocator unless
# --peer-allocator same.
. "$root/scripts/native-env.sh"
exec /usr/bin/python3 "$here/compare.py" "$@"
