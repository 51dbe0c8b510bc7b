"""Large golden images drawn from an integer formula, so no multi-megabyte file is committed.

The Kotlin (``ProceduralImage``) and JS (``web_demo/tools/procedural.mjs``) tests draw the same pixels
from the same formula (docs/preprocessing.md,
"Golden vectors"); every intermediate value stays below 2**31 for sides up to 5000.
"""

from __future__ import annotations

import numpy as np

MAX_SIDE = 5000


def procedural_image(width: int, height: int) -> np.ndarray:
    """A dermoscopy-like ``height x width x 3`` uint8 image: textured disc, darker lesion, dark vignette."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"procedural images are 1..{MAX_SIDE} pixels a side, got {width}x{height}")
    x = np.arange(width, dtype=np.int32)[None, :]
    y = np.arange(height, dtype=np.int32)[:, None]
    side = min(width, height)
    cx, cy, r = width * 11 // 20, height * 9 // 20, side * 2 // 5
    lx, ly, lr = width // 2, height // 2, side // 8
    noise = (x * x * 31 + y * y * 17 + x * y * 7) % 29  # < 2**31 for sides <= MAX_SIDE
    disc = (2 * x + 1 - 2 * cx) ** 2 + (2 * y + 1 - 2 * cy) ** 2 <= 4 * r * r
    lesion = (x - lx) ** 2 * 4 + (y - ly) ** 2 * 5 < 4 * lr * lr
    ramp = (x + 2 * y) * 24 // (width + 2 * height)
    dark = (x * 13 + y * 7) % 12
    out = np.empty((height, width, 3), np.uint8)
    for c, (skin, spot) in enumerate(((176, 100), (128, 62), (108, 50))):
        out[..., c] = np.where(disc, np.where(lesion, spot + noise, skin + noise + ramp), dark)
    return out
