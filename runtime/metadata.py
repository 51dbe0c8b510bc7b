"""Find a model's ModelSpec: embedded metadata first, the sidecar JSON as fallback."""

from __future__ import annotations

from pathlib import Path

from .backends.base import Backend
from .errors import ModelFileError
from .spec import ModelSpec, sidecar_path


def sidecar_spec(artifact: Path) -> ModelSpec | None:
    """The spec in ``<artifact>.json``, None when there is no sidecar."""
    sidecar = sidecar_path(artifact)
    if not sidecar.is_file():
        return None
    try:
        text = sidecar.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"Cannot read the model's sidecar {sidecar} ({exc}).") from exc
    return ModelSpec.from_json(text)


def resolve_spec(backend: Backend) -> ModelSpec:
    """The spec embedded in the artifact, else the one in ``<artifact>.json``; raise if neither exists."""
    embedded = backend.embedded_spec_json()
    if embedded:
        return ModelSpec.from_json(embedded)
    beside = sidecar_spec(backend.path)
    if beside is not None:
        return beside
    raise ModelFileError(
        f"{backend.path} has no hierattn metadata (no embedded 'hierattn_spec' and no sidecar "
        f"{sidecar_path(backend.path).name}); re-export it with hierattn or pass spec=ModelSpec(...) to Classifier.load."
    )


AGREEING_FIELDS = ("class_names", "input_size", "layout", "scale", "crop", "referral_classes", "referral_threshold")
"""The fields the runtime and the Android app act on: the embedded spec and the sidecar must agree on them."""


def check_agreement(path: Path, embedded: ModelSpec, beside: ModelSpec) -> None:
    """Refuse a sidecar that contradicts the spec embedded in the model, naming both values.

    The Python runtime reads the embedded spec and the Android app the sidecar; if they differ, the
    two would label the same output differently, so neither is picked silently.
    """
    mine, theirs = embedded.to_dict(), beside.to_dict()
    for name in AGREEING_FIELDS:
        if mine[name] != theirs[name]:
            raise ModelFileError(
                f"{path}: its sidecar {sidecar_path(path).name} says {name} {_show(theirs[name])} but the spec "
                f"embedded in the model says {_show(mine[name])}; to rename classes re-export with "
                "hierattn-export --labels, or delete the edited sidecar (the Android app reads it)."
            )


def _show(value: object) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else repr(value)
