"""The result of classifying one image, and the paper's referral rule as a separate, labelled output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ModelFileError
from .spec import ModelSpec

DISCLAIMER = "Research model, not a medical device: not a diagnosis."


@dataclass(frozen=True)
class Referral:
    """The paper's rule: a referral class above the threshold means "see a clinician"."""

    triggered: bool
    classes: list[str]
    message: str

    @classmethod
    def from_probabilities(cls, probabilities: dict[str, float], spec: ModelSpec) -> Referral:
        hits = [c for c in spec.referral_classes if probabilities.get(c, 0.0) > spec.referral_threshold]
        if hits:
            detail = ", ".join(f"{c} {probabilities[c]:.2f}" for c in hits)
            return cls(True, hits, f"see a clinician: {detail} above {spec.referral_threshold:g}")
        return cls(False, [], f"no referral class above {spec.referral_threshold:g}")


@dataclass(frozen=True)
class Prediction:
    """Class probabilities, top-k, label, the crop box used and timings for one image."""

    label: str
    index: int
    probabilities: dict[str, float]
    top_k: list[tuple[str, float]]
    crop_box: tuple[int, int, int, int] | None
    referral: Referral
    timings_ms: dict[str, float] = field(default_factory=dict)
    disclaimer: str = DISCLAIMER
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "index": self.index,
            "probabilities": self.probabilities,
            "top_k": [[label, p] for label, p in self.top_k],
            "crop_box": list(self.crop_box) if self.crop_box else None,
            "referral": {
                "triggered": self.referral.triggered,
                "classes": self.referral.classes,
                "message": self.referral.message,
            },
            "timings_ms": self.timings_ms,
            "disclaimer": self.disclaimer,
            "warnings": list(self.warnings),
        }


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float64 (stable for large logits)."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def make_prediction(
    logits: np.ndarray,
    spec: ModelSpec,
    top_k: int,
    crop_box: tuple[int, int, int, int] | None,
    timings_ms: dict[str, float],
    warnings: tuple[str, ...] = (),
) -> Prediction:
    """Turn one row of logits into a Prediction."""
    probs = softmax(logits.reshape(-1))
    if probs.shape[0] != spec.num_classes:
        raise ModelFileError(
            f"The model outputs {probs.shape[0]} values but its metadata lists {spec.num_classes} classes; "
            "re-export the model with the right class names."
        )
    probabilities = {name: float(p) for name, p in zip(spec.class_names, probs, strict=True)}
    order = np.argsort(-probs, kind="stable")
    index = int(order[0])
    k = max(1, min(top_k, spec.num_classes))
    ranked = [(spec.class_names[i], float(probs[i])) for i in order[:k]]
    return Prediction(
        label=spec.class_names[index],
        index=index,
        probabilities=probabilities,
        top_k=ranked,
        crop_box=crop_box,
        referral=Referral.from_probabilities(probabilities, spec),
        timings_ms=timings_ms,
        warnings=warnings,
    )
