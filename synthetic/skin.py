"""Skin, hair, lighting and optics: everything in a synthetic photograph that is not the lesion.

Only integer drawing (Pillow ImageDraw), Pillow's fixed-point filters and resampling, and
element-wise numpy arithmetic are used on pixels, so the same seed gives the same bytes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

LIGHT_SKIN = np.array([232.0, 190.0, 165.0], dtype=np.float32)
DARK_SKIN = np.array([125.0, 82.0, 55.0], dtype=np.float32)


def smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1], [size, size] float32: random cells upsampled bicubically."""
    coarse = rng.integers(0, 256, size=(cells, cells), dtype=np.uint8)
    field = Image.fromarray(coarse, mode="L").resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(field, dtype=np.float32) / 127.5 - 1.0


def coordinate_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates normalised to [-1, 1] (x, y), float32."""
    axis = (np.arange(size, dtype=np.float32) + 0.5) / np.float32(size) * 2 - 1
    return np.meshgrid(axis, axis)


def skin_background(rng: np.random.Generator, size: int, sun_damage: bool) -> np.ndarray:
    """[size, size, 3] float32 skin with tone, mottling, pores and optional sun damage."""
    tone = np.float32(rng.uniform(0.0, 1.0) ** 1.6)
    base = LIGHT_SKIN * (1 - tone) + DARK_SKIN * tone
    base = base * rng.uniform(0.95, 1.05, size=3).astype(np.float32)
    mottling = smooth_noise(rng, size, int(rng.integers(4, 9)))[..., None] * np.float32(rng.uniform(4, 10))
    pores = rng.normal(0.0, rng.uniform(1.5, 4.0), size=(size, size, 1)).astype(np.float32)
    skin = np.broadcast_to(base, (size, size, 3)) + mottling + pores
    if sun_damage:
        redness = np.clip(smooth_noise(rng, size, 6), 0, 1)[..., None]
        skin = skin + redness * np.array([18.0, -14.0, -12.0], dtype=np.float32) * np.float32(rng.uniform(0.6, 1.4))
        skin = draw_freckles(rng, skin, int(rng.integers(8, 30)))
    return skin


def draw_freckles(rng: np.random.Generator, skin: np.ndarray, count: int) -> np.ndarray:
    """Small soft brown macules scattered over the background (solar lentigines)."""
    size = skin.shape[0]
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        x, y = rng.integers(0, size, size=2)
        r = int(rng.integers(2, max(3, size // 40)))
        draw.ellipse((int(x) - r, int(y) - r, int(x) + r, int(y) + r), fill=int(rng.integers(60, 160)))
    alpha = np.asarray(layer.filter(ImageFilter.GaussianBlur(2)), dtype=np.float32)[..., None] / 255
    return skin * (1 - alpha) + np.array([150.0, 100.0, 70.0], dtype=np.float32) * alpha


def illumination(rng: np.random.Generator, size: int, strength: float, falloff: float) -> np.ndarray:
    """[size, size, 1] gain: a linear gradient in a random direction times a radial fall-off."""
    x, y = coordinate_grid(size)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = x * np.float32(np.cos(angle)) + y * np.float32(np.sin(angle))
    gain = 1 + np.float32(strength) * ramp - np.float32(falloff) * (x * x + y * y)
    return gain[..., None]


def draw_hairs(rng: np.random.Generator, image: Image.Image, count: int, max_width: int) -> Image.Image:
    """Dark curved hairs as quadratic Bezier polylines crossing the image."""
    size = image.size[0]
    draw = ImageDraw.Draw(image)
    t = np.linspace(0.0, 1.0, 24)[:, None]
    for _ in range(count):
        p0, p1, p2 = rng.uniform(-0.1 * size, 1.1 * size, size=(3, 2))
        points = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t * t * p2
        colour = tuple(int(c) for c in rng.integers(15, 70, size=3))
        width = int(rng.integers(1, max_width + 1))
        draw.line([tuple(int(v) for v in np.rint(p)) for p in points], fill=colour, width=width, joint="curve")
    return image


def dermoscope_vignette(rng: np.random.Generator, size: int) -> np.ndarray:
    """[size, size, 1] mask, 1 inside the dermoscope's field of view and 0 in the black corners."""
    centre = size / 2 + rng.uniform(-0.06, 0.06, size=2) * size
    radius = rng.uniform(0.4, 0.53) * size
    layer = Image.new("L", (size, size), 0)
    corners = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    box = [int(np.rint(c)) for c in corners]
    ImageDraw.Draw(layer).ellipse(box, fill=255)
    layer = layer.filter(ImageFilter.GaussianBlur(float(rng.uniform(1.0, 3.0))))
    return np.asarray(layer, dtype=np.float32)[..., None] / 255
