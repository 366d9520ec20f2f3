#!/usr/bin/env bash
# Installs with apt the Debian packages a peer of the benchmarks needs, those that are missing:
#   bench/peer/install.sh python3-torch python3-torchvision libtcmalloc-minimal4
# A python3-NAME package is present when Debian's /usr/bin/python3 imports NAME (python3-sklearn: sklearn);
# libtcmalloc-minimal4 when its library is there (the allocator the launcher preloads).
set -euo pipefail
need=()
for pkg in "$@"; do
  case "$pkg" in
    libtcmalloc-minimal4) [ -f /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ] || need+=("$pkg") ;;
    python3-*) /usr/bin/python3 -c "import ${pkg#python3-}" >/dev/null 2>&1 || need+=("$pkg") ;;
    *) echo "bench/peer/install.sh: cannot tell whether $pkg is installed" >&2; exit 2 ;;
  esac
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "bench: installing ${need[*]} with apt" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
