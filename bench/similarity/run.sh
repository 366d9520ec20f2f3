#!/usr/bin/env bash
# Builds the similarity module and this benchmark (offline, no install), then runs it. Arguments go to the
# benchmark, e.g. ./run.sh --sizes 10000x512 --repeats 5. OPENBLAS_NUM_THREADS sets OpenBLAS's threads.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$root" && ./mvnw -B -q -o -Pbench -pl bench/similarity -am -DskipTests package)
exec java -Xmx8g ${JAVA_OPTS:-} -cp "$here/target/classes:$here/target/lib/*" org.transfusion.bench.SimilarityBench "$@"
