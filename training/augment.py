"""Light augmentation on float batches: flips, quarter turns, small brightness/contrast/colour changes.

Lesion photographs have no canonical orientation, so flips and 90-degree turns are label-preserving;
colour changes stay small because colour carries class information.
"""

from __future__ import annotations

import torch


def augment_batch(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """[B, 3, H, W] in [0, 1] -> augmented copy, each sample with its own random draw."""
    size = batch.shape[0]
    out = batch.clone()
    flips = torch.rand(size, 2, generator=generator)
    turns = torch.randint(0, 4, (size,), generator=generator)
    for i in range(size):
        if flips[i, 0] < 0.5:
            out[i] = out[i].flip(-1)
        if flips[i, 1] < 0.5:
            out[i] = out[i].flip(-2)
        if turns[i] and out.shape[-1] == out.shape[-2]:
            out[i] = torch.rot90(out[i], int(turns[i]), dims=(-2, -1))
    brightness = 1 + (torch.rand(size, 1, 1, 1, generator=generator) - 0.5) * 0.2
    contrast = 1 + (torch.rand(size, 1, 1, 1, generator=generator) - 0.5) * 0.2
    colour = 1 + (torch.rand(size, 3, 1, 1, generator=generator) - 0.5) * 0.06
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * contrast + mean
    return (out * brightness * colour).clamp_(0.0, 1.0)
