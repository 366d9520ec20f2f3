#!/usr/bin/python3
"""Writes the TorchScript functions that engine's ScriptedOps calls through DJL's JNI, libtorch operators that
DJL's NDArray API does not reach, into engine/src/main/resources/org/transfusion/engine/model/:

  * relu6.pt: torch.nn.functional.hardtanh(x, 0, 6), what PyTorch's nn.ReLU6 runs (one pass forward,
    hardtanh_backward's one pass backward);
  * relu6_.pt: the same in place (hardtanh_), what torchvision's ReLU6(inplace=True) runs; for inference, where
    no gradient needs the input;
  * adam.pt: one Adam step of a list of parameters with libtorch's fused CPU kernel (torch._fused_adam_, one
    vectorised pass per tensor; the CPU kernel is libtorch 2.4's and later, so the function is compiled here with
    1.13, which knows the operator's schema from its CUDA kernel, and runs under the engine's libtorch 2.7.1), then
    the gradients zeroed (torch._foreach_zero_).

A build-time tool, never a runtime dependency: run it with Debian's python3-torch (1.13; libtorch 2.7.1 loads its
TorchScript) when a function changes, and commit the files. ScriptedOpsTest checks each loaded function against
what it replaced: relu(x) - relu(x - 6), and DJL's adamUpdate.

  /usr/bin/python3 scripts/scripted_ops.py
"""
import os
from typing import List

import torch
from torch import Tensor


class ReLU6(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.nn.functional.hardtanh(x, 0.0, 6.0)


class ReLU6InPlace(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.nn.functional.hardtanh_(x, 0.0, 6.0)


class Adam(torch.nn.Module):
    """Adam (L2 weight decay added to the gradient, torch.optim.Adam's) at step `step`."""

    def forward(self, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor],
                step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float) -> Tensor:
        steps = [step for _ in params]
        torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, torch.jit.annotate(List[Tensor], []), steps,
                           lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False,
                           maximize=False)
        torch._foreach_zero_(grads)
        return step


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = os.path.join(root, "engine/src/main/resources/org/transfusion/engine/model")
    relu6 = torch.jit.script(ReLU6())
    x = torch.linspace(-3, 9, 25)
    assert torch.equal(relu6(x), torch.nn.functional.relu6(x))
    relu6_ = torch.jit.script(ReLU6InPlace())
    y = x.clone()
    assert relu6_(y).data_ptr() == y.data_ptr() and torch.equal(y, torch.nn.functional.relu6(x))
    for name, module in (("relu6.pt", relu6), ("relu6_.pt", relu6_), ("adam.pt", torch.jit.script(Adam()))):
        out = os.path.join(folder, name)
        module.save(out)
        print(out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
