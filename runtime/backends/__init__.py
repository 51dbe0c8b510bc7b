"""Inference backends, one module each (ONNX Runtime, LiteRT, Core ML, ExecuTorch) behind ``base.Backend``.

This module picks the backend from the artifact's file name; heavy imports happen only for the
chosen one. May import the runtime core (errors, spec, metadata); never torch.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelFileError
from .base import Backend

SUPPORTED_SUFFIXES = (".onnx", ".tflite", ".mlpackage", ".mlmodel", ".pte")


def open_backend(path: Path, threads: int | None = None, concurrency: int | None = None) -> Backend:
    """Load ``path`` with the backend its suffix calls for.

    ``concurrency`` bounds how many calls run at once where the backend needs per-call state
    (LiteRT's interpreter pool); ONNX Runtime sessions are thread-safe and ignore it.
    """
    if not path.exists():
        raise ModelFileError(f"Model file {path} does not exist; pass the path of an exported model.")
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        from .onnx import OnnxBackend

        return OnnxBackend(path, threads)
    if suffix == ".tflite":
        from .tflite import TfliteBackend

        return TfliteBackend(path, threads, concurrency)
    if suffix in (".mlpackage", ".mlmodel"):
        from .coreml import CoreMLBackend

        return CoreMLBackend(path, threads)
    if suffix == ".pte":
        from .executorch import ExecuTorchBackend

        return ExecuTorchBackend(path, threads)
    raise ModelFileError(
        f"{path}: unknown model type {suffix or '(no suffix)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}."
    )
