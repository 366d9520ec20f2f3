#!/usr/bin/env bash
# Start-up of the commands every user runs (issue 33): `transfusion --help`, `transfusion models` and
# `transfusion similarity --help`, whole processes through the launcher, alternating, ROUNDS times each (default 10);
# prints each case's median and the ratio. Run it on a quiet machine.
#
#   bench/startup/run.sh [ROUNDS]                      # without (TRANSFUSION_CDS=0) and with the class-sharing archive
#   bench/startup/run.sh [ROUNDS] --against OTHER_ROOT # another checkout's launcher (built) against this one's
set -euo pipefail
rounds=10
other=""
while [ $# -gt 0 ]; do
  case "$1" in
    --against) other=$(cd "$2" && pwd); shift 2 ;;
    *) rounds=$1; shift ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
t="$root/transfusion"
"$t" models >/dev/null   # builds if needed, and makes the archive
[ -z "$other" ] || "$other/transfusion" models >/dev/null
grep -m1 "model name" /proc/cpuinfo; echo "cpu family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), cpus $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
measure() { # launcher cds args...
  local launcher=$1 cds=$2; shift 2
  local s e
  s=$(date +%s%N); TRANSFUSION_CDS=$cds "$launcher" "$@" >/dev/null; e=$(date +%s%N)
  echo "$(( (e - s) / 1000 ))e-6"
}
for cmd in "--help" "models" "similarity --help"; do
  a=(); b=()
  for ((i = 0; i < rounds; i++)); do
    if [ -n "$other" ]; then
      # shellcheck disable=SC2086
      a+=("$(measure "$other/transfusion" 1 $cmd)"); b+=("$(measure "$t" 1 $cmd)")
    else
      # shellcheck disable=SC2086
      a+=("$(measure "$t" 0 $cmd)"); b+=("$(measure "$t" 1 $cmd)")
    fi
  done
  python3 - "$cmd" "${a[*]}" "${b[*]}" "${other:+$other}" <<'PY'
import statistics, sys
cmd, a, b, other = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()], sys.argv[4]
ma, mb = statistics.median(a), statistics.median(b)
if other:
    print("transfusion %-17s %s %.3f s, this checkout %.3f s (medians of %d): %.2fx" % (cmd, other, ma, mb, len(a), ma / mb))
else:
    print("transfusion %-17s without CDS %.3f s, with %.3f s (medians of %d): %.2fx" % (cmd, ma, mb, len(a), ma / mb))
PY
done
