"""Integer box pre-reduction: the first step of preprocessing version 2 (docs/preprocessing.md, "Version 2").

A photo is reduced by a power of two before the circle crop so that every later step costs what the
model input costs, not what the camera delivered. The rule and the rounding are exact integer
arithmetic, so the Kotlin and JS cores produce the same bytes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .crop import Box

REDUCTION_MARGIN = 2
"""The reduced short side stays >= this many times the model input's long side."""

MAX_DECODER_SCALE = 8
"""Largest scale DCT-scaling decoders offer (JPEG: 1/2, 1/4, 1/8)."""


def reduction_factor(width: int, height: int, input_size: tuple[int, int]) -> int:
    """Largest power of two ``k`` with ``min(width, height) // k >= 2 * max(input_size)``; 1 if none."""
    floor = REDUCTION_MARGIN * max(input_size)
    k = 1
    while min(width, height) // (2 * k) >= floor:
        k *= 2
    return k


def decoder_scale(width: int, height: int, input_size: tuple[int, int]) -> int:
    """The scale to ask a DCT-scaling decoder for: the reduction factor, at most 8."""
    return min(reduction_factor(width, height, input_size), MAX_DECODER_SCALE)


def box_reduce(image: Image.Image, k: int) -> Image.Image:
    """Average ``k x k`` blocks of an RGB image: ``(sum + n // 2) // n`` per channel, n = pixels in the block.

    The output is ``ceil(width / k) x ceil(height / k)``; blocks at the right and bottom edges are
    smaller when the size is not a multiple of ``k`` and are averaged over their own pixel count.

    Pillow's ``Image.reduce`` computes exactly this for whole blocks when ``k`` is a power of two (its
    multiplier ``2**24 // n`` is then exact); its edge blocks use an approximate divisor, so the last
    column and row of blocks are recomputed here when the size is not a multiple of ``k``.
    """
    if k == 1:
        return image
    out = image.reduce(k)
    width, height = image.size
    ex, ey = width % k, height % k
    if not ex and not ey:
        return out
    rgb = np.asarray(image)
    fixed = np.array(out)  # writable copy of the small image only
    if ex:
        fixed[:, -1] = _block_means(rgb[:, width - ex:], k, ex)
    if ey:
        fixed[-1, :] = _block_means(rgb[height - ey:, :].transpose(1, 0, 2), k, ey)
    return Image.fromarray(fixed)


def _block_means(strip: np.ndarray, k: int, thickness: int) -> np.ndarray:
    """Exact means of the blocks of a ``[L, thickness, 3]`` strip cut every ``k`` along its length."""
    length = strip.shape[0]
    sums = np.add.reduceat(strip.astype(np.uint32).sum(axis=1), np.arange(0, length, k), axis=0)
    counts = np.minimum(k, length - np.arange(0, length, k)) * thickness
    return ((sums + (counts // 2)[:, None]) // counts[:, None]).astype(np.uint8)


def scale_box(box: Box | None, k: int, width: int, height: int) -> Box | None:
    """A box found on the reduced image in the coordinates of the ``width x height`` image it came from."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return x0 * k, y0 * k, min(x1 * k, width), min(y1 * k, height)
