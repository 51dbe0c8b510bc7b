"""Circle-crop building blocks checked exactly: grey formula, threshold, closing (against OpenCV) and the
filled-area component choice (against a brute-force reference built on OpenCV labelling)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from hierattn.runtime import circle_crop_box
from hierattn.runtime.components import largest_filled_component
from hierattn.runtime.crop import close_mask, grey_u8, threshold_mask
from hierattn.runtime.spec import CircleCropParams


def test_grey_is_the_documented_integer_formula() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    np.testing.assert_array_equal(grey_u8(rgb), (4899 * r + 9617 * g + 1868 * b + 8192) >> 14)
    # OpenCV 4.x computes exactly this; later versions round differently by at most one level
    assert np.abs(grey_u8(rgb).astype(int) - cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)).max() <= 1


def test_grey_is_exact_for_every_colour() -> None:
    """grey_u8 runs Pillow's float matrix conversion; it must equal the integer formula for all 2**24 colours."""
    v = np.arange(1 << 24, dtype=np.uint32)
    rgb = np.stack([v >> 16, (v >> 8) & 255, v & 255], axis=-1).astype(np.uint8).reshape(4096, 4096, 3)
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    np.testing.assert_array_equal(grey_u8(rgb), (4899 * r + 9617 * g + 1868 * b + 8192) >> 14)
    np.testing.assert_array_equal(grey_u8(Image.fromarray(rgb)), grey_u8(rgb))  # PIL input, same values


@pytest.mark.parametrize("threshold", [-1, 0, 1, 49, 50, 51, 128, 254, 255])
def test_threshold_mask_is_exact(threshold: int) -> None:
    rng = np.random.default_rng(threshold + 10)
    base = rng.integers(max(threshold - 3, 0), min(threshold + 4, 255) + 1, size=(40, 50, 1))
    rgb = np.clip(base + rng.integers(-6, 7, size=(40, 50, 3)), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(threshold_mask(rgb, threshold), grey_u8(rgb) > threshold)


@pytest.mark.parametrize(("kernel", "iterations"), [(2, 2), (2, 1), (3, 2), (1, 3), (4, 1)])
def test_closing_matches_opencv_bit_for_bit(kernel: int, iterations: int) -> None:
    rng = np.random.default_rng(kernel * 10 + iterations)
    for _ in range(60):
        h, w = rng.integers(1, 48, size=2)
        mask = rng.random((h, w)) < rng.uniform(0.05, 0.95)
        expected = cv2.morphologyEx(
            mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((kernel, kernel), np.uint8), iterations=iterations
        )
        np.testing.assert_array_equal(close_mask(mask, kernel, iterations), expected.astype(bool))


def _brute_force_largest(mask: np.ndarray) -> tuple[int, tuple[int, int, int, int]] | None:
    """Filled area by definition: pixels not 4-reachable from outside through non-component pixels."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    best = None
    for label in range(1, count):
        component = labels == label
        outside = np.pad(~component, 1, constant_values=True).astype(np.uint8)
        _, reach = cv2.connectedComponents(outside, connectivity=4)
        filled = int((reach[1:-1, 1:-1] != reach[0, 0]).sum())
        ys, xs = np.nonzero(component)
        first = int(np.flatnonzero(component.reshape(-1))[0])
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        candidate = (filled, -first, box)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return None if best is None else (best[0], best[2])


def test_filled_area_component_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    for trial in range(150):
        h, w = rng.integers(1, 30, size=2)
        mask = rng.random((h, w)) < rng.uniform(0.1, 0.8)
        expected = _brute_force_largest(mask)
        got = largest_filled_component(mask)
        if expected is None:
            assert got is None
        else:
            assert got is not None and (got.filled_area, got.box) == expected, trial


def test_ring_counts_its_hole_and_nested_parts() -> None:
    mask = np.zeros((40, 40), dtype=bool)
    mask[5:35, 5:35] = True
    mask[8:32, 8:32] = False  # ring of 30x30 with a hole
    mask[15:20, 15:20] = True  # an island inside the hole
    mask[0:3, 37:40] = True  # a separate small blob
    component = largest_filled_component(mask)
    assert component is not None
    assert component.filled_area == 30 * 30 and component.box == (5, 5, 35, 35)


def _disc(size: tuple[int, int], centre: tuple[float, float], radii: tuple[float, float]) -> np.ndarray:
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    inside = ((xx - centre[0]) / radii[0]) ** 2 + ((yy - centre[1]) / radii[1]) ** 2 <= 1
    rgb = np.zeros((h, w, 3), dtype=np.uint8)
    rgb[inside] = (200, 150, 130)
    return rgb


def test_rules_area_whole_image_and_aspect() -> None:
    # the disc spans 40..160; OpenCV's 2x2 closing (anchor 1,1) moves a mask down-right by 1 per iteration
    assert circle_crop_box(_disc((200, 200), (100, 100), (60, 60))) == (42, 42, 163, 163)
    assert circle_crop_box(np.zeros((50, 50, 3), np.uint8)) is None  # nothing bright
    assert circle_crop_box(np.full((50, 50, 3), 255, np.uint8)) is None  # whole image (and > 90%)
    assert circle_crop_box(_disc((200, 200), (100, 100), (4, 4))) is None  # < 1% of the image
    assert circle_crop_box(_disc((200, 200), (100, 100), (90, 40))) is None  # aspect 2.2 > 1.8
    assert circle_crop_box(_disc((200, 200), (100, 100), (60, 60)), CircleCropParams(enabled=False)) is None
