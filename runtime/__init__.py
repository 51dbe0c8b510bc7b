"""Torch-free runtime: preprocessing and inference for exported HierAttn models.

Inference happens here, at the root: ``spec`` (what a model expects), ``image_io`` and ``preprocess``
(decode, circle crop in ``crop``, resize), ``classifier`` (load a file, classify images) and
``prediction``; ``backends/`` runs each file format. Around that core: ``cli`` is
``hierattn-predict``, ``console`` the one-line errors and exit codes every command shares,
``native_log`` the filter that keeps native libraries' start-up INFO lines off the console,
``text_table`` the plain tables printed to logs and pipes,
``batch/`` streams large image sets, ``parity/`` proves the Kotlin and JS ports equal, ``web/``
serves the browser demo. The bottom layer: imports numpy, Pillow and the backend a model needs
(ONNX Runtime, LiteRT; Core ML and ExecuTorch lazily), never torch at import time.
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
