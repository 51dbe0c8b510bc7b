"""circle_crop_box against the authors' OpenCV procedure on generated dermoscopy-like images.

The authors threshold the grey image at 50, close it with a 2x2 kernel twice, keep the external
contour with the largest contourArea and crop to its bounding rectangle under the 1%/90% area and 1.8
aspect rules. The runtime re-implements this without OpenCV; boxes must agree within 2% of the side.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hierattn.runtime import circle_crop_box


def authors_crop_box(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    _, binary = cv2.threshold(grey, 50, 255, cv2.THRESH_BINARY)
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8), iterations=2)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    x, y, w, h = cv2.boundingRect(largest)
    height, width = grey.shape
    fraction = cv2.contourArea(largest) / (height * width)
    if not 0.01 <= fraction <= 0.9 or (w, h) == (width, height) or max(w, h) / min(w, h) > 1.8:
        return None
    return (x, y, x + w, y + h)


def _scene(seed: int) -> np.ndarray:
    """A textured skin-like image under a vignette of random shape, position and size."""
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(120, 420, size=2))
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    skin = np.array([190, 140, 120]) + rng.normal(0, 12, size=(height, width, 3))
    lesion = ((xx - width * rng.uniform(0.3, 0.7)) ** 2 + (yy - height * rng.uniform(0.3, 0.7)) ** 2) < (
        min(height, width) * rng.uniform(0.05, 0.2)
    ) ** 2
    skin[lesion] = np.array([90, 60, 50]) + rng.normal(0, 8, size=(int(lesion.sum()), 3))
    kind = seed % 4
    cx, cy = width * rng.uniform(0.35, 0.65), height * rng.uniform(0.35, 0.65)
    if kind == 0:  # round vignette, maybe clipped by the border
        rx = ry = min(height, width) * rng.uniform(0.25, 0.6)
    elif kind == 1:  # elliptical, moderate aspect
        rx, ry = width * rng.uniform(0.25, 0.45), height * rng.uniform(0.25, 0.45)
    elif kind == 2:  # small disc
        rx = ry = min(height, width) * rng.uniform(0.1, 0.2)
    else:  # two bright discs of different size
        rx = ry = min(height, width) * rng.uniform(0.25, 0.35)
        second = ((xx - width * 0.9) ** 2 + (yy - height * 0.1) ** 2) < (min(height, width) * 0.06) ** 2
        skin[second] = 230
    inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
    if kind == 3:
        inside |= second
    dark = rng.uniform(0, 25, size=(height, width, 1))
    rgb = np.where(inside[..., None], skin, dark)
    return np.clip(rgb, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", range(24))
def test_matches_authors_opencv_procedure(seed: int) -> None:
    rgb = _scene(seed)
    expected, got = authors_crop_box(rgb), circle_crop_box(rgb)
    assert (expected is None) == (got is None), (expected, got)
    if expected is not None:
        tolerance = 0.02 * max(rgb.shape[:2])
        assert np.abs(np.subtract(expected, got)).max() <= tolerance, (expected, got)


def test_scenes_cover_crop_and_no_crop() -> None:
    """The generated set must exercise both outcomes, or the comparison above proves little."""
    outcomes = {circle_crop_box(_scene(seed)) is None for seed in range(24)}
    assert outcomes == {True, False}

