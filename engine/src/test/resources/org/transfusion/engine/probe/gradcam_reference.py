"""Grad-CAM reference values for GradCamReferenceTest, computed with PyTorch (Debian's python3-torch 1.13 and
python3-torchvision 0.14) independently of the Java code: the same weights and inputs (the formula of the test's
DeterministicWeights, reproduced below), the model built by torchvision (resnet18) or by the few lines below (the
CBR family), the gradient of the chosen logit taken by torch.autograd at the layer's output, then
cam = relu(sum_k mean_hw(grad_k) * A_k), F.interpolate(bilinear, align_corners=False) to the input size and
(cam - min) / (max - min).

Run: /usr/bin/python3 gradcam_reference.py   (prints the values the test embeds)
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.set_grad_enabled(True)


def unit(i, h):
    x = (i.astype(np.uint64) * np.uint64(0x9E3779B1) + np.uint64(h)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 4294967296.0


def fill(model):
    sd = model.state_dict()
    for key, t in sd.items():
        h = sum(ord(c) for c in key)
        n = t.numel()
        s = 2 * unit(np.arange(n), h) - 1
        fan_in = int(np.prod(t.shape[1:])) if t.dim() > 1 else 1
        if key.endswith('num_batches_tracked'):
            v = np.zeros(n)
        elif key.endswith('running_var'):
            v = 1 + 0.5 * s
        elif key.endswith('running_mean'):
            v = 0.1 * s
        elif t.dim() > 1:
            v = np.sqrt(6.0 / fan_in) * s
        elif key.endswith('bn3.weight'):
            v = 0.2 + 0.02 * s
        elif 'bn' in key.split('.')[-2] or key.split('.')[-2] in ('bn1', 'bn2') or 'downsample.1' in key:
            v = (1 + 0.1 * s) if key.endswith('weight') else 0.1 * s
        else:
            v = 0.1 * s  # conv/linear bias
        sd[key] = torch.tensor(v.reshape(tuple(t.shape)), dtype=t.dtype)
    model.load_state_dict(sd)
    model.eval()
    return model


def inputs(n, c, h, w):
    return torch.tensor((2 * unit(np.arange(n * c * h * w), 12345) - 1).reshape(n, c, h, w), dtype=torch.float32)


class Cbr(nn.Module):
    """The CBR family: conv (no bias, same padding) -> BN -> ReLU -> max-pool 3/2/1 per layer, GAP, linear."""

    def __init__(self, cin, outputs, widths, k):
        super().__init__()
        layers = []
        for w in widths:
            layers.append(nn.Module())
            layers[-1].conv = nn.Conv2d(cin, w, k, 1, k // 2, bias=False)
            layers[-1].bn = nn.BatchNorm2d(w)
            cin = w
        self.layers = nn.ModuleList(layers)
        self.fc = nn.Linear(cin, outputs)

    def forward(self, x, taps):
        for i, l in enumerate(self.layers):
            x = taps('layer%d' % (i + 1), F.relu(l.bn(l.conv(x))))
            x = F.max_pool2d(x, 3, 2, 1)
        return self.fc(x.mean((2, 3)))


def resnet_forward(m, x, taps):
    x = m.maxpool(taps('conv1', m.relu(m.bn1(m.conv1(x)))))
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        x = taps(name, getattr(m, name)(x))
    return m.fc(torch.flatten(m.avgpool(x), 1))


def gradcam(forward, x, layer, output):
    kept = {}

    def taps(name, a):
        if name == layer:
            a = a.detach().requires_grad_(True)
            kept['a'] = a
        return a

    logits = forward(x, taps)
    chosen = logits.argmax(1) if output is None else torch.full((x.shape[0],), output)
    logits.gather(1, chosen[:, None]).sum().backward()
    a, g = kept['a'], kept['a'].grad
    cam = F.relu((g.mean((2, 3), keepdim=True) * a).sum(1, keepdim=True))
    up = F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False)[:, 0]
    lo = up.flatten(1).min(1).values[:, None, None]
    hi = up.flatten(1).max(1).values[:, None, None]
    return chosen, logits.gather(1, chosen[:, None])[:, 0], cam[:, 0], (up - lo) / (hi - lo)


def show(name, result):
    chosen, score, cam, up = result
    print(name)
    for i in range(len(chosen)):
        print('  image %d: output %d, logit %.6f' % (i, chosen[i], score[i]))
        print('    layer map: ' + ', '.join('%.6ff' % v for v in cam[i].flatten().tolist()))
        step = up.shape[2] // 16
        print('    map row 7, every %d px: ' % step + ', '.join('%.6ff' % v for v in up[i, 7, ::step].tolist()))


torch.manual_seed(0)
cbr = fill(Cbr(3, 3, [32, 64, 128, 256], 7))  # cbr-small with 3 outputs
x = inputs(2, 3, 32, 32)
show('cbr-small layer4, largest logit', gradcam(cbr.forward, x, 'layer4', None))
show('cbr-small layer3, output 2', gradcam(cbr.forward, x, 'layer3', 2))
r18 = fill(torchvision.models.resnet18(num_classes=3))
x = inputs(2, 3, 64, 64)
show('resnet18 layer3, largest logit', gradcam(lambda x, t: resnet_forward(r18, x, t), x, 'layer3', None))
