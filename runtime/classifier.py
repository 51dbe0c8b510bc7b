"""``Classifier``: load an exported HierAttn model and classify images or tensors, without torch.

A Classifier may be shared between threads: ONNX Runtime sessions are thread-safe, LiteRT runs from
an interpreter pool, and any other backend is serialised with a lock.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from .artifact.integrity import NO_VERIFY_HINT, Integrity, verify_artifact
from .backends import open_backend
from .backends.base import Backend
from .colour import colour_warning
from .errors import HierAttnError, ModelFileError, UsageError
from .image_io import ImageInput
from .metadata import check_agreement, resolve_spec, sidecar_spec
from .prediction import Prediction, make_prediction
from .preprocess import Preprocessed, decode, preprocess_decoded
from .spec import ModelSpec, sidecar_path


class Classifier:
    """An exported model plus its spec. Build it with ``Classifier.load(path)``."""

    def __init__(self, backend: Backend, spec: ModelSpec, integrity: Integrity = Integrity.SKIPPED) -> None:
        self.backend = backend
        self.spec = spec
        self.integrity = integrity
        backend.bind_layout(spec.layout)
        _check_compatible(backend, spec)
        self._lock = contextlib.nullcontext() if backend.thread_safe else threading.Lock()

    @classmethod
    def load(
        cls,
        path: str | Path,
        spec: ModelSpec | None = None,
        threads: int | None = None,
        verify: bool = True,
        concurrency: int | None = None,
    ) -> Classifier:
        """Open ``path`` (.onnx, .tflite, .pte with the executorch extra, or .mlpackage on macOS) and read its spec.

        Args:
            path: the exported artifact.
            spec: use this spec instead of the artifact's metadata/sidecar.
            threads: intra-op threads for the backend (None: the backend's default).
            verify: check the file against the sha256 and size recorded at export (sidecar and embedded
                metadata) before loading it; a mismatch raises ModelFileError naming both digests.
            concurrency: how many inferences may run at once when shared between threads (LiteRT
                interpreter pool size; default: the CPU count).
        """
        for name, value in (("threads", threads), ("concurrency", concurrency)):
            if value is not None and value < 1:
                raise UsageError(f"{name} must be at least 1, got {value}.")
        path = Path(path)
        integrity = Integrity.SKIPPED
        if verify and path.exists():
            integrity = verify_artifact(path, sidecar_path(path))
        backend = open_backend(path, threads, concurrency)
        beside = sidecar_spec(path)
        if beside is not None:  # the Kotlin app reads the sidecar: it must not contradict the model either
            backend.bind_layout(beside.layout)
            _check_compatible(backend, beside, sidecar_path(path).name)
        resolved = spec if spec is not None else resolve_spec(backend)
        if spec is None and beside is not None and backend.embedded_spec_json():
            check_agreement(path, resolved, beside)
        if integrity is Integrity.UNSEALED and "integrity" in resolved.extra:
            raise ModelFileError(
                f"{path}: its metadata has an integrity record but no readable sha256 in it; the file changed "
                f"after export: {NO_VERIFY_HINT}."
            )
        return cls(backend, resolved, integrity)

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
        with self._lock:
            return self.backend.run(x.astype(np.float32, copy=False))

    def predict(self, image: ImageInput, top_k: int = 3, crop: bool = True) -> Prediction:
        """Classify one image (path, bytes, PIL image or uint8 array).

        Args:
            image: the input; decoding problems raise InvalidImageError.
            top_k: how many (label, probability) pairs to rank.
            crop: apply the circle crop when the model's spec enables it; False skips it.
        """
        started = time.perf_counter()
        pixels = decode(image, self.spec)
        decoded = time.perf_counter()
        prepared = preprocess_decoded(pixels, self.spec, crop=crop)
        preprocessed = time.perf_counter()
        logits = self.predict_tensor(prepared.tensor[None])
        finished = time.perf_counter()
        timings = {
            "decode": (decoded - started) * 1e3,
            "preprocess": (preprocessed - decoded) * 1e3,
            "inference": (finished - preprocessed) * 1e3,
        }
        return make_prediction(logits[0], self.spec, top_k, prepared.crop_box, timings, _warnings(pixels.image))

    def predict_batch(
        self, images: Iterable[ImageInput], top_k: int = 3, crop: bool = True
    ) -> list[Prediction | HierAttnError]:
        """Classify images in one batched inference call; a bad image yields its error in its slot.

        Decoding and preprocessing happen in the calling thread, so callers that want them in parallel
        run several predict_batch calls on worker threads (the Classifier is thread-safe).
        """
        results: list[Prediction | HierAttnError | None] = []
        prepared: list[tuple[int, Preprocessed, dict[str, float], tuple[str, ...]]] = []
        for image in images:
            try:
                started = time.perf_counter()
                pixels = decode(image, self.spec)
                decoded = time.perf_counter()
                item = preprocess_decoded(pixels, self.spec, crop=crop)
                timings = {"decode": (decoded - started) * 1e3, "preprocess": (time.perf_counter() - decoded) * 1e3}
                prepared.append((len(results), item, timings, _warnings(pixels.image)))
                results.append(None)
            except HierAttnError as exc:
                results.append(exc)
        if prepared:
            started = time.perf_counter()
            logits = self.predict_tensor(np.stack([item.tensor for _, item, _, _ in prepared]))
            per_image = (time.perf_counter() - started) * 1e3 / len(prepared)
            for row, (slot, item, timings, warnings) in zip(logits, prepared, strict=True):
                timings["inference"] = per_image
                results[slot] = make_prediction(row, self.spec, top_k, item.crop_box, timings, warnings)
        return results  # type: ignore[return-value]  # every slot is filled above


def _warnings(image: Image.Image | np.ndarray) -> tuple[str, ...]:
    """Notes for the result row about the decoded input itself (today: missing colour)."""
    warning = colour_warning(image if isinstance(image, np.ndarray) else np.asarray(image.convert("RGB")))
    return (warning,) if warning else ()


def _check_compatible(backend: Backend, spec: ModelSpec, source: str = "its metadata") -> None:
    """Refuse a spec whose input size or class count contradicts the model's static shapes."""
    shape = backend.input.shape
    if len(shape) == 4:
        spatial = shape[2:] if backend.layout == "NCHW" else shape[1:3]
        if None not in spatial and tuple(spatial) != tuple(spec.input_size):
            raise ModelFileError(
                f"{backend.path}: the model takes {spatial[0]}x{spatial[1]} images but {source} says "
                f"input_size {spec.input_size[0]}x{spec.input_size[1]}; fix the sidecar or re-export."
            )
    classes = backend.output.shape[-1] if backend.output.shape else None
    if classes is not None and classes != spec.num_classes:
        raise ModelFileError(
            f"{backend.path}: the model outputs {classes} classes but {source} lists {spec.num_classes} "
            "class names; fix the sidecar or re-export."
        )
