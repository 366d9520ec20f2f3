#!/usr/bin/python3
"""Reference logits of two U-Nets for engine's UNetReferenceTest (never a runtime dependency).

Builds unet-cbr-tiny (2 outputs) and unet-resnet18 (1 output) in PyTorch from their description in
engine/src/main/java/org/transfusion/engine/model/UNet.java, independently of our DJL code: the encoder is
torchvision's resnet18 without fc / the CBR net (5x5 conv-BN-ReLU, 3x3 stride-2 max-pool padded 1), the decoder
at each stage F.interpolate(scale_factor=2, mode="nearest"), torch.cat([up, skip, stem], 1), two 3x3
conv-BN-ReLU, and a 1x1 head. Every tensor is filled with the formula of the test's DeterministicWeights (same
keys, numpy uint64 arithmetic for the hash); the input is DeterministicWeights.input(1, 3, 64, 64). Eval mode,
in float64 (the float32 pass of the same model differs from it by up to 8.6e-5 on unet-resnet18, whose logits reach
23, and 1.2e-5 on unet-cbr-tiny: float32 rounding, printed below). Writes unet_cbr_tiny_logits.npy and unet_resnet18_logits.npy into the folder given (default: the test
resources), each (1, outputs, 64, 64).

    /usr/bin/python3 scripts/unet_reference.py   # Debian's python3-torch 1.13 and python3-torchvision 0.14
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "engine", "src", "test", "resources", "org", "transfusion", "engine", "model")
MASK = np.uint64(0xFFFFFFFF)


def unit(n, h):
    """DeterministicWeights.unit for i = 0..n-1: lowbias32 of i * 0x9E3779B1 + h, over 2^32."""
    x = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(h)) & MASK
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & MASK
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & MASK
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 4294967296.0


def fill(model):
    """Every state-dict tensor by DeterministicWeights.of (keys decide the kind; the U-Nets have no linear layer)."""
    state = model.state_dict()
    for key, t in state.items():
        if key.endswith("num_batches_tracked"):
            t.zero_()
            continue
        s = 2 * unit(t.numel(), sum(ord(c) for c in key)) - 1
        if key.endswith("running_var"):
            v = 1 + 0.5 * s
        elif key.endswith("running_mean") or key.endswith("bias"):
            v = 0.1 * s
        elif t.dim() == 4:  # conv weight: He's variance over fan-in
            v = np.sqrt(6.0 / (t.numel() // t.shape[0])) * s
        else:  # batch-norm weight
            v = 0.2 + 0.02 * s if key.endswith("bn3.weight") else 1 + 0.1 * s
        t.copy_(torch.from_numpy(v.astype(np.float32).reshape(t.shape)))
    model.load_state_dict(state)


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class CbrEncoder(nn.Module):
    def __init__(self, cin, widths, k):
        super().__init__()
        self.layers = nn.ModuleList()
        for w in widths:
            self.layers.append(ConvBn(cin, w, k))
            cin = w
        self.scales = [(w, 2 ** i) for i, w in enumerate(widths)]

    def forward(self, x):
        maps = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            maps.append(x)
            x = F.max_pool2d(x, 3, 2, 1)
        return maps


class ResNetEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        r = torchvision.models.resnet18()
        for name in ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4"]:
            setattr(self, name, getattr(r, name))
        self.scales = [(64, 2), (64, 4), (128, 8), (256, 16), (512, 32)]

    def forward(self, x):
        c1 = F.relu(self.bn1(self.conv1(x)))
        h = F.max_pool2d(c1, 3, 2, 1)
        maps = [c1]
        for layer in [self.layer1, self.layer2, self.layer3, self.layer4]:
            h = layer(h)
            maps.append(h)
        return maps


class Stage(nn.Module):
    def __init__(self, cin, w):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, w, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.conv2 = nn.Conv2d(w, w, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(w)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class UNet(nn.Module):
    def __init__(self, encoder, cin, outputs, widths, stem=16):
        super().__init__()
        self.encoder = encoder
        self.decoder = nn.Module()
        self.decoder.stem = nn.ModuleList([ConvBn(cin, stem, 3), ConvBn(stem, stem, 3)])
        strides = {s: c for c, s in encoder.scales}
        channels, stride = encoder.scales[-1]
        self.plan = []
        for i, w in enumerate(widths):
            stride //= 2
            cat = channels + strides.get(stride, 0) + (stem if stride == 1 else 0)
            self.decoder.add_module(str(i), Stage(cat, w))
            self.plan.append(stride)
            channels = w
        self.decoder.head = nn.Conv2d(channels, outputs, 1)

    def forward(self, x):
        maps = self.encoder(x)
        by_stride = {s: m for (c, s), m in zip(self.encoder.scales, maps)}
        h = maps[-1]
        for i, stride in enumerate(self.plan):
            parts = [F.interpolate(h, scale_factor=2, mode="nearest")]
            if stride in by_stride:
                parts.append(by_stride[stride])
            if stride == 1:
                s = x
                for c in self.decoder.stem:
                    s = c(s)
                parts.append(s)
            h = getattr(self.decoder, str(i))(torch.cat(parts, 1))
        return self.decoder.head(h)


def main():
    x = torch.from_numpy((2 * unit(3 * 64 * 64, 12345) - 1).astype(np.float32).reshape(1, 3, 64, 64))
    models = {
        "unet_cbr_tiny": UNet(CbrEncoder(3, [64, 128, 256, 512], 5), 3, 2, [64, 32, 16]),
        "unet_resnet18": UNet(ResNetEncoder(), 3, 1, [256, 128, 64, 32, 16]),
    }
    for name, model in models.items():
        fill(model)
        model.eval()
        with torch.no_grad():
            y32 = model(x).numpy()
            y = model.double()(x.double()).numpy()
        np.save(os.path.join(OUT, name + "_logits.npy"), y)
        print(name, y.shape, "keys", len(model.state_dict()), "max |logit| %.3g, max |float32 - float64| %.3g"
              % (np.abs(y).max(), np.abs(y32 - y).max()))


if __name__ == "__main__":
    main()
