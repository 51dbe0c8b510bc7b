"""Find a model's ModelSpec: embedded metadata first, the sidecar JSON as fallback."""

from __future__ import annotations

from hierattn.runtime.backend_base import Backend
from hierattn.runtime.errors import ModelFileError
from hierattn.runtime.spec import ModelSpec, sidecar_path


def resolve_spec(backend: Backend) -> ModelSpec:
    """The spec embedded in the artifact, else the one in ``<artifact>.json``; raise if neither exists."""
    embedded = backend.embedded_spec_json()
    if embedded:
        return ModelSpec.from_json(embedded)
    sidecar = sidecar_path(backend.path)
    if sidecar.is_file():
        try:
            text = sidecar.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"Cannot read the model's sidecar {sidecar} ({exc}).") from exc
        return ModelSpec.from_json(text)
    raise ModelFileError(
        f"{backend.path} has no hierattn metadata (no embedded 'hierattn_spec' and no sidecar {sidecar.name}); "
        "re-export it with hierattn or pass spec=ModelSpec(...) to Classifier.load."
    )
