#!/usr/bin/python3
"""Reference pixel values of compressed DICOM files, for DicomCompressedTest.

Decodes every frame with pydicom 2.3 and GDCM (Debian: python3-pydicom, python3-gdcm) and prints, per frame, the
shape, min, max, sum and the SHA-256 of the values as little-endian int32, row by row, pixel by pixel, sample by
sample: what the test computes from Transfusion's decoded stored values. YBR data is left as decoded (no colour
conversion), as the test compares the samples before any conversion. Lossy JPEG 2000 decoders may round a few
samples differently (the irreversible 9/7 wavelet in floating point), so for those frames the values themselves are
also written, gzipped little-endian int32, to OUT/FILE.FRAME.le32.gz, for a comparison within a tolerance.

    cd engine/src/test/resources/dicom
    /usr/bin/python3 ../../../../../scripts/dicom-reference.py ../../../../../../shared/data/dicom/pydicom_test_files . \
        SC_rgb_jpeg_dcmtk.dcm SC_rgb_jpeg_gdcm.dcm MR_small_jp2klossless.dcm JPEG2000.dcm MR_small_RLE.dcm \
        SC_rgb_rle_2frame.dcm SC_rgb_rle_16bit_2frame.dcm MR_small_jpegll.dcm SC_rgb_jpegll_2frame.dcm \
        SC_rgb_j2k_2frame.dcm > reference.tsv

(each FILE is looked up in the shared folder, then in OUT).
"""
import gzip
import hashlib
import os
import sys

import numpy as np
import pydicom

pydicom.config.pixel_data_handlers = [h for h in pydicom.config.pixel_data_handlers
                                      if h.__name__.endswith(("gdcm_handler", "numpy_handler", "rle_handler"))]

print("file\tframe\tsyntax\tshape\tmin\tmax\tsum\tsha256")
root, out = sys.argv[1], sys.argv[2]
LOSSY_J2K = "1.2.840.10008.1.2.4.91"
for name in sys.argv[3:]:
    path = os.path.join(root, name)
    ds = pydicom.dcmread(path if os.path.exists(path) else os.path.join(out, name))
    frames = int(ds.get("NumberOfFrames", 1))
    a = ds.pixel_array
    if frames == 1:
        a = a[np.newaxis]
    for k in range(frames):
        f = a[k].astype(np.int64)
        digest = hashlib.sha256(f.astype("<i4").tobytes()).hexdigest()
        if ds.file_meta.TransferSyntaxUID == LOSSY_J2K:
            with open(os.path.join(out, "%s.%d.le32.gz" % (name, k)), "wb") as z:
                z.write(gzip.compress(f.astype("<i4").tobytes(), 9, mtime=0))
        print("%s\t%d\t%s\t%s\t%d\t%d\t%d\t%s" % (name, k, ds.file_meta.TransferSyntaxUID,
                                                 "x".join(str(n) for n in f.shape), f.min(), f.max(), f.sum(), digest))
