"""The options object of an export run and the report it produces (the Python API's types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from .base import ExportFormat, Precision
from .int8_profiles import Int8Profile
from .validation import DEFAULT_TOLERANCES, Tolerance, ValidationResult


class Status(str, Enum):
    OK = "ok"
    VALIDATION_FAILED = "validation failed"
    EXPORT_FAILED = "export failed"


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how; ``export_models(options)`` does the rest.

    Attributes:
        formats: formats to produce (each with every precision in ``precisions`` it supports when
            ``all_pairs`` is set, otherwise exactly the requested precisions).
        precisions: precisions to produce.
        output_dir: where artifacts and sidecars go.
        checkpoint: PyTorch checkpoint; None uses the bundled default model.
        arch: architecture name to enforce (None: inferred from the checkpoint).
        calibration_dir: images for static int8 calibration (None: the bundled calibration set).
        validation_dir: images for validation (None: the bundled validation set).
        opset: ONNX opset (also the opset of the ONNX graph the TFLite route converts).
        dynamic_batch: export a dynamic batch axis where the format allows it.
        tolerances: pass criteria per precision.
        threads: CPU threads for validation runs (None: the runtime's default).
        all_pairs: skip precisions a format does not support instead of failing (``--format all``).
        optimize: export fp32/fp16 from the model's deploy form (exact graph rewrites, see
            ``hierattn.models.deploy``); False exports the plain module (``--no-optimize``).
        int8_profile: int8 recipes to use instead of the model family's (Python API only: for
            measuring other recipes; the artifact's metadata names the profile applied).
        class_names: names of the model's outputs, in order (None: the checkpoint's, else the defaults).
        class_names_from: where ``class_names`` came from, for messages (``--labels``, ``--labels-file F``).
        overwrite: replace artifacts in ``output_dir`` that were exported from another checkpoint
            (without it such a file stops the run before any conversion).
    """

    formats: tuple[ExportFormat, ...]
    precisions: tuple[Precision, ...]
    output_dir: Path
    checkpoint: Path | None = None
    arch: str | None = None
    calibration_dir: Path | None = None
    validation_dir: Path | None = None
    opset: int = 20
    dynamic_batch: bool = False
    tolerances: dict[Precision, Tolerance] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    threads: int | None = None
    all_pairs: bool = False
    optimize: bool = True
    int8_profile: Int8Profile | None = None
    class_names: tuple[str, ...] | None = None
    class_names_from: str = "class_names"
    overwrite: bool = False


@dataclass(frozen=True)
class ArtifactReport:
    """Outcome of one (format, precision) export."""

    format: ExportFormat
    precision: Precision
    path: Path | None
    status: Status
    size_mb: float | None = None
    validation: ValidationResult | None = None
    error: str | None = None
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format.value,
            "precision": self.precision.value,
            "path": str(self.path) if self.path else None,
            "size_mb": self.size_mb,
            "status": self.status.value,
            "validation": self.validation.to_dict() if self.validation else None,
            "error": self.error,
            "seconds": round(self.seconds, 2),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class ExportReport:
    """All artifacts of one run, plus where the source model and validation images came from."""

    artifacts: tuple[ArtifactReport, ...]
    checkpoint: str
    checkpoint_sha256: str
    validation_images: str
    class_names: tuple[str, ...] = ()
    class_names_source: str = "checkpoint"
    referral_classes: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(a.status is Status.OK for a in self.artifacts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifacts": [a.to_dict() for a in self.artifacts],
            "checkpoint": self.checkpoint,
            "checkpoint_sha256": self.checkpoint_sha256,
            "validation_images": self.validation_images,
            "class_names": list(self.class_names),
            "class_names_source": self.class_names_source,
            "referral_classes": list(self.referral_classes),
            "replaced": list(self.replaced),
            "ok": self.ok,
        }
