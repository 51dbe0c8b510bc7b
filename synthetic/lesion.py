"""Draw one lesion (shape, colours and internal structures) onto a skin background.

Shapes are polygons whose radius is a sum of random harmonics (border irregularity) times an
egg-shaped distortion (asymmetry); structures are drawn as integer Pillow primitives on 8-bit
layers, softened with Pillow's fixed-point blur, and composited with element-wise numpy arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .profiles import RGB, LesionProfile
from .skin import smooth_noise


@dataclass(frozen=True)
class Geometry:
    """Where the lesion is: centre (x, y) and radius in pixels, plus its border polygon."""

    cx: float
    cy: float
    radius: float
    polygon: tuple[tuple[int, int], ...]


def _jitter(rng: np.random.Generator, colour: RGB, amount: float) -> np.ndarray:
    return np.clip(np.array(colour, dtype=np.float32) * rng.uniform(1 - amount, 1 + amount, size=3), 0, 255).astype(np.float32)


def _layer(size: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("L", (size, size), 0)
    return layer, ImageDraw.Draw(layer)


def _alpha(layer: Image.Image, blur: float) -> np.ndarray:
    if blur > 0:
        layer = layer.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(layer, dtype=np.float32)[..., None] / 255


def _blend(image: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return image * (1 - alpha) + colour * alpha


def lesion_geometry(rng: np.random.Generator, profile: LesionProfile, size: int, zoom: float) -> Geometry:
    """Random border polygon for the class: harmonic wiggles plus an egg-shaped asymmetry."""
    radius = rng.uniform(*profile.radius) * size * zoom
    cx, cy = size / 2 + rng.uniform(-0.08, 0.08, size=2) * size
    theta = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    wiggle = np.zeros_like(theta)
    amplitude = rng.uniform(*profile.irregularity)
    for k in range(2, 9):
        wiggle += rng.normal(0, amplitude / np.sqrt(k - 1)) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    asymmetry = rng.uniform(*profile.asymmetry)
    egg = 1 + asymmetry * np.cos(theta - rng.uniform(0, 2 * np.pi))
    elongation = 1 + rng.uniform(0, asymmetry + 0.1)
    rotation = rng.uniform(0, np.pi)
    r = radius * np.clip(1 + wiggle, 0.5, 1.6) * egg / np.sqrt(elongation)
    x, y = r * elongation * np.cos(theta), r * np.sin(theta)
    xr = x * np.cos(rotation) - y * np.sin(rotation) + cx
    yr = x * np.sin(rotation) + y * np.cos(rotation) + cy
    polygon = tuple((int(a), int(b)) for a, b in zip(np.rint(xr), np.rint(yr), strict=True))
    return Geometry(float(cx), float(cy), float(radius), polygon)


def _random_points_inside(rng: np.random.Generator, geometry: Geometry, count: int, spread: float) -> np.ndarray:
    angles = rng.uniform(0, 2 * np.pi, count)
    radii = geometry.radius * spread * np.sqrt(rng.uniform(0, 1, count))
    return np.stack([geometry.cx + radii * np.cos(angles), geometry.cy + radii * np.sin(angles)], axis=1)


def draw_lesion(rng: np.random.Generator, skin: np.ndarray, profile: LesionProfile, zoom: float) -> np.ndarray:
    """Composite a lesion of the given class profile onto ``skin`` ([S, S, 3] float32)."""
    size = skin.shape[0]
    geometry = lesion_geometry(rng, profile, size, zoom)
    body_layer, draw = _layer(size)
    draw.polygon(geometry.polygon, fill=255)
    hard_mask = _alpha(body_layer, 0)
    body = _alpha(body_layer, rng.uniform(*profile.border_blur) * geometry.radius)
    opacity = np.float32(rng.uniform(*profile.opacity))

    colour = _jitter(rng, profile.palette[rng.integers(len(profile.palette))], 0.12)
    mottle = 1 + smooth_noise(rng, size, int(rng.integers(5, 12)))[..., None] * np.float32(rng.uniform(0.05, 0.15))
    image = _blend(skin, colour * mottle, body * opacity)

    for _ in range(int(rng.integers(profile.accent_count[0], profile.accent_count[1] + 1))):
        image = _accent(rng, image, profile, geometry, hard_mask, opacity)
    if rng.uniform() < profile.network:
        image = _network(rng, image, geometry, hard_mask, rng.uniform(*profile.network_irregular))
    if rng.uniform() < profile.center_patch:
        image = _center_patch(rng, image, geometry, profile.center_color)
    if rng.uniform() < profile.lacunae:
        image = _lacunae(rng, image, geometry, hard_mask)
    if rng.uniform() < profile.dots[0]:
        image = _dots(rng, image, geometry, profile, hard_mask)
    if rng.uniform() < profile.streaks:
        image = _streaks(rng, image, geometry, colour)
    if rng.uniform() < profile.vessel_prob:
        image = (_arborizing if profile.vessels == "arborizing" else _dotted_vessels)(rng, image, geometry, hard_mask)
    if rng.uniform() < profile.scale:
        image = _scale(rng, image, geometry, hard_mask)
    return image


def _accent(rng, image, profile, geometry, mask, opacity):
    layer, draw = _layer(image.shape[0])
    cx, cy = _random_points_inside(rng, geometry, 1, 0.6)[0]
    rx, ry = geometry.radius * rng.uniform(0.15, 0.5, size=2)
    draw.ellipse((int(cx - rx), int(cy - ry), int(cx + rx), int(cy + ry)), fill=255)
    alpha = _alpha(layer, geometry.radius * 0.12) * mask * opacity * np.float32(rng.uniform(0.5, 0.9))
    colour = _jitter(rng, profile.accents[rng.integers(len(profile.accents))], 0.1)
    return _blend(image, colour, alpha)


def _network(rng, image, geometry, mask, irregular):
    """Brown reticular network: a jittered grid of lines clipped to the lesion."""
    size = image.shape[0]
    layer, draw = _layer(size)
    spacing = max(4.0, geometry.radius * rng.uniform(0.12, 0.2))
    width = int(rng.integers(1, 3))
    steps = np.arange(-size, 2 * size, spacing)
    for vertical in (True, False):
        for s in steps:
            pts = []
            for t in np.arange(0, size + spacing, spacing):
                offset = rng.normal(0, spacing * irregular)
                pts.append((int(s + offset), int(t)) if vertical else (int(t), int(s + offset)))
            draw.line(pts, fill=255, width=width + int(rng.uniform() < irregular))
    alpha = _alpha(layer, 0.7) * mask * np.float32(rng.uniform(0.35, 0.65))
    return _blend(image, _jitter(rng, (70, 40, 30), 0.15), alpha)


def _center_patch(rng, image, geometry, colour):
    layer, draw = _layer(image.shape[0])
    cx, cy = _random_points_inside(rng, geometry, 1, 0.2)[0]
    rx, ry = geometry.radius * rng.uniform(0.3, 0.55, size=2)
    draw.ellipse((int(cx - rx), int(cy - ry), int(cx + rx), int(cy + ry)), fill=255)
    alpha = _alpha(layer, geometry.radius * 0.15) * np.float32(rng.uniform(0.55, 0.9))
    return _blend(image, _jitter(rng, colour, 0.06), alpha)


def _lacunae(rng, image, geometry, mask):
    """Round red-purple lagoons separated by paler septa."""
    for _ in range(int(rng.integers(6, 18))):
        layer, draw = _layer(image.shape[0])
        cx, cy = _random_points_inside(rng, geometry, 1, 0.8)[0]
        r = geometry.radius * rng.uniform(0.12, 0.28)
        draw.ellipse((int(cx - r), int(cy - r), int(cx + r), int(cy + r)), fill=255)
        colour = _jitter(rng, ((150, 30, 55), (110, 35, 80), (80, 20, 40))[rng.integers(3)], 0.12)
        image = _blend(image, colour, _alpha(layer, 1.0) * mask * np.float32(rng.uniform(0.6, 0.95)))
    return image


def _dots(rng, image, geometry, profile, mask):
    layer_by_colour = [_layer(image.shape[0]) for _ in profile.dot_colors]
    count = int(rng.integers(profile.dots[1], profile.dots[2] + 1))
    for x, y in _random_points_inside(rng, geometry, count, 1.0):
        index = int(rng.integers(len(profile.dot_colors)))
        r = max(1.0, geometry.radius * rng.uniform(0.03, 0.07))
        layer_by_colour[index][1].ellipse((int(x - r), int(y - r), int(x + r), int(y + r)), fill=255)
    for (layer, _), colour in zip(layer_by_colour, profile.dot_colors, strict=True):
        image = _blend(image, _jitter(rng, colour, 0.08), _alpha(layer, 0.8) * np.float32(rng.uniform(0.7, 0.95)))
    return image


def _streaks(rng, image, geometry, colour):
    """Radial streaks (pseudopods) leaving the border on one side of the lesion."""
    layer, draw = _layer(image.shape[0])
    start = rng.uniform(0, 2 * np.pi)
    for angle in start + rng.uniform(0, rng.uniform(1.0, 3.5), size=int(rng.integers(5, 14))):
        inner = geometry.radius * rng.uniform(0.7, 0.9)
        outer = geometry.radius * rng.uniform(1.1, 1.4)
        c, s = np.cos(angle), np.sin(angle)
        draw.line([(int(geometry.cx + inner * c), int(geometry.cy + inner * s)),
                   (int(geometry.cx + outer * c), int(geometry.cy + outer * s))], fill=255, width=int(rng.integers(2, 4)))
    return _blend(image, colour * np.float32(0.7), _alpha(layer, 0.8) * np.float32(0.85))


def _arborizing(rng, image, geometry, mask):
    """Bright red branching vessels: random walks that fork and thin out."""
    layer, draw = _layer(image.shape[0])
    stack = [(x, y, rng.uniform(0, 2 * np.pi), 3) for x, y in _random_points_inside(rng, geometry, int(rng.integers(2, 5)), 0.8)]
    while stack:
        x, y, heading, width = stack.pop()
        for _ in range(int(rng.integers(4, 9))):
            heading += rng.normal(0, 0.35)
            step = geometry.radius * rng.uniform(0.06, 0.12)
            nx, ny = x + step * np.cos(heading), y + step * np.sin(heading)
            draw.line([(int(x), int(y)), (int(nx), int(ny))], fill=255, width=width)
            x, y = nx, ny
            if width > 1 and rng.uniform() < 0.3:
                stack.append((x, y, heading + rng.choice([-1, 1]) * rng.uniform(0.4, 1.0), width - 1))
    alpha = _alpha(layer, 0.5) * np.clip(mask * 1.3, 0, 1) * np.float32(rng.uniform(0.75, 0.95))
    return _blend(image, _jitter(rng, (200, 30, 45), 0.08), alpha)


def _dotted_vessels(rng, image, geometry, mask):
    """Clusters of tiny red dots (dotted and glomerular vessels)."""
    layer, draw = _layer(image.shape[0])
    for cx, cy in _random_points_inside(rng, geometry, int(rng.integers(4, 10)), 0.85):
        for x, y in rng.normal(0, geometry.radius * 0.06, size=(int(rng.integers(3, 8)), 2)) + (cx, cy):  # noqa: RUF005 (numpy broadcast add)
            r = max(1.0, geometry.radius * rng.uniform(0.015, 0.03))
            draw.ellipse((int(x - r), int(y - r), int(x + r), int(y + r)), fill=255)
    alpha = _alpha(layer, 0.5) * mask * np.float32(rng.uniform(0.7, 0.95))
    return _blend(image, _jitter(rng, (190, 35, 50), 0.08), alpha)


def _scale(rng, image, geometry, mask):
    """White-yellow keratin flakes on the surface."""
    layer, draw = _layer(image.shape[0])
    for x, y in _random_points_inside(rng, geometry, int(rng.integers(4, 12)), 0.9):
        pts = [(int(x + dx), int(y + dy)) for dx, dy in rng.normal(0, geometry.radius * 0.1, size=(5, 2))]
        draw.polygon(pts, fill=int(rng.integers(120, 255)))
    alpha = _alpha(layer, 1.2) * mask * np.float32(rng.uniform(0.5, 0.85))
    return _blend(image, _jitter(rng, (240, 235, 220), 0.05), alpha)
