#!/usr/bin/env bash
# Start-up of the commands every user runs (issue 33): `transfusion --help` and `transfusion models`, whole
# processes through the launcher, without (TRANSFUSION_CDS=0) and with the class-data sharing archive, alternating,
# ROUNDS times each (default 10); prints each case's median and the ratio. Run it on a quiet machine.
#
#   bench/startup/run.sh [ROUNDS]
set -euo pipefail
rounds=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
t="$root/transfusion"
"$t" models >/dev/null   # builds if needed, and makes the archive
grep -m1 "model name" /proc/cpuinfo; echo "cpus $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
measure() { # cds args...
  local cds=$1; shift
  local s e
  s=$(date +%s%N); TRANSFUSION_CDS=$cds "$t" "$@" >/dev/null; e=$(date +%s%N)
  echo "$(( (e - s) / 1000 ))e-6"
}
for cmd in "--help" "models"; do
  off=(); on=()
  for ((i = 0; i < rounds; i++)); do
    off+=("$(measure 0 $cmd)"); on+=("$(measure 1 $cmd)")
  done
  python3 - "$cmd" "${off[*]}" "${on[*]}" <<'PY'
import statistics, sys
cmd, off, on = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
a, b = statistics.median(off), statistics.median(on)
print("transfusion %-7s without CDS %.3f s, with %.3f s (medians of %d): %.2fx" % (cmd, a, b, len(off), a / b))
PY
done
