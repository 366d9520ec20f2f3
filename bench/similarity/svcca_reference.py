#!/usr/bin/python3
"""The reference side of compare.py: google/svcca's CCA or PWCCA on two (points, neurons) float64 .npy files.

Usage: svcca_reference.py SVCCA_DIR cca|pwcca A.npy B.npy
SVCCA_DIR is a checkout of https://github.com/google/svcca (cca_core.py, pwcca.py); this file only calls it.
Prints one JSON line: {"value": ...}, the mean CCA coefficient (cca) or the PWCCA value (pwcca), as
`transfusion similarity` reports them.
"""
import json
import sys

svcca_dir, method, path_a, path_b = sys.argv[1:5]
sys.path.insert(0, svcca_dir)
import numpy as np  # noqa: E402
import cca_core  # noqa: E402
import pwcca  # noqa: E402

# svcca takes (neurons, points); a transposed view, as a user of svcca would pass it
a = np.load(path_a).T
b = np.load(path_b).T
if method == "cca":
    value = float(np.mean(cca_core.get_cca_similarity(a, b, epsilon=0., compute_dirns=False,
                                                      verbose=False)["cca_coef1"]))
elif method == "pwcca":
    value = float(pwcca.compute_pwcca(a, b, epsilon=0.)[0])
else:
    raise SystemExit(f"svcca_reference.py: unknown method {method}")
print(json.dumps({"value": value}))
