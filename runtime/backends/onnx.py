"""ONNX Runtime backend (CPU execution provider)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, missing_backend
from .base import Backend, TensorInfo

SPEC_METADATA_KEY = "hierattn_spec"

_ORT_TYPES: dict[str, type[np.generic]] = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(uint8)": np.uint8,
    "tensor(int8)": np.int8,
}


def _info(arg: Any) -> TensorInfo:
    """``arg`` is an onnxruntime ``NodeArg`` (a compiled class without type information)."""
    shape = tuple(d if isinstance(d, int) and d > 0 else None for d in arg.shape)
    dtype = np.dtype(_ORT_TYPES.get(arg.type, np.float32))
    return TensorInfo(name=arg.name, shape=shape, dtype=dtype)


class OnnxBackend(Backend):
    name = "onnxruntime"

    def __init__(self, path: Path, threads: int | None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise missing_backend("onnxruntime", "onnx", "Running .onnx models") from None
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise ModelFileError(f"{path}: ONNX Runtime cannot load this file ({_first_line(exc)}).") from exc
        self.input = _info(self._session.get_inputs()[0])
        self.output = _info(self._session.get_outputs()[0])
        self.path = path
        self._metadata = dict(self._session.get_modelmeta().custom_metadata_map)

    def _run(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._session.run([self.output.name], {self.input.name: x})[0])

    def embedded_spec_json(self) -> str | None:
        return self._metadata.get(SPEC_METADATA_KEY)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
