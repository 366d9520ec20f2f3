#!/usr/bin/python3
"""Writes engine/src/main/resources/org/transfusion/engine/model/relu6.pt, the TorchScript function that
engine's ScriptedOps.relu6 calls through DJL's JNI: torch.nn.functional.hardtanh(x, 0, 6), what PyTorch's
nn.ReLU6 runs (one pass forward, hardtanh_backward's one pass backward), which DJL's NDArray API does not reach.

A build-time tool, never a runtime dependency: run it with Debian's python3-torch (1.13; libtorch 2.7.1 loads its
TorchScript) when the function changes, and commit the file. ScriptedOpsTest checks the loaded function against
the formula and the gradient against relu(x) - relu(x - 6), the formulation it replaced.

  /usr/bin/python3 scripts/relu6_torchscript.py
"""
import os

import torch


class ReLU6(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.hardtanh(x, 0.0, 6.0)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "engine/src/main/resources/org/transfusion/engine/model/relu6.pt")
    scripted = torch.jit.script(ReLU6())
    x = torch.linspace(-3, 9, 25)
    assert torch.equal(scripted(x), torch.nn.functional.relu6(x))
    scripted.save(out)
    print(out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
