"""What a HierAttn model expects and produces: the one source of truth for preprocessing and labels.

A ``ModelSpec`` travels with every exported artifact: as a sidecar ``<artifact>.json`` and embedded as
metadata where the format allows (ONNX ``metadata_props``, Core ML ``user_defined_metadata``). The
Python runtime and the Kotlin app both read it, so no input size, label list or threshold is
duplicated anywhere else.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ModelFileError

SPEC_FORMAT_VERSION = 1

PREPROCESSING_VERSIONS = (1, 2)
"""Preprocessing versions this runtime implements (docs/preprocessing.md). 1: crop and resize the full
image; 2: box pre-reduction and small decoding first. A file without the field was made for 1."""

ISIC2019_CLASSES: tuple[str, ...] = ("ACK", "BCC", "BKL", "DF", "MEL", "NV", "SCC", "VASC")
"""The eight ISIC2019 classes in the order the paper's data loader uses (sorted folder names)."""

PAD2020_CLASSES: tuple[str, ...] = ("ACK", "BCC", "BKL", "MEL", "NV", "SCC")
"""The default names of a 6-class checkpoint: PAD-UFES-20's six diagnoses under their ISIC names, sorted.

PAD-UFES-20's own codes are ACK BCC MEL NEV SCC SEK (NEV = NV, SEK = BKL); a model trained on folders
named that way has them in that order (MEL at index 2, not 3), so name its classes at export
(``hierattn-export --labels``): the order is the one of the training folders, which no file records.
"""

REFERRAL_CLASSES: tuple[str, ...] = ("ACK", "BCC", "MEL", "SCC", "VASC")
"""Classes whose probability above the referral threshold means "see a clinician" (the paper's rule)."""


def referral_classes_for(class_names: tuple[str, ...]) -> tuple[str, ...]:
    """The paper's referral classes that a model with ``class_names`` has (PAD-UFES-20 codes included)."""
    return tuple(name for name in class_names if name in REFERRAL_CLASSES)


@dataclass(frozen=True)
class CircleCropParams:
    """Parameters of the circle crop that removes the black dermoscopy vignette (see docs/preprocessing.md)."""

    enabled: bool = True
    threshold: int = 50
    closing_kernel: int = 2
    closing_iterations: int = 2
    min_area_fraction: float = 0.01
    max_area_fraction: float = 0.9
    max_aspect_ratio: float = 1.8


@dataclass(frozen=True)
class ModelSpec:
    """Everything a runtime needs to feed a model correctly and read its output.

    Attributes:
        class_names: labels in output order.
        input_size: (height, width) the image is resized to, stretched, not letterboxed.
        layout: "NCHW" or "NHWC": the artifact's own input layout.
        scale: pixel values are multiplied by this after conversion to float (1/255 gives [0, 1]).
        crop: circle-crop parameters.
        referral_classes: classes that trigger the "see a clinician" referral.
        referral_threshold: probability above which a referral class triggers a referral.
        arch: registry name of the architecture, e.g. "hierattn_xs".
        precision: "fp32", "fp16", "int8-dynamic" or "int8".
        preprocessing: which version of docs/preprocessing.md the model's inputs follow; new exports
            use 2, files written before the field existed read as 1 and keep their exact path.
        extra: free-form provenance (checkpoint hash, exporter versions, quantization recipe).
    """

    class_names: tuple[str, ...] = ISIC2019_CLASSES
    input_size: tuple[int, int] = (256, 256)
    layout: str = "NCHW"
    scale: float = 1.0 / 255.0
    crop: CircleCropParams = field(default_factory=CircleCropParams)
    referral_classes: tuple[str, ...] = REFERRAL_CLASSES
    referral_threshold: float = 0.5
    arch: str = "hierattn_xs"
    precision: str = "fp32"
    preprocessing: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The referral rule can only read outputs the model has: a 6-class spec lists no VASC.
        kept = tuple(name for name in self.referral_classes if name in self.class_names)
        object.__setattr__(self, "referral_classes", kept)

    @classmethod
    def for_classes(cls, class_names: tuple[str, ...], **fields_: Any) -> ModelSpec:
        """A spec for ``class_names`` whose referral set is derived from them (``referral_classes_for``)."""
        return cls(class_names=tuple(class_names), referral_classes=referral_classes_for(tuple(class_names)), **fields_)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def with_updates(self, **changes: Any) -> ModelSpec:
        """Return a copy with some fields replaced (the spec itself is immutable)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format_version"] = SPEC_FORMAT_VERSION
        data["class_names"] = list(self.class_names)
        data["input_size"] = list(self.input_size)
        data["referral_classes"] = list(self.referral_classes)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        try:
            version = int(data.get("format_version", SPEC_FORMAT_VERSION))
            if version > SPEC_FORMAT_VERSION:
                raise ModelFileError(
                    f"Model metadata has format_version {version}, newer than this hierattn "
                    f"understands ({SPEC_FORMAT_VERSION}). Upgrade hierattn."
                )
            known = {f.name for f in fields(cls)}
            values = {k: v for k, v in data.items() if k in known}
            values.setdefault("preprocessing", 1)  # written before versions existed: today's path
            if "crop" in values:
                values["crop"] = CircleCropParams(**values["crop"])
            for key in ("class_names", "referral_classes", "input_size"):
                if key in values:
                    values[key] = tuple(values[key])
            spec = cls(**values)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"Model metadata is malformed ({exc}). Re-export the model.") from exc
        spec.validate()
        return spec

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelFileError(f"Model metadata is not valid JSON ({exc}). Re-export the model.") from exc
        if not isinstance(data, dict):
            raise ModelFileError("Model metadata must be a JSON object. Re-export the model.")
        return cls.from_dict(data)

    def validate(self) -> None:
        """Raise ModelFileError when the fields contradict each other."""
        if not self.class_names:
            raise ModelFileError("Model metadata lists no class names.")
        if len(self.input_size) != 2 or min(self.input_size) < 1:
            raise ModelFileError(f"Model metadata has an invalid input_size {self.input_size}.")
        if self.preprocessing not in PREPROCESSING_VERSIONS:
            raise ModelFileError(
                f"Model metadata asks for preprocessing version {self.preprocessing!r}; this hierattn implements "
                f"{', '.join(map(str, PREPROCESSING_VERSIONS))}. Upgrade hierattn."
            )
        if self.layout not in ("NCHW", "NHWC"):
            raise ModelFileError(f"Model metadata has layout {self.layout!r}; expected NCHW or NHWC.")


def class_names_line(names: tuple[str, ...] | list[str], source: str) -> str:
    """``6: ACK BCC ...`` plus where the names came from (``extra.class_names_source``), so default names
    never pass for the model's real ones."""
    line = f"{len(names)}: {' '.join(names)}"
    if source == "default":
        return line + " (defaults: not recorded in the checkpoint)"
    if source not in ("checkpoint", ""):
        return line + f" (from {source})"
    return line


def sidecar_path(artifact: str | Path) -> Path:
    """The sidecar JSON that sits next to an exported artifact: ``model.tflite`` -> ``model.tflite.json``."""
    artifact = Path(artifact)
    return artifact.with_name(artifact.name + ".json")
