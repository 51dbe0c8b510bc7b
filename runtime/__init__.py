"""Torch-free runtime: preprocessing and inference for exported HierAttn models.

Imports only numpy, Pillow and the backend a model needs (ONNX Runtime, LiteRT, Core ML on macOS).
Research model, not a medical device: the outputs are not a diagnosis.
"""

from __future__ import annotations

from .classifier import Classifier
from .crop import circle_crop_box
from .errors import HierAttnError, InvalidImageError, ModelFileError, UsageError
from .image_io import MAX_PIXELS, load_rgb
from .prediction import DISCLAIMER, Prediction, Referral, softmax
from .preprocess import Preprocessed, preprocess
from .spec import CircleCropParams, ModelSpec

__all__ = [
    "DISCLAIMER",
    "MAX_PIXELS",
    "CircleCropParams",
    "Classifier",
    "HierAttnError",
    "InvalidImageError",
    "ModelFileError",
    "ModelSpec",
    "Prediction",
    "Preprocessed",
    "Referral",
    "UsageError",
    "circle_crop_box",
    "load_rgb",
    "preprocess",
    "softmax",
]
