#!/usr/bin/env bash
# Training/inference speed, Transfusion vs PyTorch on this machine, in one command:
#   bench/training/run.sh [--models cbr-small,resnet50] [--sizes 64,128] [--modes train] [--repeats 5] ...
# Installs what the comparison needs when missing (Debian's python3-torch and python3-torchvision as the peer,
# libtcmalloc-minimal4, the allocator the launcher preloads), builds the benchmark, then runs compare.py
# (its --help lists the options). The table is printed and saved under bench/training/results/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

need=()
/usr/bin/python3 -c "import torch, torchvision" >/dev/null 2>&1 || need+=(python3-torch python3-torchvision)
[ -f /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ] || need+=(libtcmalloc-minimal4)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "bench: installing ${need[*]} with apt" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "bench: building (mvnw -Pbench -pl bench/training -am package)" >&2
(cd "$root" && ./mvnw -B -q -Pbench -pl bench/training -am -DskipTests package)

# Transfusion runs with the launcher's native settings; compare.py gives PyTorch the system allocator unless
# --peer-allocator same.
. "$root/scripts/native-env.sh"
exec /usr/bin/python3 "$here/compare.py" "$@"
