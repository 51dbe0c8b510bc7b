"""Image -> model input: (version 2: decode small, box pre-reduction), circle crop, Pillow BILINEAR resize, float32.

docs/preprocessing.md defines both versions; ``spec.preprocessing`` says which one a model was made for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .crop import Box, circle_crop_box
from .image_io import Decoded, ImageInput, decode_small, load_rgb
from .reduce import box_reduce, reduction_factor, scale_box
from .spec import ModelSpec


@dataclass(frozen=True)
class Preprocessed:
    """The model input for one image and how it was made."""

    tensor: np.ndarray  # [3, H, W] float32, NCHW without the batch axis
    resized: np.ndarray  # [H, W, 3] uint8, what the tensor was scaled from
    crop_box: Box | None  # in the coordinates of the image as given (a file: its full size)
    reduction: int = 1  # how many times smaller than the given image the crop ran (decoder scale x box factor)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(preprocessed)`` is the CHW float32 tensor, so batches stack directly."""
        return self.tensor if dtype is None else self.tensor.astype(dtype)


def crop_and_resize(rgb: np.ndarray | Image.Image, spec: ModelSpec, crop: bool = True) -> tuple[np.ndarray, Box | None]:
    """The uint8 RGB image after the circle crop (if enabled) and the resize to ``spec.input_size``.

    Version 2 box-reduces first (docs/preprocessing.md); the box is always in ``rgb``'s coordinates.
    """
    resized, box, _ = _crop_and_resize(rgb, spec, crop)
    return resized, box


def _crop_and_resize(rgb: np.ndarray | Image.Image, spec: ModelSpec, crop: bool) -> tuple[np.ndarray, Box | None, int]:
    height, width = spec.input_size
    if spec.preprocessing == 1:
        array = np.asarray(rgb)
        box = circle_crop_box(array, spec.crop) if crop else None
        if box is not None:
            x0, y0, x1, y1 = box
            array = array[y0:y1, x0:x1]
        return bilinear_resize(array, width, height), box, 1
    image = Image.fromarray(np.ascontiguousarray(rgb)) if isinstance(rgb, np.ndarray) else rgb
    k = reduction_factor(image.width, image.height, spec.input_size)
    reduced = box_reduce(image, k)
    box = circle_crop_box(reduced, spec.crop) if crop else None
    if box is not None:
        reduced = reduced.crop(box)
    return _resize_image(reduced, width, height), scale_box(box, k, image.width, image.height), k


def bilinear_resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pillow's antialiased BILINEAR resize, horizontal pass first, then vertical.

    Each pass is its own one-dimensional Pillow resize, so the pass order is fixed by this code, not
    by Pillow's internal heuristics (Pillow 13 runs the vertical pass first for some shapes, which
    moves results by one level). The two passes are exactly the algorithm in docs/preprocessing.md.
    """
    return _resize_image(Image.fromarray(np.ascontiguousarray(rgb)), width, height)


def _resize_image(image: Image.Image, width: int, height: int) -> np.ndarray:
    if image.width != width:
        image = image.resize((width, image.height), Image.Resampling.BILINEAR)
    if image.height != height:
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image)


def to_tensor(resized: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """HWC uint8 -> CHW float32 ``u8 * scale`` (exactly ``u8 / 255`` for the default scale).

    A 256-entry table of ``float32(v * scale)`` (the product in float64, rounded once, as before)
    indexed by the pixels: the same values without a float64 copy of the image.
    """
    table = (np.arange(256, dtype=np.float64) * spec.scale).astype(np.float32)
    return table[np.ascontiguousarray(resized.transpose(2, 0, 1))]


def decode(image: ImageInput, spec: ModelSpec) -> Decoded:
    """Decode as ``spec``'s preprocessing version asks: version 2 decodes JPEG files small (Pillow's draft mode)."""
    if spec.preprocessing == 1:
        rgb = load_rgb(image)
        return Decoded(rgb, 1, (int(rgb.shape[1]), int(rgb.shape[0])))
    return decode_small(image, spec.input_size)


def preprocess_decoded(decoded: Decoded, spec: ModelSpec, crop: bool = True) -> Preprocessed:
    """Crop, resize and scale a decoded image; the crop box is reported in the file's full-size coordinates."""
    resized, box, k = _crop_and_resize(decoded.image, spec, crop)
    width, height = decoded.size
    full_box = scale_box(box, decoded.scale, width, height)
    return Preprocessed(tensor=to_tensor(resized, spec), resized=resized, crop_box=full_box, reduction=decoded.scale * k)


def preprocess(image: ImageInput, spec: ModelSpec, crop: bool = True) -> Preprocessed:
    """Decode (path, bytes, PIL image or uint8 array), crop, resize and scale one image as the model expects.

    Version 2 decodes JPEG files small (Pillow's draft mode) and reports the crop box in the file's
    full-size coordinates.
    """
    return preprocess_decoded(decode(image, spec), spec, crop)
