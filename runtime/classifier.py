"""``Classifier``: load an exported HierAttn model and classify images or tensors, without torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hierattn.runtime.backend_base import Backend
from hierattn.runtime.backends import open_backend
from hierattn.runtime.errors import UsageError
from hierattn.runtime.metadata import resolve_spec
from hierattn.runtime.spec import ModelSpec


class Classifier:
    """An exported model plus its spec. Build it with ``Classifier.load(path)``."""

    def __init__(self, backend: Backend, spec: ModelSpec) -> None:
        self.backend = backend
        self.spec = spec
        backend.bind_layout(spec.layout)

    @classmethod
    def load(cls, path: str | Path, spec: ModelSpec | None = None, threads: int | None = None) -> Classifier:
        """Open ``path`` (.onnx, .tflite, or .mlpackage on macOS) and read its spec.

        Args:
            path: the exported artifact.
            spec: use this spec instead of the artifact's metadata/sidecar.
            threads: intra-op threads for the backend (None: the backend's default).
        """
        if threads is not None and threads < 1:
            raise UsageError(f"threads must be at least 1, got {threads}.")
        backend = open_backend(Path(path), threads)
        return cls(backend, spec if spec is not None else resolve_spec(backend))

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.spec.class_names

    def predict_tensor(self, x: np.ndarray) -> np.ndarray:
        """Logits ``[N, num_classes]`` float32 for an NCHW float32 batch ``[N, 3, H, W]`` (or one CHW image)."""
        x = np.asarray(x)
        if x.ndim == 3:
            x = x[None]
        height, width = self.spec.input_size
        if x.ndim != 4 or x.shape[1] != 3 or tuple(x.shape[2:]) != (height, width):
            raise UsageError(
                f"predict_tensor expects NCHW float32 of shape [N, 3, {height}, {width}], got {list(x.shape)}."
            )
        return self.backend.run(x.astype(np.float32, copy=False))
