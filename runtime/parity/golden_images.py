"""Deterministic test images for the golden vectors: vignettes, off-centre and edge-case geometry.

Only integer random numbers and +, -, *, / comparisons are used, so every platform draws the same
pixels (no sin/exp/normal noise whose last bit can differ between math libraries).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SKIN = (196, 142, 122)
LESION = (104, 66, 52)


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Skin-like colour with a gradient, integer noise and one darker lesion blob."""
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.array(SKIN, np.int64)[None, None, :] + ((xx + 2 * yy) * 24 // max(width + 2 * height, 1))[..., None]
    base = base + rng.integers(-3, 4, size=(height, width, 3))
    cx, cy = width * int(rng.integers(35, 66)) // 100, height * int(rng.integers(35, 66)) // 100
    r = max(min(height, width) // 6, 1)
    blob = (xx - cx) ** 2 * 4 + (yy - cy) ** 2 * 5 < 4 * r * r
    base[blob] = np.array(LESION) + rng.integers(-3, 4, size=(int(blob.sum()), 3))
    return base


def _ellipse(height: int, width: int, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width]
    return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0


def _compose(rng: np.random.Generator, inside: np.ndarray) -> np.ndarray:
    """Texture inside the mask, a dark noisy vignette (grey well below 50) outside."""
    height, width = inside.shape
    dark = rng.integers(0, 12, size=(height, width, 1))
    rgb = np.where(inside[..., None], _texture(rng, height, width), dark)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def _vignette(height: int, width: int, fx: float, fy: float, fr: float) -> Callable[[np.random.Generator], np.ndarray]:
    def make(rng: np.random.Generator) -> np.ndarray:
        r = min(height, width) * fr
        return _compose(rng, _ellipse(height, width, width * fx, height * fy, r, r))

    return make


def _ellipse_scene(height: int, width: int, frx: float, fry: float) -> Callable[[np.random.Generator], np.ndarray]:
    def make(rng: np.random.Generator) -> np.ndarray:
        return _compose(rng, _ellipse(height, width, width / 2, height / 2, width * frx, height * fry))

    return make


def _two_regions(rng: np.random.Generator) -> np.ndarray:
    big = _ellipse(360, 480, 170, 190, 120, 120)
    small = _ellipse(360, 480, 400, 90, 50, 50)
    return _compose(rng, big | small)


def _ring_with_hole(rng: np.random.Generator) -> np.ndarray:
    outer = _ellipse(400, 400, 200, 205, 150, 150)
    hole = _ellipse(400, 400, 200, 205, 110, 110)
    island = _ellipse(400, 400, 200, 205, 30, 30)
    return _compose(rng, (outer & ~hole) | island)


def _big_disc(rng: np.random.Generator) -> np.ndarray:
    inside = _ellipse(400, 400, 200, 200, 238, 238)
    inside[:, :14] = False  # keep the box off the left and top edges so the area rule decides
    inside[:14, :] = False
    return _compose(rng, inside)


def _threshold_edge(rng: np.random.Generator) -> np.ndarray:
    """Colours scattered around grey 50: the exact luma formula, the closing and many small regions matter."""
    height, width = 200, 240
    rgb = rng.integers(10, 58, size=(height, width, 1)) + rng.integers(-3, 4, size=(height, width, 3))
    inside = _ellipse(height, width, 130, 95, 70, 70)
    rgb[inside] = _texture(rng, height, width)[inside]
    return np.clip(rgb, 0, 255).astype(np.uint8)


def _no_vignette(rng: np.random.Generator) -> np.ndarray:
    return np.clip(_texture(rng, 240, 320), 0, 255).astype(np.uint8)


def _tiny(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, size=(3, 3, 3)).astype(np.uint8)


def _flat(value: int, size: int = 64) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda rng: np.full((size, size, 3), value, np.uint8)


GOLDEN_SCENES: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "centred_vignette": _vignette(512, 512, 0.5, 0.5, 0.42),
    "off_centre_circle": _vignette(400, 480, 0.33, 0.6, 0.3),
    "clipped_circle": _vignette(360, 360, 0.3, 0.35, 0.45),
    "small_circle": _vignette(400, 400, 0.6, 0.4, 0.0625),
    "big_circle": _big_disc,
    "all_black": _flat(0),
    "all_white": _flat(255),
    "tiny_3x3": _tiny,
    "non_square_300x200": _vignette(200, 300, 0.5, 0.5, 0.45),
    "non_square_200x300": _vignette(300, 200, 0.5, 0.5, 0.45),
    "no_vignette": _no_vignette,
    "two_regions": _two_regions,
    "ring_with_hole": _ring_with_hole,
    "elongated_ellipse": _ellipse_scene(240, 640, 0.45, 0.2),
    "threshold_edge": _threshold_edge,
    "wide_ellipse_within_rule": _ellipse_scene(300, 500, 0.4, 0.4),
}
"""Name -> generator; each generator gets its own seeded ``numpy.random.Generator``."""


def golden_image(name: str) -> np.ndarray:
    """The RGB uint8 image for ``name``, identical on every run and platform."""
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(name))
    return GOLDEN_SCENES[name](np.random.default_rng(seed))
