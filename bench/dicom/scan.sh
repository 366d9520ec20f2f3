#!/usr/bin/env bash
# The header scan of a large DICOM dataset (issue 32), as a user meets it: `transfusion datasets inspect
# dicom:DIR --check 0` on N files (default 100,000) with a labels CSV. The command scans every header twice (once
# when the dataset opens, as train does, and once for inspect's report of syntaxes and modalities) and prints the
# time of each scan on stderr; this script reports those and the whole command's wall time, warm page cache
# (the files were just written) and, when /proc/sys/vm/drop_caches is writable, cold.
#
#   bench/dicom/scan.sh [N] [DIR]
#
# The files are copies of seven small grey files committed for the tests (JPEG lossless, JPEG 2000 lossless,
# RLE, native little and big endian, deflated, implicit), 0.4-6 KB each, written by Python's standard library.
set -euo pipefail
n=${1:-100000}
dir=${2:-/tmp/transfusion-dicom-bench}
root=$(cd "$(dirname "$0")/../.." && pwd)
res=$root/engine/src/test/resources
python3 - "$n" "$dir" "$res" <<'PY'
import os, sys
n, d, res = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seeds = [os.path.join(res, "dicom", "MR_small_jpegll.dcm")] + [
    os.path.join(res, "org/transfusion/engine/data/DicomFuzzTestInputs/decode", f) for f in (
        "j2k_grey8.dcm", "rle_grey16.dcm", "monochrome1_12bit_explicit_little.dcm",
        "monochrome1_12bit_explicit_big.dcm", "monochrome1_12bit_deflated_explicit_little.dcm",
        "monochrome1_12bit_implicit_little.dcm")]
data = [open(s, "rb").read() for s in seeds]
os.makedirs(d, exist_ok=True)
have = len([f for f in os.listdir(d) if f.endswith(".dcm")]) if os.path.isdir(d) else 0
if have != n:
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    with open(os.path.join(d, "labels.csv"), "w") as csv:
        csv.write("file,label\n")
        for i in range(n):
            name = "f%06d.dcm" % i
            with open(os.path.join(d, name), "wb") as out:
                out.write(data[i % len(data)])
            csv.write("%s,%d\n" % (name, i % 2))
print("%d files in %s, %.0f MB" % (n, d, sum(len(data[i % len(data)]) for i in range(n)) / 1e6))
PY
grep -m1 "model name" /proc/cpuinfo; nproc
run() {
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$root/transfusion" datasets inspect "dicom:$dir" --check 0 \
      2>&1 >/dev/null | grep -E "scanned|wall"
}
echo "== warm"; run; run
if [ -w /proc/sys/vm/drop_caches ]; then
  sync; echo 3 > /proc/sys/vm/drop_caches; echo "== cold (page cache dropped)"; run
fi
