#!/usr/bin/python3
"""Reference logits and key lists of the modern backbones (vit-small-p16, vit-small-p8, convnext-tiny) for
engine's ModernBackbonesReferenceTest and TimmKeysTest (never a runtime dependency).

Builds timm's own models, so that our DJL forward passes are compared with the implementation whose weights they
load: timm at commit aa4b5850c1543fa488abf260f18390eda46cf85d (huggingface/pytorch-image-models, version
1.0.29.dev0), unpacked with `git archive HEAD | tar -x -C /tmp/timm-src2`, imported as is on Debian's
python3-torch 1.13.1:

    PYTHONPATH=/tmp/timm-src2 /usr/bin/python3 scripts/modern_backbones_reference.py

Models, each with num_classes=10 and timm's defaults otherwise (drop rates 0, eval mode):
  vit_small_patch16_224 (dynamic_img_size=True: the position embedding, trained on the 14 x 14 grid of 224 px, is
      resampled to the input's grid by timm's resample_abs_pos_embed, bicubic with antialias), at 64 px (grid 4) and
      224 px (grid 14: no resampling);
  vit_small_patch8_224 (dynamic_img_size=True; 28 x 28 native grid) at 64 px (grid 8);
  convnext_tiny at 64 px.
Every state-dict tensor is filled with the formula of the test's DeterministicWeights (same keys; the kind of a
tensor from the module or parameter that holds it; numpy uint64 arithmetic for the hash): conv and linear weights
sqrt(6 / fan_in) s, their biases 0.1 s; LayerNorm weight 1 + 0.1 s, bias 0.1 s; pos_embed and cls_token s; ConvNeXt's
layer scale gamma 0.1 + 0.05 s; s = 2 u - 1 uniform in [-1, 1). The input is DeterministicWeights.input(n, 3, H, W).
The forward runs in float64 (what the test compares with) and in float32 (printed: the float32 rounding our float32
forward is up against), and once more in float64 with GELU's tanh approximation in place of the exact erf GELU
(printed: the tolerance must be far below it to tell the two apart).

Writes into the folder given (default: the engine's test resources)
  org/transfusion/engine/model/{vit_small_p16_64,vit_small_p16_224,vit_small_p8_64,convnext_tiny_64}_logits.npy
  golden/timm-vit_small_patch16_224.keys.txt, golden/timm-convnext_tiny.keys.txt, golden/timm-vit_small_patch8_224.keys.txt
the key lists as TimmKeysTest's others: `key [shape]` per line, num_classes=1000, pretrained=False.
"""
import os
import sys

import numpy as np
import timm
import torch
import torch.nn as nn

RES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "engine", "src", "test", "resources")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_reference import unit  # noqa: E402  DeterministicWeights.unit, one copy for both scripts


def kinds(model):
    """Each state-dict key's kind, from the module holding it (conv, linear, layer norm) or its parameter name."""
    out = {}
    for name, module in model.named_modules():
        prefix = name + "." if name else ""
        if isinstance(module, nn.Conv2d) or isinstance(module, nn.Linear):
            out[prefix + "weight"] = "weight"
            if module.bias is not None:
                out[prefix + "bias"] = "bias"
        elif isinstance(module, nn.LayerNorm):  # timm's LayerNorm2d is one too
            out[prefix + "weight"] = "ln_weight"
            out[prefix + "bias"] = "ln_bias"
    for key in model.state_dict():
        last = key.rsplit(".", 1)[-1]
        if last in ("pos_embed", "cls_token"):
            out[key] = "embedding"
        elif last == "gamma":
            out[key] = "layer_scale"
    return out


def fill(model):
    state = model.state_dict()
    kind = kinds(model)
    for key, t in state.items():
        s = 2 * unit(t.numel(), sum(ord(c) for c in key)) - 1
        k = kind[key]  # a KeyError here is a tensor kind the formula does not cover
        if k == "weight":
            v = np.sqrt(6.0 / (t.numel() // t.shape[0])) * s
        elif k in ("bias", "ln_bias"):
            v = 0.1 * s
        elif k == "ln_weight":
            v = 1 + 0.1 * s
        elif k == "embedding":
            v = s
        else:
            v = 0.1 + 0.05 * s
        t.copy_(torch.from_numpy(v.astype(np.float32).reshape(t.shape)))
    model.load_state_dict(state)


def inputs(n, size):
    return torch.from_numpy((2 * unit(n * 3 * size * size, 12345) - 1).astype(np.float32).reshape(n, 3, size, size))


def tanh_gelu(model):
    for name, module in model.named_modules():
        for child_name, child in module.named_children():
            if type(child).__name__ == "GELU":  # nn.GELU (ViT) and timm.layers.GELU (ConvNeXt), both exact
                setattr(module, child_name, nn.GELU(approximate="tanh"))


def keys(name):
    m = timm.create_model(name, pretrained=False, num_classes=1000)
    return "".join("%s %s\n" % (k, str(list(v.shape)).replace(" ", "")) for k, v in m.state_dict().items())


def main():
    cases = [
        ("vit_small_p16_64", "vit_small_patch16_224", dict(dynamic_img_size=True), 2, 64),
        ("vit_small_p16_224", "vit_small_patch16_224", dict(dynamic_img_size=True), 1, 224),
        ("vit_small_p8_64", "vit_small_patch8_224", dict(dynamic_img_size=True), 2, 64),
        ("convnext_tiny_64", "convnext_tiny", dict(), 2, 64),
    ]
    for out, name, kw, n, size in cases:
        model = timm.create_model(name, pretrained=False, num_classes=10, **kw)
        fill(model)
        model.eval()
        x = inputs(n, size)
        with torch.no_grad():
            y32 = model(x).numpy()
            y = model.double()(x.double()).numpy()
            tanh_gelu(model)
            yt = model(x.double()).numpy()
        np.save(os.path.join(RES, "org", "transfusion", "engine", "model", out + "_logits.npy"), y)
        print("%s %s: keys %d, max |logit| %.3g, logits of the %s differ by up to %.3g; max |float32 - float64| "
              "%.3g, max |tanh-GELU - exact| %.3g" % (out, tuple(y.shape), len(model.state_dict()), np.abs(y).max(),
                                                      "two inputs" if n > 1 else "input from zero",
                                                      np.abs(y[0] - y[-1]).max() if n > 1 else np.abs(y).max(),
                                                      np.abs(y32 - y).max(), np.abs(yt - y).max()))
    for name in ["vit_small_patch16_224", "vit_small_patch8_224", "convnext_tiny"]:
        with open(os.path.join(RES, "golden", "timm-" + name + ".keys.txt"), "w") as f:
            f.write(keys(name))


if __name__ == "__main__":
    main()
