"""Torch-free runtime: preprocessing and inference for exported HierAttn models.

Imports only numpy, Pillow and the backend a model needs (ONNX Runtime, LiteRT, Core ML on macOS).
Research model, not a medical device: the outputs are not a diagnosis.
"""

from __future__ import annotations

from hierattn.runtime.classifier import Classifier
from hierattn.runtime.crop import circle_crop_box
from hierattn.runtime.errors import HierAttnError, InvalidImageError, ModelFileError, UsageError
from hierattn.runtime.image_io import MAX_PIXELS, load_rgb
from hierattn.runtime.prediction import DISCLAIMER, Prediction, Referral, softmax
from hierattn.runtime.preprocess import Preprocessed, preprocess
from hierattn.runtime.spec import CircleCropParams, ModelSpec

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
