"""Circle crop: cut a dermoscopy image to the bright disc inside its black vignette.

Follows the authors' OpenCV procedure (grey, threshold, 2x2 closing twice, largest external
contour, bounding rectangle, area and aspect rules) without OpenCV, with every step defined exactly
in docs/preprocessing.md so the Kotlin app reproduces it bit for bit.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .components import largest_filled_component
from .errors import UsageError
from .spec import CircleCropParams

Box = tuple[int, int, int, int]


GREY_MATRIX = (4899 / 16384, 9617 / 16384, 1868 / 16384, 0.0)
"""OpenCV's fixed-point luma weights as a Pillow conversion matrix. Pillow computes ``sum + 0.5`` and
truncates. Every weight is a multiple of 2**-14 and every partial sum stays below 256, so each value
fits float32's 24-bit mantissa exactly and the result is ``(4899 R + 9617 G + 1868 B + 8192) >> 14``
for every colour (checked over all 2**24 in the tests)."""

RgbInput = np.ndarray | Image.Image


def grey_u8(rgb: RgbInput) -> np.ndarray:
    """ITU-R BT.601 luma in OpenCV's 8-bit fixed point: (4899 R + 9617 G + 1868 B + 8192) >> 14.

    One Pillow pass (``GREY_MATRIX``) on an RGB image, with no copy of the colour pixels into numpy.
    """
    image = _as_rgb_image(rgb)
    return np.asarray(image.convert("L", matrix=GREY_MATRIX))


def threshold_mask(rgb: RgbInput, threshold: int) -> np.ndarray:
    """``grey_u8(rgb) > threshold`` as a bool mask."""
    if not 0 <= threshold < 255:  # grey is 0..255: nothing or everything passes
        height, width = _size(rgb)
        return np.full((height, width), threshold < 0, dtype=bool)
    return grey_u8(rgb) > threshold


def _window_reduce(mask: np.ndarray, size: int, anchor: int, axis: int, use_max: bool) -> np.ndarray:
    """max/min over positions ``i - anchor .. i - anchor + size - 1`` along ``axis``; outside ignored."""
    out = mask.copy()
    n = mask.shape[axis]
    for step in range(size):
        shift = step - anchor  # out[i] combines mask[i + shift]
        if shift == 0 or abs(shift) >= n:
            continue
        dst = [slice(None)] * 2
        src = [slice(None)] * 2
        dst[axis] = slice(max(0, -shift), n - max(0, shift))
        src[axis] = slice(max(0, shift), n - max(0, -shift))
        if use_max:
            out[tuple(dst)] |= mask[tuple(src)]
        else:
            out[tuple(dst)] &= mask[tuple(src)]
    return out


def _morph(mask: np.ndarray, kernel: int, use_max: bool) -> np.ndarray:
    anchor = kernel // 2
    return _window_reduce(_window_reduce(mask, kernel, anchor, 1, use_max), kernel, anchor, 0, use_max)


def close_mask(mask: np.ndarray, kernel: int, iterations: int) -> np.ndarray:
    """Morphological closing as OpenCV does it: ``iterations`` dilations, then as many erosions."""
    if kernel < 1 or iterations < 0:
        raise UsageError(f"closing needs kernel >= 1 and iterations >= 0, got {kernel} and {iterations}.")
    out = mask.astype(bool, copy=True)
    for _ in range(iterations):
        out = _morph(out, kernel, use_max=True)
    for _ in range(iterations):
        out = _morph(out, kernel, use_max=False)
    return out


def closed_mask(rgb: RgbInput, params: CircleCropParams | None = None) -> np.ndarray:
    """The thresholded, closed foreground mask the crop box is taken from."""
    params = params or CircleCropParams()
    return close_mask(threshold_mask(rgb, params.threshold), params.closing_kernel, params.closing_iterations)


def circle_crop_box(rgb: RgbInput, params: CircleCropParams | None = None) -> Box | None:
    """The crop box ``(x0, y0, x1, y1)`` (exclusive ends) of an RGB image (uint8 HxWx3 or PIL), or None for no crop.

    None when the crop is disabled, nothing is brighter than the threshold, or the largest region fails
    the area / whole-image / aspect rules of docs/preprocessing.md.
    """
    params = params or CircleCropParams()
    if not params.enabled:
        return None
    height, width = _size(rgb)
    component = largest_filled_component(closed_mask(rgb, params))
    if component is None:
        return None
    x0, y0, x1, y1 = component.box
    w, h = x1 - x0, y1 - y0
    fraction = component.filled_area / float(width * height)
    if not params.min_area_fraction <= fraction <= params.max_area_fraction:
        return None
    if (x0, y0, x1, y1) == (0, 0, width, height):
        return None
    if max(w, h) / min(w, h) > params.max_aspect_ratio:
        return None
    return (x0, y0, x1, y1)


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise UsageError(f"expected an RGB uint8 array of shape (H, W, 3), got {rgb.dtype} {list(rgb.shape)}.")
    return rgb


def _as_rgb_image(rgb: RgbInput) -> Image.Image:
    if isinstance(rgb, Image.Image):
        if rgb.mode != "RGB":
            raise UsageError(f"expected an RGB image, got mode {rgb.mode}.")
        return rgb
    return Image.fromarray(np.ascontiguousarray(_check_rgb(rgb)))


def _size(rgb: RgbInput) -> tuple[int, int]:
    """(height, width) of an RGB array or image, checking it is one."""
    if isinstance(rgb, Image.Image):
        image = _as_rgb_image(rgb)
        return image.height, image.width
    height, width = _check_rgb(rgb).shape[:2]
    return height, width
