"""Image -> model input: circle crop, Pillow BILINEAR resize, scale to float32 (docs/preprocessing.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .crop import Box, circle_crop_box
from .image_io import ImageInput, load_rgb
from .spec import ModelSpec


@dataclass(frozen=True)
class Preprocessed:
    """The model input for one image and how it was made."""

    tensor: np.ndarray  # [3, H, W] float32, NCHW without the batch axis
    resized: np.ndarray  # [H, W, 3] uint8, what the tensor was scaled from
    crop_box: Box | None

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(preprocessed)`` is the CHW float32 tensor, so batches stack directly."""
        return self.tensor if dtype is None else self.tensor.astype(dtype)


def crop_and_resize(rgb: np.ndarray, spec: ModelSpec, crop: bool = True) -> tuple[np.ndarray, Box | None]:
    """The uint8 RGB image after the circle crop (if enabled) and the resize to ``spec.input_size``."""
    box = circle_crop_box(rgb, spec.crop) if crop else None
    if box is not None:
        x0, y0, x1, y1 = box
        rgb = rgb[y0:y1, x0:x1]
    height, width = spec.input_size
    return bilinear_resize(rgb, width, height), box


def bilinear_resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pillow's antialiased BILINEAR resize, horizontal pass first, then vertical.

    Each pass is its own one-dimensional Pillow resize, so the pass order is fixed by this code, not
    by Pillow's internal heuristics (Pillow 13 runs the vertical pass first for some shapes, which
    moves results by one level). The two passes are exactly the algorithm in docs/preprocessing.md.
    """
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if image.width != width:
        image = image.resize((width, image.height), Image.Resampling.BILINEAR)
    if image.height != height:
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image)


def to_tensor(resized: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """HWC uint8 -> CHW float32 ``u8 * scale`` (exactly ``u8 / 255`` for the default scale)."""
    return (resized.transpose(2, 0, 1) * spec.scale).astype(np.float32)


def preprocess(image: ImageInput, spec: ModelSpec, crop: bool = True) -> Preprocessed:
    """Decode (path, bytes, PIL image or uint8 array), crop, resize and scale one image as the model expects."""
    resized, box = crop_and_resize(load_rgb(image), spec, crop)
    return Preprocessed(tensor=to_tensor(resized, spec), resized=resized, crop_box=box)
