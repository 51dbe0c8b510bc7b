"""Thin per-backend runners: load an artifact with a thread count, verify it, and time one call.

They call the backend session directly (not ``hierattn.runtime.Classifier``) so the timed region is
the model itself, not preprocessing or Python glue. Thread counts are checked, not assumed:
PyTorch and ONNX Runtime by reading the setting back, LiteRT (which has no getter) by counting the
worker threads its XNNPACK thread pool adds to the process, ExecuTorch by reading its process-wide
thread pool's size back after resetting it. torch is imported only by the PyTorch and ExecuTorch
runners, so ONNX and TFLite rows work from the torch-free runtime install.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...runtime.errors import ModelFileError, UsageError, missing_backend

if TYPE_CHECKING:
    from torch import nn

FORMATS: tuple[str, ...] = ("pytorch", "onnx", "tflite", "executorch")


def os_thread_count() -> int:
    """Threads of this process (Linux /proc; psutil elsewhere)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import psutil

        return psutil.Process().num_threads()


def _random_input(shape: tuple[int, ...], dtype: np.dtype, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    return rng.random(shape, dtype=np.float32).astype(dtype)


class Runner(ABC):
    """A loaded model ready to be timed at a fixed thread count."""

    backend: str

    def __init__(self, threads: int, batch: int) -> None:
        if threads < 1 or batch < 1:
            raise UsageError(f"threads and batch must be at least 1 (got {threads}, {batch}).")
        self.threads = threads
        self.batch = batch
        self.threads_observed: int | None = None
        self.threads_check = "none"

    @property
    def threads_ok(self) -> bool:
        return self.threads_observed == self.threads

    def activate(self) -> None:  # noqa: B027 (a hook: most backends need nothing here)
        """Called before each timed slice; backends with global thread state set it here."""

    @abstractmethod
    def run(self) -> None:
        """One inference on the runner's fixed input."""

    def infer(self, x: np.ndarray) -> np.ndarray | None:
        """Logits [B, C] for an NCHW float batch in [0, 1]; None when the artifact cannot take it."""
        return None

    def time_once(self) -> float:
        """Milliseconds for one inference."""
        start = time.perf_counter()
        self.run()
        return (time.perf_counter() - start) * 1000.0


class TorchRunner(Runner):
    """PyTorch eager fp32, the paper's setting; threads via ``torch.set_num_threads``."""

    backend = "torch"

    def __init__(self, model: nn.Module, threads: int, batch: int, input_size: tuple[int, int]) -> None:
        super().__init__(threads, batch)
        import torch

        self._torch = torch
        self.model = model
        self.x = torch.from_numpy(_random_input((batch, 3, *input_size), np.dtype(np.float32)))
        self.activate()

    def activate(self) -> None:
        self._torch.set_num_threads(self.threads)
        self.threads_observed = self._torch.get_num_threads()
        self.threads_check = "torch.get_num_threads"

    def run(self) -> None:
        with self._torch.inference_mode():
            self.model(self.x)

    def infer(self, x: np.ndarray) -> np.ndarray:
        with self._torch.inference_mode():
            return self.model(self._torch.from_numpy(x)).numpy()


class OrtRunner(Runner):
    """ONNX Runtime CPU session with ``intra_op_num_threads`` set and read back from the session."""

    backend = "onnxruntime"

    def __init__(self, path: Path, threads: int, batch: int) -> None:
        super().__init__(threads, batch)
        try:
            import onnxruntime as ort
        except ImportError:
            raise missing_backend("onnxruntime", "bench", "Benchmarking ONNX models") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ORT raises its own Fail/InvalidGraph types
            raise ModelFileError(f"ONNX Runtime cannot load {path} ({exc}); re-export it.") from exc
        self.threads_observed = self.session.get_session_options().intra_op_num_threads
        self.threads_check = "SessionOptions.intra_op_num_threads"
        meta = self.session.get_inputs()[0]
        shape = tuple(batch if i == 0 or not isinstance(d, int) else d for i, d in enumerate(meta.shape))
        dtype = np.dtype(np.uint8 if "uint8" in meta.type else np.int8 if "int8" in meta.type else np.float32)
        self.feed = {meta.name: _random_input(shape, dtype)}

    def run(self) -> None:
        self.session.run(None, self.feed)

    def infer(self, x: np.ndarray) -> np.ndarray | None:
        (name, value), = self.feed.items()
        if value.dtype != np.float32 or value.shape[1:] != x.shape[1:]:
            return None
        return np.concatenate([np.asarray(self.session.run(None, {name: x[i : i + 1]})[0]) for i in range(len(x))])


class LiteRTRunner(Runner):
    """LiteRT interpreter (XNNPACK) with ``num_threads``; checked by the worker threads it adds."""

    backend = "ai-edge-litert"

    def __init__(self, path: Path, threads: int, batch: int) -> None:
        super().__init__(threads, batch)
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise missing_backend("ai_edge_litert", "litert", "Benchmarking TFLite models") from None
        before = os_thread_count()
        try:
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
            detail = self.interpreter.get_input_details()[0]
            if int(detail["shape"][0]) != batch:
                shape = [batch, *(int(d) for d in detail["shape"][1:])]
                self.interpreter.resize_tensor_input(detail["index"], shape)
            self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelFileError(f"LiteRT cannot load {path} ({exc}); re-export it.") from exc
        detail = self.interpreter.get_input_details()[0]
        self.index = detail["index"]
        self.x = _random_input(tuple(int(d) for d in detail["shape"]), np.dtype(detail["dtype"]))
        self.run()
        # XNNPACK's pthreadpool runs on the calling thread plus (threads - 1) workers.
        self.threads_observed = os_thread_count() - before + 1
        self.threads_check = "os threads added by the interpreter + 1"

    def run(self) -> None:
        self.interpreter.set_tensor(self.index, self.x)
        self.interpreter.invoke()

    def infer(self, x: np.ndarray) -> np.ndarray | None:
        if self.x.dtype != np.float32 or self.x.shape[0] != 1:
            return None
        if self.x.shape[1:] != x.shape[1:]:
            x = x.transpose(0, 2, 3, 1)  # NHWC artifact (onnx2tf layout)
            if self.x.shape[1:] != x.shape[1:]:
                return None
        output = self.interpreter.get_output_details()[0]
        logits = []
        for i in range(len(x)):
            self.interpreter.set_tensor(self.index, np.ascontiguousarray(x[i : i + 1]))
            self.interpreter.invoke()
            value = self.interpreter.get_tensor(output["index"]).astype(np.float32)
            scale, zero = output.get("quantization", (0.0, 0))
            logits.append((value - zero) * scale if scale else value)
        return np.concatenate(logits)


class ExecuTorchRunner(Runner):
    """ExecuTorch program (XNNPACK delegate); the process-wide thread pool is reset before each slice."""

    backend = "executorch"

    def __init__(self, path: Path, threads: int, batch: int) -> None:
        super().__init__(threads, batch)
        from ...runtime.backends.executorch import ExecuTorchBackend

        self.activate()
        self.program = ExecuTorchBackend(path, None)
        shape = self.program.input.shape
        if shape[0] != batch:
            raise UsageError(f"{path.name} is an ExecuTorch program with a fixed batch of {shape[0]}; use --batch {shape[0]}.")
        static = tuple(d for d in shape if d is not None)
        assert len(static) == len(shape)  # ExecuTorch tensor metadata has no dynamic axes
        self.x = _random_input(static, self.program.input.dtype)
        self.run()

    def activate(self) -> None:
        from ...runtime.backends.executorch import set_threads

        self.threads_observed = set_threads(self.threads)
        self.threads_check = "executorch _threadpool_get_thread_count after reset"
        program = getattr(self, "program", None)
        if program is not None:
            program.ensure_method()  # re-initialise on the new pool outside the timed region

    def run(self) -> None:
        self.program.execute(self.x)

    def infer(self, x: np.ndarray) -> np.ndarray | None:
        return self.program.run(x) if x.shape[1:] == self.x.shape[1:] else None


def open_file_runner(path: Path, threads: int, batch: int) -> Runner:
    """Runner for an exported file, chosen by its suffix (.onnx, .tflite, .pte); torch-free but .pte."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"Model file {path} does not exist; check the path or export it first.")
    if path.suffix == ".onnx":
        return OrtRunner(path, threads, batch)
    if path.suffix == ".tflite":
        return LiteRTRunner(path, threads, batch)
    if path.suffix == ".pte":
        return ExecuTorchRunner(path, threads, batch)
    raise UsageError(f"Cannot benchmark {path.name}: expected a .onnx, .tflite or .pte file.")
