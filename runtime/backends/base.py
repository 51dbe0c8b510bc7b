"""The small interface every inference backend implements, plus the layout and quantization helpers.

A backend owns one loaded artifact and runs it on a batch in the artifact's own layout and dtype;
callers always hand it NCHW float32 and get float32 logits back, whatever the file expects.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelFileError


@dataclass(frozen=True)
class Quantization:
    """Affine quantization of an integer tensor: ``real = (q - zero_point) * scale``."""

    scale: float
    zero_point: int
    dtype: np.dtype

    def quantize(self, x: np.ndarray) -> np.ndarray:
        info = np.iinfo(self.dtype)
        q = np.round(x.astype(np.float64) / self.scale) + self.zero_point
        return np.clip(q, info.min, info.max).astype(self.dtype)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        return ((q.astype(np.float64) - self.zero_point) * self.scale).astype(np.float32)


@dataclass(frozen=True)
class TensorInfo:
    """Shape (None for a dynamic axis), dtype and optional quantization of a model input or output."""

    name: str
    shape: tuple[int | None, ...]
    dtype: np.dtype
    quantization: Quantization | None = None

    @property
    def static_batch(self) -> int | None:
        return self.shape[0] if self.shape else None


def detect_layout(shape: tuple[int | None, ...]) -> str | None:
    """Guess NCHW/NHWC from a 4-D image input shape; None when the shape does not say."""
    if len(shape) != 4:
        return None
    channels_first, channels_last = shape[1] == 3, shape[3] == 3
    if channels_first and not channels_last:
        return "NCHW"
    if channels_last and not channels_first:
        return "NHWC"
    return None


def check_layout(declared: str, info: TensorInfo, path: str) -> str:
    """The artifact's layout: the declared one, unless the input shape plainly contradicts it."""
    detected = detect_layout(info.shape)
    if detected is not None and detected != declared:
        raise ModelFileError(
            f"{path}: metadata says layout {declared} but the model input has shape {list(info.shape)} "
            f"({detected}). Fix the sidecar's 'layout' or re-export the model."
        )
    return declared


class Backend(ABC):
    """One loaded artifact. Subclasses implement ``_run`` on a batch already in the model's layout."""

    name: str
    path: Path
    input: TensorInfo
    output: TensorInfo
    layout: str = "NCHW"
    thread_safe: bool = True  # False: Classifier serialises calls with a lock

    def bind_layout(self, declared: str) -> None:
        """Adopt the layout from the model's spec, checked against the input shape."""
        self.layout = check_layout(declared, self.input, str(self.path))

    def run(self, x_nchw: np.ndarray) -> np.ndarray:
        """Run NCHW float32 ``[N, 3, H, W]`` and return float32 logits ``[N, num_classes]``."""
        x = self.prepare_input(x_nchw)
        batch = self.input.static_batch
        if batch is None or batch == x.shape[0]:
            out = self._run(x)
        else:
            out = np.concatenate([self._run(x[i : i + batch]) for i in range(0, x.shape[0], batch)])
        return self.finish_output(out)

    def prepare_input(self, x_nchw: np.ndarray) -> np.ndarray:
        """NCHW float32 images in the model's own layout and input dtype (quantized if it is integer)."""
        x = x_nchw.transpose(0, 2, 3, 1) if self.layout == "NHWC" else x_nchw
        x = np.ascontiguousarray(x, dtype=np.float32)
        if self.input.quantization is not None:
            return self.input.quantization.quantize(x)
        return x.astype(self.input.dtype) if x.dtype != self.input.dtype else x

    def finish_output(self, out: np.ndarray) -> np.ndarray:
        """Raw model outputs as float32 logits (dequantized if the output is integer)."""
        if self.output.quantization is not None:
            return self.output.quantization.dequantize(out)
        return out.astype(np.float32, copy=False)

    @abstractmethod
    def _run(self, x: np.ndarray) -> np.ndarray:
        """Run one batch whose size matches the model's batch axis."""

    def embedded_spec_json(self) -> str | None:
        """The ``hierattn_spec`` JSON stored inside the artifact, if the format has a place for it."""
        return None
