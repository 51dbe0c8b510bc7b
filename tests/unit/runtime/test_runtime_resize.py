"""The resize algorithm written in docs/preprocessing.md, transcribed to numpy, equals Pillow bit for bit.

This is what lets the Kotlin port implement the resize from the document alone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hierattn.runtime.preprocess import bilinear_resize

PRECISION_BITS = 22


def _coefficients(in_size: int, out_size: int) -> tuple[list[int], list[list[int]]]:
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale
    ss = 1.0 / filterscale
    starts, kernels = [], []
    for i in range(out_size):
        center = (i + 0.5) * scale
        xmin = max(math.trunc(center - support + 0.5), 0)
        xmax = min(math.trunc(center + support + 0.5), in_size)
        weights = []
        for j in range(xmax - xmin):
            t = abs((j + xmin - center + 0.5) * ss)
            weights.append(1.0 - t if t < 1.0 else 0.0)
        total = 0.0
        for w in weights:
            total += w
        if total != 0.0:
            weights = [w / total for w in weights]
        fixed = [
            math.trunc(0.5 + w * (1 << PRECISION_BITS)) if w >= 0 else math.trunc(-0.5 + w * (1 << PRECISION_BITS))
            for w in weights
        ]
        starts.append(xmin)
        kernels.append(fixed)
    return starts, kernels


def _pass(image: np.ndarray, out_size: int, axis: int) -> np.ndarray:
    """One pass along ``axis`` of an HxWxC uint8 image, 32-bit integer accumulation, clamped."""
    in_size = image.shape[axis]
    if in_size == out_size:
        return image
    moved = np.moveaxis(image, axis, 0).astype(np.int64)
    out = np.empty((out_size, *moved.shape[1:]), dtype=np.uint8)
    starts, kernels = _coefficients(in_size, out_size)
    for i, (start, kernel) in enumerate(zip(starts, kernels, strict=True)):
        acc = np.full(moved.shape[1:], 1 << (PRECISION_BITS - 1), dtype=np.int64)
        for j, k in enumerate(kernel):
            acc += moved[start + j] * k
        out[i] = np.clip(acc >> PRECISION_BITS, 0, 255)
    return np.moveaxis(out, 0, axis)


def documented_resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    return _pass(_pass(rgb, width, axis=1), height, axis=0)


@pytest.mark.parametrize(
    ("in_size", "out_size"),
    [((794, 795), (256, 256)), ((300, 200), (256, 256)), ((3, 3), (256, 256)), ((1, 1), (16, 16)),
     ((640, 37), (64, 64)), ((256, 256), (256, 256)), ((999, 257), (256, 255)), ((100, 100), (224, 160)),
     # height reduced much more than width: Pillow 13's own resize would run the vertical pass first
     ((300, 2000), (256, 256)), ((200, 1000), (256, 256)), ((257, 4000), (256, 256))],
)
def test_documented_algorithm_equals_pillow(in_size: tuple[int, int], out_size: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(in_size) + sum(out_size))
    rgb = rng.integers(0, 256, size=(in_size[1], in_size[0], 3), dtype=np.uint8)
    rgb[: in_size[1] // 2] //= 4  # add smooth structure next to the noise
    np.testing.assert_array_equal(documented_resize(rgb, *out_size), bilinear_resize(rgb, *out_size))
