# Sourced by ./transfusion and bench/training/run.sh: the native settings Transfusion runs with by default.
#
# A caching native allocator keeps libtorch from handing large tensors back to the OS after every step (with
# glibc: ~50% system time and millions of page faults at 224 px; with tcmalloc system time is near zero and a
# 224 px step took half the time). Preloaded when installed (Debian: libtcmalloc-minimal4 or libjemalloc2),
# glibc otherwise. TRANSFUSION_ALLOCATOR=none turns it off; TRANSFUSION_ALLOCATOR=/path/lib.so picks one.
if [ -z "${TRANSFUSION_ALLOCATOR:-}" ]; then
  for lib in /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2; do
    if [ -f "$lib" ]; then TRANSFUSION_ALLOCATOR="$lib"; break; fi
  done
fi
if [ -n "${TRANSFUSION_ALLOCATOR:-}" ] && [ "$TRANSFUSION_ALLOCATOR" != "none" ]; then
  if [ -f "$TRANSFUSION_ALLOCATOR" ]; then
    export LD_PRELOAD="${TRANSFUSION_ALLOCATOR}${LD_PRELOAD:+:$LD_PRELOAD}"
    case "$TRANSFUSION_ALLOCATOR" in
      # jemalloc only caches freed pages when told to never decay them
      *jemalloc*) export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}" ;;
      # tcmalloc by default gives freed spans back to the OS gradually: cbr-tiny inference at 224 px (a 0.8 GB
      # first feature map per batch) still spent 8-11% of user time in the kernel; never releasing: 0.02%
      *tcmalloc*) export TCMALLOC_RELEASE_RATE="${TCMALLOC_RELEASE_RATE:-0}" ;;
    esac
  else
    echo "transfusion: TRANSFUSION_ALLOCATOR=$TRANSFUSION_ALLOCATOR does not exist; using the system allocator" >&2
  fi
fi
export TORCH_CPP_LOG_LEVEL="${TORCH_CPP_LOG_LEVEL:-ERROR}"
# OpenBLAS (the similarity measures, through javacpp) keeps its worker threads spinning for 2^28 cycles (0.1 s here)
# after they start and after each call before they sleep; javacpp loads two copies of it, so on a 2-core machine their
# spinning took a tenth of the CPU of a `similarity` command. 2^22 cycles (under 2 ms) keeps them awake between the
# back-to-back calls of a LAPACK routine (PWCCA at 10,000 x 2,048: same time within noise; at 2^4, 8% slower).
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-22}"

# A native crash (a signal inside libtorch) must not leave hs_err_pid*.log files wherever the user happened to be,
# nor a bare JVM banner to decode: the JVM writes its log under the cache's crash folder and runs crash-note.sh,
# which prints one line saying what happened, where the log is and what to try; then it aborts (exit 134). No core
# file either (a libtorch process's core is gigabytes), unless TRANSFUSION_CORE_DUMPS=1. Child JVMs of
# `study --jobs` inherit these flags. The launcher passes "${TRANSFUSION_JVM_FLAGS[@]}" to java.
[ "${TRANSFUSION_CORE_DUMPS:-0}" = "1" ] || ulimit -c 0 2>/dev/null || true
transfusion_crash_dir="${TRANSFUSION_CACHE:-$HOME/.cache/transfusion}/crash"
mkdir -p "$transfusion_crash_dir" 2>/dev/null || transfusion_crash_dir="${TMPDIR:-/tmp}"
TRANSFUSION_JVM_FLAGS=(
  "-XX:ErrorFile=$transfusion_crash_dir/hs_err_pid%p.log"
  "-XX:OnError=sh '$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/crash-note.sh' %p '$transfusion_crash_dir'"
)
