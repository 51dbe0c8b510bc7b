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
