"""Core ML backend for .mlpackage / .mlmodel: prediction needs macOS, so elsewhere it refuses clearly."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from ..errors import MissingBackendError, ModelFileError, missing_backend
from .base import Backend, TensorInfo

SPEC_METADATA_KEY = "hierattn_spec"
LOGITS_OUTPUT = "logits"


class CoreMLBackend(Backend):
    name = "coreml"
    thread_safe = False  # MLModel.predict makes no thread-safety promise

    def __init__(self, path: Path, threads: int | None) -> None:
        if platform.system() != "Darwin":
            raise MissingBackendError(
                f"{path}: Core ML models run only on macOS (this is {platform.system()}); "
                "use the .onnx or .tflite export of the same model here."
            )
        try:
            import coremltools as ct
        except ImportError:
            raise missing_backend("coremltools", "coreml", "Running Core ML models") from None
        self.path = path
        try:
            self._model = ct.models.MLModel(str(path))
        except Exception as exc:  # coremltools raises untyped errors for bad packages
            raise ModelFileError(f"{path}: Core ML cannot load this model ({exc}).") from exc
        description = self._model.get_spec().description
        inp = description.input[0]
        # hierattn's Core ML export is a classifier (label, probability dict) that keeps "logits" as an output
        arrays = [o for o in description.output if o.type.WhichOneof("Type") == "multiArrayType"]
        named = [o for o in arrays if o.name == LOGITS_OUTPUT]
        if not arrays:
            raise ModelFileError(f"{path}: the Core ML model has no tensor output to read logits from; re-export it.")
        out = (named or arrays)[0]
        shape = tuple(int(d) for d in inp.type.multiArrayType.shape) or (1, 3, None, None)
        self.input = TensorInfo(name=inp.name, shape=shape, dtype=np.dtype(np.float32))
        self.output = TensorInfo(name=out.name, shape=(None, None), dtype=np.dtype(np.float32))
        self._metadata = dict(self._model.user_defined_metadata)

    def _run(self, x: np.ndarray) -> np.ndarray:
        result = self._model.predict({self.input.name: x})
        return np.asarray(result[self.output.name], dtype=np.float32).reshape(x.shape[0], -1)

    def embedded_spec_json(self) -> str | None:
        return self._metadata.get(SPEC_METADATA_KEY)
