"""Export HierAttn checkpoints to ONNX, TFLite and Core ML, validated against PyTorch.

Python API: ``export_models(ExportOptions(...)) -> ExportReport``; the CLI is ``hierattn-export``.
Converter modules (and their heavy backends) are imported only when a format is exported.
"""

from __future__ import annotations

from .base import ConversionRequest, ConversionResult, Converter, ExportFormat, Precision
from .options import ArtifactReport, ExportOptions, ExportReport, Status
from .pipeline import export_models
from .registry import get_converter, supported_pairs
from .validation import DEFAULT_TOLERANCES, Tolerance, ValidationResult

__all__ = [
    "DEFAULT_TOLERANCES",
    "ArtifactReport",
    "ConversionRequest",
    "ConversionResult",
    "Converter",
    "ExportFormat",
    "ExportOptions",
    "ExportReport",
    "Precision",
    "Status",
    "Tolerance",
    "ValidationResult",
    "export_models",
    "get_converter",
    "supported_pairs",
]
