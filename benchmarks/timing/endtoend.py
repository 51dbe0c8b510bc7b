"""End-to-end rows: what a user waits for. Decode + preprocess + inference of one photo, ms per stage.

Two generated JPEGs (never downloaded): a 4000 x 3000 phone photo and a 1024 x 1024 dermoscopy image,
each a bundled validation sample upscaled with Pillow's BICUBIC filter and saved at quality 92. Each
row is one (image, preprocessing version) pair: version 1 is the full-size path of models exported
before docs/preprocessing.md's version 2, version 2 decodes small and box-reduces. The Python rows
here run ``hierattn.runtime`` exactly as ``preprocess`` does, stage by stage; ``devices.jvm`` and
``devices.browser`` give the same rows for the Kotlin core on the JVM and the web page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...runtime.spec import ModelSpec
from .stats import LatencyStats

Log = Callable[[str], None]
STAGES = ("decode", "preprocess", "inference")
VERSIONS = (1, 2)


@dataclass(frozen=True)
class E2EImage:
    """One generated test photo."""

    name: str
    path: Path
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"{self.name} {self.width}x{self.height}"


# name -> (bundled sample under runtime/assets/samples, width, height)
E2E_SOURCES: dict[str, tuple[str, int, int]] = {
    "photo_12mp": ("validation/NV/smartphone_00001.jpg", 4000, 3000),
    "dermoscopy_1mp": ("validation/MEL/dermoscopy_00000.jpg", 1024, 1024),
}


def make_images(out_dir: Path, sizes: dict[str, tuple[str, int, int]] | None = None) -> list[E2EImage]:
    """Write (or reuse) the test photos under ``out_dir``; ``sizes`` overrides ``E2E_SOURCES`` (tests use small ones)."""
    from PIL import Image

    from ...runtime.defaults import ASSETS

    images = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (sample, width, height) in (sizes or E2E_SOURCES).items():
        path = out_dir / f"{name}_{width}x{height}.jpg"
        if not path.is_file():
            with Image.open(ASSETS / "samples" / sample) as source:
                source.convert("RGB").resize((width, height), Image.Resampling.BICUBIC).save(path, quality=92)
        images.append(E2EImage(name, path, width, height))
    return images


def e2e_row(base: dict[str, Any], image: E2EImage, version: int, stages_ms: dict[str, list[float]],
            pixel_bytes: int | None, warmup: int, cpu_ms: dict[str, list[float]] | None = None) -> dict[str, Any]:
    """A report row: the latency columns are the per-run sums of the stages, plus each stage's median.

    ``cpu_ms`` (where the runtime can measure it) holds each stage's CPU time per run: what the work
    costs, which a busy machine inflates far less than wall time. ``cpu_ms`` in the row is the median
    per-run sum, ``<stage>_cpu_ms`` each stage's median.
    """
    present = [s for s in STAGES if stages_ms.get(s)]
    totals = np.sum([stages_ms[s] for s in present], axis=0).tolist()
    stats = LatencyStats.from_samples(totals)
    medians = {f"{s}_ms": float(np.median(stages_ms[s])) if s in present else None for s in STAGES}
    cpu = {s: v for s, v in (cpu_ms or {}).items() if v}
    medians |= {f"{s}_cpu_ms": float(np.median(cpu[s])) if s in cpu else None for s in STAGES}
    medians["cpu_ms"] = float(np.median(np.sum(list(cpu.values()), axis=0))) if cpu else None
    return {
        **base, "batch": 1, "warmup": warmup, "iters": stats.count,
        "median_ms": stats.median_ms, "p90_ms": stats.p90_ms, "mean_ms": stats.mean_ms, "min_ms": stats.min_ms,
        "max_ms": stats.max_ms, "std_ms": stats.std_ms, "throughput_ips": stats.throughput(1),
        "end_to_end_image": image.label, "preprocessing": version, **medians, "pixel_buffer_bytes": pixel_bytes,
    }


def run_python(model: Path, images: list[E2EImage], threads: int, warmup: int, iters: int, log: Log) -> list[dict[str, Any]]:
    """Python runtime rows, interleaved: every timed round visits each (image, version) pair once."""
    from ...runtime.classifier import Classifier
    from ...runtime.image_io import decode_small, load_rgb
    from ...runtime.preprocess import crop_and_resize, to_tensor

    classifier = Classifier.load(model, threads=threads)
    pairs = [(image, classifier.spec.with_updates(preprocessing=v)) for image in images for v in VERSIONS]
    samples: list[dict[str, list[float]]] = [{s: [] for s in STAGES} for _ in pairs]
    cpu_samples: list[dict[str, list[float]]] = [{s: [] for s in STAGES} for _ in pairs]
    pixel_bytes: list[int] = [0] * len(pairs)

    def once(i: int, record: bool) -> None:
        image, spec = pairs[i]
        c0, t0 = time.process_time(), time.perf_counter()
        decoded = decode_small(image.path, spec.input_size).image if spec.preprocessing >= 2 else load_rgb(image.path)
        c1, t1 = time.process_time(), time.perf_counter()
        resized, _ = crop_and_resize(decoded, spec)
        tensor = to_tensor(resized, spec)
        c2, t2 = time.process_time(), time.perf_counter()
        classifier.predict_tensor(tensor[None])
        c3, t3 = time.process_time(), time.perf_counter()
        if record:
            for stage, ms, cpu in zip(STAGES, ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3),
                                      ((c1 - c0) * 1e3, (c2 - c1) * 1e3, (c3 - c2) * 1e3), strict=True):
                samples[i][stage].append(ms)
                cpu_samples[i][stage].append(cpu)
            pixel_bytes[i] = _decoded_bytes(decoded)

    for i, (image, spec) in enumerate(pairs):
        log(f"end-to-end python {image.label} preprocessing {spec.preprocessing}: warm-up")
        for _ in range(warmup):
            once(i, False)
    for _ in range(iters):
        for i in range(len(pairs)):
            once(i, True)
    rows = []
    for i, (image, spec) in enumerate(pairs):
        backend = PYTHON_BACKENDS.get(model.suffix.lower(), model.suffix.lstrip("."))
        base = base_row("cpu", model, spec, model.suffix.lstrip(".").lower(), backend, threads)
        rows.append(e2e_row(base, image, spec.preprocessing, samples[i], pixel_bytes[i], warmup, cpu_samples[i]))
    return rows


def _decoded_bytes(decoded: Any) -> int:
    """Bytes of the decoded image the preprocessing started from (RGB, 3 bytes a pixel)."""
    if isinstance(decoded, np.ndarray):
        return int(decoded.nbytes)
    width, height = decoded.size
    return int(width * height * 3)


PYTHON_BACKENDS = {".onnx": "onnxruntime", ".tflite": "ai-edge-litert"}


def base_row(device: str, model: Path, spec: ModelSpec, fmt: str, backend: str, threads: int) -> dict[str, Any]:
    """The fields every end-to-end row shares; the stage columns come from ``e2e_row``."""
    from importlib import metadata

    try:
        version = metadata.version(backend)
    except metadata.PackageNotFoundError:
        version = None
    return {
        "device": device, "model": spec.arch or model.stem, "label": f"{model.name} end to end", "family": "file",
        "format": fmt, "precision": spec.precision, "graph": None, "backend": backend, "backend_version": version,
        "threads": threads, "threads_observed": None, "threads_check": "not checked (end-to-end row)",
        "size_mb": model.stat().st_size / 1e6, "artifact": str(model),
    }
