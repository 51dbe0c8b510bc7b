"""Build and cache the files the benchmark times, through this project's own exporters.

``export_artifact`` is the single point where the harness calls the export API
(``hierattn.export.registry.get_converter(...).convert(...)``), so every format is produced the way
``hierattn-export`` produces it. Artifacts are cached under
``<out>/artifacts/<model>-<weights hash>-<exporter fingerprint>/<model>_<precision>.<suffix>``: a
repeated run with the same weights and exporters reuses them; new weights or a changed export
recipe or converter version never reuse a stale file.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..runtime.errors import UsageError
from ..runtime.spec import ModelSpec, sidecar_path

if TYPE_CHECKING:
    from torch import nn

SUFFIXES = {"pytorch": ".pt", "onnx": ".onnx", "tflite": ".tflite", "executorch": ".pte"}
DEFAULT_PRECISIONS: dict[str, tuple[str, ...]] = {
    "pytorch": ("fp32",),
    "onnx": ("fp32", "int8"),
    "tflite": ("fp32", "fp16", "int8"),
    "executorch": ("fp32", "int8"),
}
CALIBRATION_IMAGES = 16


@dataclass(frozen=True)
class Artifact:
    """One file to benchmark and what is known about it."""

    model: str
    format: str
    precision: str
    path: Path
    spec: ModelSpec | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def graph(self) -> str | None:
        """``deploy`` or ``plain`` as the export recorded it; PyTorch rows run the plain module."""
        if self.format == "pytorch":
            return "plain"
        return str(self.spec.extra.get("graph", "plain")) if self.spec is not None else None

    @property
    def size_mb(self) -> float:
        if self.path.is_dir():
            return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) / 1e6
        return self.path.stat().st_size / 1e6


def weights_hash(model: nn.Module) -> str:
    """Short SHA-256 of the state dict's names, shapes and values (stable across runs for a seed)."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:12]


def exporter_fingerprint() -> str:
    """Short hash of the exporters' and the deploy form's source and the converter versions.

    Part of the cache key, so a file exported by an older recipe or converter is never reused.
    """
    from importlib import metadata

    from .. import export as export_package
    from .. import models as models_package
    digest = hashlib.sha256()
    sources = [*Path(export_package.__file__).parent.rglob("*.py"), Path(models_package.__file__).parent / "deploy.py"]
    for source in sorted(sources):
        digest.update(source.relative_to(source.parents[1]).as_posix().encode() + source.read_bytes())
    for name in ("torch", "onnx", "onnxruntime", "onnxslim", "onnx2tf", "tensorflow", "coremltools", "executorch", "torchao"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=absent".encode())
    return digest.hexdigest()[:8]


def supported_precisions(fmt: str) -> tuple[str, ...]:
    """Precisions the installed exporter for ``fmt`` declares (PyTorch eager is fp32 only)."""
    if fmt == "pytorch":
        return ("fp32",)
    from ..export.base import ExportFormat
    from ..export.registry import get_converter

    converter = get_converter(ExportFormat(fmt))
    return tuple(p.value for p in converter.supported_precisions)


def export_artifact(
    model: nn.Module, spec: ModelSpec, fmt: str, precision: str, destination: Path, optimize: bool = True
) -> Artifact:
    """Export ``model`` to ``destination`` with the project's converter for ``fmt``/``precision``.

    HierAttn fp32/fp16 go through its deploy form unless ``optimize`` is False, exactly as
    ``hierattn-export`` does; every other model is exported as built.

    Raises:
        MissingBackendError: the converter's extra is not installed.
        UsageError: the converter does not support ``precision``.
    """
    from ..export.base import ConversionRequest, ExportFormat, Precision
    from ..export.integrity import seal_artifact
    from ..export.optimize import export_graph
    from ..export.registry import get_converter

    converter = get_converter(ExportFormat(fmt))
    converter.check_supported(Precision(precision))
    graph = export_graph(model, ExportFormat(fmt), Precision(precision), optimize)
    spec = spec.with_updates(extra=dict(spec.extra, **graph.metadata()))
    calibration = None
    if precision == "int8":
        from ..export.data import synthetic_batch

        # Latency only: synthetic images calibrate the ranges; accuracy of these int8 files means nothing.
        calibration = synthetic_batch(spec, count=CALIBRATION_IMAGES)
    with tempfile.TemporaryDirectory(prefix="hierattn-bench-") as workdir:
        request = ConversionRequest(
            model=graph.model, spec=spec, precision=Precision(precision), workdir=Path(workdir), calibration=calibration
        )
        result = converter.convert(request, destination)
        sealed = seal_artifact(result.path, result.spec, converter.embed_metadata)
    return Artifact(spec.arch, fmt, precision, result.path, sealed, dict(result.notes))


def save_state_dict(model: nn.Module, destination: Path) -> None:
    """PyTorch rows time the in-memory module; the saved state dict gives their file size and cold start."""
    import torch

    torch.save(model.state_dict(), destination)


def cached_artifact(
    model: nn.Module,
    spec: ModelSpec,
    fmt: str,
    precision: str,
    cache_dir: Path,
    log: Any = None,
    optimize: bool = True,
) -> Artifact:
    """Return the cached artifact for (model weights, format, precision, graph), exporting it if missing."""
    if fmt not in SUFFIXES:
        raise UsageError(f"Unknown format {fmt!r}; choose from: {', '.join(SUFFIXES)}.")
    graph = "" if optimize else "-plain"
    folder = cache_dir / f"{spec.arch}-{weights_hash(model)}-{exporter_fingerprint()}{graph}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.arch}_{precision}{SUFFIXES[fmt]}"
    if path.exists():
        cached_spec = None
        if sidecar_path(path).is_file():
            cached_spec = ModelSpec.from_json(sidecar_path(path).read_text())
        return Artifact(spec.arch, fmt, precision, path, cached_spec, {"cached": True})
    if log is not None:
        log(f"exporting {spec.arch} {fmt} {precision} -> {path}")
    partial = path.with_name(path.name + ".partial")
    try:
        if fmt == "pytorch":
            save_state_dict(model, partial)
            partial.replace(path)
            return Artifact(spec.arch, fmt, precision, path, spec, {"cached": False})
        artifact = export_artifact(model, spec, fmt, precision, partial, optimize)
        partial.replace(path)
        sidecar_path(partial).replace(sidecar_path(path))
    finally:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        elif partial.exists():
            partial.unlink()
    return Artifact(spec.arch, fmt, precision, path, artifact.spec, {**artifact.notes, "cached": False})
