"""ExecuTorch backend for .pte programs, through ``executorch.runtime`` (optional extra ``executorch``).

ExecuTorch's Python runtime takes and returns torch tensors, so this backend imports torch: it is
loaded only for a .pte file, which keeps the ONNX/TFLite runtime torch-free. XNNPACK's thread pool
is process-wide in ExecuTorch (one pool shared by every program), so ``threads`` resets that pool;
the last Classifier loaded with an explicit thread count decides it. A loaded method keeps a
pointer to the pool it was initialised with: running it, or even destroying it, after a reset is a
use after free that crashes the process (or not, depending on what reused the memory). So
``set_threads`` first releases the loaded ``forward`` of every live backend, then replaces the pool,
and each backend reloads ``forward`` on its next call. ``Program.load_method`` caches the methods it
loads, so releasing one means dropping its program too; the program is loaded again from the file's
bytes, which the backend keeps. A loaded ``Method`` holds its
input and output buffers, so calls are serialised (``thread_safe = False``).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, missing_backend
from .base import Backend, TensorInfo

SPEC_METHOD = "hierattn_spec"
_DTYPES = {6: np.float32, 5: np.float16, 1: np.int8, 0: np.uint8}  # ExecuTorch ScalarType codes


def import_runtime() -> Any:
    """``executorch.runtime``, or the standard missing-extra error (one line, names the extra)."""
    try:
        from executorch import runtime
    except ImportError:
        raise missing_backend("executorch", "executorch", "Running .pte models") from None
    return runtime


def pool_size() -> int:
    """Threads of ExecuTorch's process-wide XNNPACK thread pool."""
    from executorch.extension.pybindings import portable_lib

    return int(portable_lib._threadpool_get_thread_count())


_live_backends: weakref.WeakSet[ExecuTorchBackend] = weakref.WeakSet()


def set_threads(threads: int) -> int:
    """Resize ExecuTorch's process-wide XNNPACK thread pool; return the size it reports back.

    Every loaded ``forward`` is released before the old pool is freed (see the module docstring).
    """
    from executorch.extension.pybindings import portable_lib

    if pool_size() != threads:
        for backend in list(_live_backends):
            backend.release_method()
        portable_lib._unsafe_reset_threadpool(threads)
    return pool_size()


def _tensor_info(name: str, meta: Any) -> TensorInfo:
    return TensorInfo(name=name, shape=tuple(int(d) for d in meta.sizes()), dtype=np.dtype(_DTYPES.get(meta.dtype(), np.float32)))


class ExecuTorchBackend(Backend):
    name = "executorch"
    thread_safe = False

    def __init__(self, path: Path, threads: int | None) -> None:
        runtime = import_runtime()
        import torch

        self._torch = torch
        self.path = path
        if threads is not None:
            set_threads(threads)
        self._runtime = runtime
        self._data = path.read_bytes()
        self._program: Any = None
        self._forward: Any = None
        try:
            self._program, self._forward = self._load()
        except (RuntimeError, ValueError) as exc:
            raise ModelFileError(f"{path}: ExecuTorch cannot load this program ({str(exc).strip()[:200]}).") from exc
        if self._forward is None:
            raise ModelFileError(f"{path}: the program has no 'forward' method; re-export it with hierattn-export.")
        _live_backends.add(self)
        meta = self._forward.metadata
        self.input = _tensor_info("image", meta.input_tensor_meta(0))
        self.output = _tensor_info("logits", meta.output_tensor_meta(0))

    def _run(self, x: np.ndarray) -> np.ndarray:
        return self.execute(x)

    def _load(self) -> tuple[Any, Any]:
        program = self._runtime.Runtime.get().load_program(self._data)
        return program, program.load_method("forward")

    def release_method(self) -> None:
        """Destroy the loaded ``forward`` (and the program caching it) while its pool still exists."""
        self._forward = None
        self._program = None

    def ensure_method(self) -> None:
        """Reload the program and ``forward`` if a thread-pool reset released them (module docstring)."""
        if self._forward is None:
            self._program, self._forward = self._load()

    def execute(self, x: np.ndarray) -> np.ndarray:
        """One call of ``forward`` on a batch already in the program's shape and dtype (the timed call)."""
        self.ensure_method()
        (out,) = self._forward.execute([self._torch.from_numpy(x)])
        return out.numpy().copy()

    def embedded_spec_json(self) -> str | None:
        self.ensure_method()
        if SPEC_METHOD not in self._program.method_names:
            return None
        (value,) = self._program.load_method(SPEC_METHOD).execute([])
        return str(value).strip() or None
