"""LiteRT backend for .tflite files: ``ai-edge-litert``, falling back to ``tflite-runtime``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hierattn.runtime.backend_base import Backend, Quantization, TensorInfo
from hierattn.runtime.errors import ModelFileError, missing_backend
from hierattn.runtime.tflite_metadata import read_tflite_metadata

SPEC_METADATA_KEY = "hierattn_spec"


def _interpreter_class() -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            raise missing_backend("ai-edge-litert", "litert", "Running .tflite models") from None
    return Interpreter


def _info(detail: dict[str, Any]) -> TensorInfo:
    signature = detail.get("shape_signature")
    dims = signature if signature is not None and len(signature) else detail["shape"]
    shape = tuple(int(d) if d > 0 else None for d in dims)
    dtype = np.dtype(detail["dtype"])
    scale, zero_point = detail.get("quantization", (0.0, 0))
    quant = None
    if dtype in (np.int8, np.uint8) and scale:
        quant = Quantization(scale=float(scale), zero_point=int(zero_point), dtype=dtype)
    return TensorInfo(name=detail["name"], shape=shape, dtype=dtype, quantization=quant)


class TfliteBackend(Backend):
    name = "litert"

    def __init__(self, path: Path, threads: int | None) -> None:
        interpreter_class = _interpreter_class()
        self.path = path
        self._data = path.read_bytes()
        try:
            self._interp = interpreter_class(model_content=self._data, num_threads=threads or None)
            self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelFileError(f"{path}: LiteRT cannot load this file ({str(exc).strip()[:200]}).") from exc
        inp = self._interp.get_input_details()[0]
        outputs = self._interp.get_output_details()
        self._input_index = inp["index"]
        self._output_details = outputs
        self.input = _info(inp)
        self.output = _info(outputs[0])

    def _run(self, x: np.ndarray) -> np.ndarray:
        if tuple(self._interp.get_input_details()[0]["shape"]) != x.shape:
            self._interp.resize_tensor_input(self._input_index, list(x.shape))
            self._interp.allocate_tensors()
        self._interp.set_tensor(self._input_index, x)
        self._interp.invoke()
        return self._interp.get_tensor(self._output_details[0]["index"]).copy()

    def embedded_spec_json(self) -> str | None:
        payload = read_tflite_metadata(self._data, SPEC_METADATA_KEY)
        return payload.decode("utf-8", "replace") if payload else None
