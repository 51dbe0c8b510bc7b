"""Where the bundled default model comes from, when ``--model`` is not given."""

from __future__ import annotations

from pathlib import Path


def default_model_path() -> Path | None:
    """The bundled demo model (ONNX fp32) shipped inside the package, or None if it is missing."""
    from hierattn.defaults import DEFAULT_ONNX

    return DEFAULT_ONNX if DEFAULT_ONNX.exists() else None
