"""LiteRT backend for .tflite files: ``ai-edge-litert``, falling back to ``tflite-runtime``.

A LiteRT ``Interpreter`` is not thread-safe (its input and output tensors are shared state), so the
backend keeps a pool of interpreters over the same model bytes: a call borrows an idle one, or builds
a new one while fewer than ``concurrency`` exist, or waits. ``concurrency=1`` is a plain lock.
Pool versus lock is measured in docs/runtime_under_load.md.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..artifact.tflite_metadata import read_tflite_metadata
from ..errors import ModelFileError, missing_backend
from .base import Backend, Quantization, TensorInfo

SPEC_METADATA_KEY = "hierattn_spec"


def _interpreter_class() -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter  # pyright: ignore[reportMissingImports]  # optional fallback
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

    def __init__(self, path: Path, threads: int | None, concurrency: int | None = None) -> None:
        self._interpreter_class = _interpreter_class()
        self.path = path
        self._threads = threads
        self._data = path.read_bytes()
        self.concurrency = concurrency or os.cpu_count() or 1
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._created = 0
        self._create_lock = threading.Lock()
        first = self._new_interpreter()
        inp = first.get_input_details()[0]
        outputs = first.get_output_details()
        self._input_index = inp["index"]
        self._output_index = outputs[0]["index"]
        self.input = _info(inp)
        self.output = _info(outputs[0])
        self._idle.put(first)

    def _new_interpreter(self) -> Any:
        try:
            interp = self._interpreter_class(model_content=self._data, num_threads=self._threads or None)
            interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelFileError(f"{self.path}: LiteRT cannot load this file ({str(exc).strip()[:200]}).") from exc
        self._created += 1
        return interp

    @contextmanager
    def _borrow(self) -> Iterator[Any]:
        """An interpreter no other thread uses until the block ends."""
        try:
            interp = self._idle.get_nowait()
        except queue.Empty:
            with self._create_lock:
                interp = self._new_interpreter() if self._created < self.concurrency else None
            if interp is None:
                interp = self._idle.get()
        try:
            yield interp
        finally:
            self._idle.put(interp)

    @property
    def interpreters(self) -> int:
        """How many interpreters the pool has built so far."""
        return self._created

    def _run(self, x: np.ndarray) -> np.ndarray:
        with self._borrow() as interp:
            if tuple(interp.get_input_details()[0]["shape"]) != x.shape:
                interp.resize_tensor_input(self._input_index, list(x.shape))
                interp.allocate_tensors()
            interp.set_tensor(self._input_index, x)
            interp.invoke()
            return interp.get_tensor(self._output_index).copy()

    def embedded_spec_json(self) -> str | None:
        payload = read_tflite_metadata(self._data, SPEC_METADATA_KEY)
        return payload.decode("utf-8", "replace") if payload else None
