#!/usr/bin/python3
"""Reference numbers for engine's EfficientNetTest (never a runtime dependency).

Builds timm's efficientnet_b0 from timm's own source and writes what our EfficientNet (engine model package) is
checked against:

  * engine/src/test/resources/golden/timm-efficientnet_b0.keys.txt: the state dict of
    timm.create_model("efficientnet_b0", num_classes=1000), one "key [shape]" a line (no spaces inside the
    brackets), the format of the other golden key lists; timm-efficientnet_b0-w0.35.keys.txt the same for timm's
    builder at channel_multiplier=0.35 (_gen_efficientnet, what efficientnet_b0 calls with 1.0), where the
    rounding of every width, the squeeze-excitation's included, shows;
  * engine/src/test/resources/org/transfusion/engine/model/efficientnet_b0_{eval,train}_logits.npy: the logits
    (2, 10) of timm.create_model("efficientnet_b0", num_classes=10) in eval mode (BN's running statistics) and in
    training mode (the batch's statistics; timm's defaults drop_rate=0 and drop_path_rate=0 leave nothing random),
    in float64, for the input DeterministicWeights.input(2, 3, 64, 64), every state-dict tensor filled by the
    formula of the test's DeterministicWeights (same keys, numpy uint64 arithmetic for the hash).

Why both modes: with these weights the eval-mode logits hardly depend on the input (the two samples' differ by
2.5e-8). Every block without a shortcut scales the input's share of its output by about 0.07 (SiLU's slope of 1/2
near zero twice, the SE gate near 1/2, the damped bn3), while BN's biases and running means add the same offset to
every input, so after seven stages what remains is a function of the weights alone: still a check of every layer,
padding and SE gate on that path, but not of how the input moves through them. In training mode every BN
renormalises by the batch's statistics and the samples' logits differ by about 1.

It also prints the largest difference between timm's own float32 and float64 passes (the float32 rounding the
Java test's tolerance must allow) and whether tf_efficientnet_b0 (the TensorFlow-ported weights' model: "same"
padding, BN eps 1e-3) has the same keys and shapes.

timm: huggingface/pytorch-image-models at commit aa4b5850c1543fa488abf260f18390eda46cf85d (1.0.29.dev0), unpacked
with `git archive HEAD | tar -x -C /tmp/timm-src`; it imports as is on Debian's python3-torch 1.13.1.

    PYTHONPATH=/tmp/timm-src /usr/bin/python3 scripts/efficientnet_reference.py
"""
import os
import sys

import numpy as np
import timm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_reference import unit  # noqa: E402  DeterministicWeights.unit, one copy for both scripts

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "src", "test", "resources")
KEYS = os.path.join(ROOT, "golden", "timm-efficientnet_b0.keys.txt")
LOGITS = os.path.join(ROOT, "org", "transfusion", "engine", "model", "efficientnet_b0_%s_logits.npy")


def deterministic(key, t):
    """DeterministicWeights.of for one tensor; its kind read off the key and the rank, as TensorKind has it."""
    s = 2 * unit(t.numel(), sum(ord(c) for c in key)) - 1
    if key.endswith("num_batches_tracked"):
        return np.zeros(t.shape)
    if key.endswith("running_var"):
        return 1 + 0.5 * s
    if key.endswith("running_mean") or key.endswith("bias"):  # BN, conv (the SE's) and linear biases
        return 0.1 * s
    if t.dim() in (2, 4):  # conv and linear weights: He's variance over fan-in
        return np.sqrt(6.0 / (t.numel() // t.shape[0])) * s
    return 0.2 + 0.02 * s if key.endswith("bn3.weight") else 1 + 0.1 * s  # BN weight


def fill(model):
    state = model.state_dict()
    for key, t in state.items():
        v = deterministic(key, t)
        t.copy_(torch.from_numpy(v.astype(np.float32).reshape(t.shape)).to(t.dtype))
    model.load_state_dict(state)


def key_lines(model):
    return ["%s [%s]" % (k, ",".join(str(d) for d in v.shape)) for k, v in model.state_dict().items()]


def main():
    lines = key_lines(timm.create_model("efficientnet_b0", pretrained=False, num_classes=1000))
    with open(KEYS, "w") as f:
        f.write("\n".join(lines) + "\n")
    narrow = timm.models.efficientnet._gen_efficientnet("efficientnet_b0", channel_multiplier=0.35,
                                                          num_classes=1000)
    with open(KEYS.replace(".keys.txt", "-w0.35.keys.txt"), "w") as f:
        f.write("\n".join(key_lines(narrow)) + "\n")
    tf_lines = key_lines(timm.create_model("tf_efficientnet_b0", pretrained=False, num_classes=1000))
    print("timm", timm.__version__, "torch", torch.__version__, "keys", len(lines),
          "tf_efficientnet_b0 same keys and shapes:", tf_lines == lines)

    x = torch.from_numpy((2 * unit(2 * 3 * 64 * 64, 12345) - 1).astype(np.float32).reshape(2, 3, 64, 64))
    for mode in ["eval", "train"]:
        model = timm.create_model("efficientnet_b0", pretrained=False, num_classes=10)
        fill(model)
        model.train(mode == "train")
        with torch.no_grad():
            y32 = model(x).numpy()
            y = model.double()(x.double()).numpy()
        np.save(LOGITS % mode, y)
        print(mode, "logits", y.shape, "max |logit| %.3g, samples differ by up to %.3g, max |float32 - float64| %.3g"
              % (np.abs(y).max(), np.abs(y[0] - y[1]).max(), np.abs(y32 - y).max()))

if __name__ == "__main__":
    main()
