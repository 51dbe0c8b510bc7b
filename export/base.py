"""The one interface every format exporter implements.

A converter turns an eval-mode PyTorch model into one artifact file (or package directory) at a
path the pipeline chooses; the pipeline then validates it through the runtime, writes metadata and
sidecars, and moves it into place. Converters know nothing about validation, reporting or the CLI.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.errors import UsageError
from ..runtime.spec import ModelSpec

if TYPE_CHECKING:
    import torch

    from .int8_profiles import Int8Profile
    from .validation import ValidationResult


class ExportFormat(str, Enum):
    ONNX = "onnx"
    TFLITE = "tflite"
    COREML = "coreml"
    EXECUTORCH = "executorch"


class Precision(str, Enum):
    """Numeric precision of an exported artifact.

    ``int8-dynamic``: int8 weights, activations quantized on the fly (no calibration).
    ``int8``: static quantization calibrated on images (which tensors stay float is format specific).
    """

    FP32 = "fp32"
    FP16 = "fp16"
    INT8_DYNAMIC = "int8-dynamic"
    INT8 = "int8"


@dataclass(frozen=True)
class ConversionRequest:
    """Everything a converter needs.

    Attributes:
        model: the PyTorch model in eval mode, taking NCHW float32 in [0, 1].
        spec: the model's spec (class names, input size, ...); converters return an updated copy.
        precision: requested precision.
        calibration: preprocessed calibration batch [N, 3, H, W] float32 (required for ``int8``).
        opset: ONNX opset for formats that go through ONNX.
        dynamic_batch: export with a dynamic batch axis where the format allows it.
        workdir: scratch directory the converter may use; deleted by the pipeline afterwards.
        int8_profile: int8 recipes to apply instead of the model family's (``export.int8_profiles``);
            for measuring other recipes, e.g. ``scripts/int8_bound.py``.
    """

    model: torch.nn.Module
    spec: ModelSpec
    precision: Precision
    workdir: Path
    calibration: np.ndarray | None = None
    opset: int = 20
    dynamic_batch: bool = False
    int8_profile: Int8Profile | None = None

    def int8_recipes(self) -> Int8Profile:
        """The int8 recipes for this model: the override, else its family's registered profile."""
        from .int8_profiles import int8_profile

        return self.int8_profile or int8_profile(self.spec.arch)


@dataclass(frozen=True)
class ConversionResult:
    """What a converter produced: the artifact path, its spec (layout, precision, recipe) and notes."""

    path: Path
    spec: ModelSpec
    notes: dict[str, Any] = field(default_factory=dict)


class Converter(ABC):
    """Base class of the per-format converters (export/onnx/converter.py, export/tflite/converter.py, export/coreml/converter.py)."""

    format: ExportFormat
    suffix: str
    supported_precisions: frozenset[Precision]

    def check_supported(self, precision: Precision) -> None:
        """Raise a UsageError naming the supported precisions when ``precision`` is not one of them."""
        if precision not in self.supported_precisions:
            names = ", ".join(sorted(p.value for p in self.supported_precisions))
            raise UsageError(
                f"{self.format.value} export does not support precision {precision.value}; "
                f"supported: {names}."
            )

    @abstractmethod
    def convert(self, request: ConversionRequest, destination: Path) -> ConversionResult:
        """Write the artifact to ``destination`` (which does not exist yet) and describe it."""

    def needs_calibration(self, precision: Precision) -> bool:
        """Whether ``precision`` needs calibration images (static int8 does, weight-only int8 not)."""
        return precision is Precision.INT8

    def embed_metadata(self, path: Path, spec: ModelSpec) -> None:  # noqa: B027 (optional hook)
        """Embed ``spec`` inside the artifact where the format has a place for it.

        The pipeline always writes the sidecar ``<artifact>.json`` too; the default embeds nothing.
        """

    def validate_offline(
        self, path: Path, request: ConversionRequest, spec: ModelSpec
    ) -> ValidationResult | None:
        """Validation for artifacts the runtime cannot execute on this host (e.g. Core ML on Linux).

        Return None (the default) to let the pipeline run the artifact with ``hierattn.runtime``
        and compare its logits with PyTorch; return a result to replace that comparison.
        """
        return None
