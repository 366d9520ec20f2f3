#!/bin/sh
# Run by the JVM when it dies on a native crash (-XX:OnError, set in scripts/native-env.sh): one line on stderr
# saying what happened, where the JVM's crash log is and what to try. Arguments: the JVM's pid, the crash folder.
pid="$1"
dir="$2"
log="$dir/hs_err_pid$pid.log"
frame=""
if [ -f "$log" ]; then
  # "# C  [libtorch_cpu.so+0x1166937c]  dnnl::...::est_eff_1x1()+0xa5c" -> the library and function that crashed
  frame=$(sed -n 's/^# [CJVj]  *//p' "$log" | head -n 1)
  signal=$(sed -n 's/^#  *\(SIG[A-Z]*\).*/\1/p' "$log" | head -n 1)
fi
hint="If it recurs, try TRANSFUSION_MEMORY_FORMAT=contiguous or --threads 1, and report it with the log."
case "$frame" in
  # oneDNN's 1x1 blocking heuristic dividing by zero on this CPU (see SmallMapConv.crashesOneDnn): leave a marker
  # that makes every later run on this cache split those convolutions (OneDnnProbe), whatever the probe found.
  *est_eff_1x1*)
    : > "$dir/onednn-1x1-crashed" 2>/dev/null
    hint="This is oneDNN's 1x1-convolution defect on this CPU: later runs now avoid it (marker $dir/onednn-1x1-crashed)."
    ;;
esac
echo "transfusion: the process died on a native crash${signal:+ ($signal)}${frame:+ in $frame}; JVM log: $log." \
  "A run folder is kept as of its last checkpoint: rerun the same command with --resume." \
  "$hint" >&2
