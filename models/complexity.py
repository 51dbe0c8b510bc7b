"""Parameter and operation counts, measured with PyTorch's own FLOP counter (never by hand)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_parameters(model: nn.Module) -> int:
    """Number of parameters (buffers such as BatchNorm statistics and pooling matrices excluded)."""
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def count_flops(model: nn.Module, input_size: tuple[int, int] = (256, 256)) -> int:
    """FLOPs of one eval-mode forward pass on a [1, 3, H, W] input (a multiply-add counts as 2).

    ``FlopCounterMode`` counts matrix products and convolutions, which dominate; elementwise ops
    (activations, normalisation, softmax) are not counted, as in the paper's pytorch-OpCounter figures.
    """
    was_training = model.training
    model.eval()
    try:
        counter = FlopCounterMode(display=False)
        with counter:
            model(torch.zeros(1, 3, *input_size))
        return int(counter.get_total_flops())
    finally:
        model.train(was_training)


def count_macs(model: nn.Module, input_size: tuple[int, int] = (256, 256)) -> int:
    """Multiply-accumulate operations of one forward pass (FLOPs / 2)."""
    return count_flops(model, input_size) // 2
