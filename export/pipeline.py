"""Export pipeline: checkpoint -> convert -> embed metadata and seal -> validate -> move into place.

Every (format, precision) pair runs the same steps, isolated from the others: one failure is
reported and the next pair still runs. Artifacts are written in a temporary directory inside the
output directory and moved into place only when complete; a validation failure still moves the file
(so the user can inspect it) but the report says so. Ctrl-C or SIGTERM removes the temporary files
and leaves any previous artifact untouched.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..runtime.console import log
from ..runtime.errors import HierAttnError, MissingBackendError, UsageError
from ..runtime.spec import ModelSpec, sidecar_path
from .atomic import (
    ensure_writable_dir,
    interrupts_raised,
    missing_ancestors,
    move_into_place,
    raise_if_interrupted,
    removed_if_left_empty,
    signals_deferred,
    temp_dir,
)
from .base import ConversionRequest, Converter, ExportFormat, Precision
from .data import calibration_batch, validation_batch
from .integrity import seal_artifact
from .optimize import ExportGraph, export_graph
from .options import ArtifactReport, ExportOptions, ExportReport, Status
from .registry import get_converter
from .validation import ValidationResult, compare_logits

if TYPE_CHECKING:
    import torch

EXPORTER_PACKAGES: dict[ExportFormat, tuple[str, ...]] = {
    ExportFormat.ONNX: ("torch", "onnx", "onnxscript", "onnxslim", "onnxruntime"),
    ExportFormat.TFLITE: ("torch", "onnx", "onnxscript", "onnxslim", "onnx2tf", "tensorflow", "ai-edge-litert"),
    ExportFormat.COREML: ("torch", "coremltools"),
    ExportFormat.EXECUTORCH: ("torch", "executorch", "torchao"),
}


@dataclass(frozen=True)
class SourceModel:
    """The loaded PyTorch model, its base spec and where it came from."""

    model: torch.nn.Module
    spec: ModelSpec
    path: Path
    sha256: str


def exporter_versions(fmt: ExportFormat) -> dict[str, str]:
    versions = {"hierattn": _version("hierattn")}
    versions.update({name: _version(name) for name in EXPORTER_PACKAGES[fmt]})
    return {k: v for k, v in versions.items() if v}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def load_source(
    checkpoint: Path | None,
    arch: str | None,
    class_names: tuple[str, ...] | None = None,
    names_from: str = "--labels",
) -> SourceModel:
    """Load the checkpoint (or the bundled default model) and build its base spec.

    ``class_names`` (from ``names_from``, e.g. ``--labels``) name the outputs instead of the names the
    checkpoint records or, when it records none, the defaults for its class count; the spec's
    ``extra.class_names_source`` says which, so every reader can tell defaults from real names.
    """
    try:
        from ..models import checkpoint_info, load_checkpoint, model_spec
    except ImportError as exc:
        raise MissingBackendError(
            "Export needs PyTorch, which is not installed. Install it with: pip install 'hierattn[torch]'"
        ) from exc
    if checkpoint is None:
        checkpoint = _default_checkpoint()
    model = load_checkpoint(checkpoint, arch=arch, class_names=class_names, names_from=names_from)
    info = checkpoint_info(model)
    if info.class_names_source == "default":
        log(f"warning: {checkpoint} records no class names; using the defaults for {info.num_classes} classes "
            f"({' '.join(info.class_names)}). If the model was trained on other folder names (PAD-UFES-20's "
            "own codes: ACK BCC MEL NEV SCC SEK), name its outputs with --labels in the training folders' order.")
    elif info.recorded_class_names and info.recorded_class_names != info.class_names:
        log(f"warning: {names_from} renames the classes {checkpoint} records ({' '.join(info.recorded_class_names)}) "
            f"to {' '.join(info.class_names)}")
    spec = model_spec(info.arch, info.class_names, info.input_size).with_updates(
        extra={"source_checkpoint": Path(checkpoint).name, "checkpoint_sha256": info.sha256,
               "class_names_source": info.class_names_source},
    )
    return SourceModel(model=model.eval(), spec=spec, path=Path(checkpoint), sha256=info.sha256)


def _default_checkpoint() -> Path:
    try:
        from ..models import default_checkpoint_path

        path = Path(default_checkpoint_path())
    except (ImportError, AttributeError, HierAttnError):
        path = None
    if path is None or not path.is_file():
        raise UsageError("No bundled default model is installed; pass --checkpoint PATH to a HierAttn checkpoint.")
    return path


def torch_logits(model: torch.nn.Module, images: np.ndarray, batch: int = 16) -> np.ndarray:
    """PyTorch fp32 logits, the reference every artifact is compared with."""
    import torch

    outs = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            outs.append(model(torch.from_numpy(images[i : i + batch])).numpy())
    return np.concatenate(outs).astype(np.float32)


def run_artifact(path: Path, images: np.ndarray, threads: int | None) -> tuple[np.ndarray, ModelSpec]:
    """Run an artifact through the runtime, which reads its metadata back (proving the round trip)."""
    from ..runtime import Classifier

    classifier = Classifier.load(path, threads=threads)
    return classifier.predict_tensor(images), classifier.spec


def _plan(options: ExportOptions) -> list[tuple[ExportFormat, Precision, Converter | None, str | None]]:
    """(format, precision, converter or None, error) for every pair to attempt; usage errors raise now."""
    plan: list[tuple[ExportFormat, Precision, Converter | None, str | None]] = []
    for fmt in options.formats:
        try:
            converter = get_converter(fmt)
        except MissingBackendError as exc:
            if not options.all_pairs:
                raise
            plan.extend((fmt, p, None, str(exc)) for p in options.precisions)
            continue
        for precision in options.precisions:
            if precision in converter.supported_precisions:
                plan.append((fmt, precision, converter, None))
            elif not options.all_pairs:
                converter.check_supported(precision)
    return plan


def export_models(options: ExportOptions) -> ExportReport:
    """Export and validate every requested (format, precision) pair; see ExportOptions.

    Raises:
        HierAttnError: problems that stop the whole run (bad checkpoint, unwritable output directory,
            missing backend or unsupported precision for an explicitly requested format, no
            calibration images for int8). Per-pair failures are reported, not raised.
    """
    plan = _plan(options)
    created = missing_ancestors(options.output_dir)
    ensure_writable_dir(options.output_dir)
    with removed_if_left_empty(created):  # a bad checkpoint or image folder leaves no empty --output behind
        source = load_source(options.checkpoint, options.arch, options.class_names, options.class_names_from)
        replaced = _check_replacements(options, source, plan)
        images, images_from = validation_batch(source.spec, options.validation_dir)
        calibration = None
        if any(c is not None and c.needs_calibration(p) for _, p, c, _ in plan):
            calibration, calibration_from = calibration_batch(source.spec, options.calibration_dir)
            log(f"calibration: {len(calibration)} images from {calibration_from}")
        reference = torch_logits(source.model, images)
    log(f"validation: {len(images)} images from {images_from}")
    reports = []
    graphs: dict[tuple[ExportFormat, tuple[str, ...]], ExportGraph] = {}
    with interrupts_raised():
        for fmt, precision, converter, error in plan:
            if converter is None:
                reports.append(ArtifactReport(fmt, precision, None, Status.EXPORT_FAILED, error=error))
                continue
            cal = calibration if converter.needs_calibration(precision) else None
            graph = export_graph(source.model, fmt, precision, options.optimize)
            # fp32 and fp16 of one format share one module, so converters can reuse its fp32 graph.
            graph = graphs.setdefault((fmt, graph.rewrites), graph)
            reports.append(_export_one(options, source, converter, precision, images, reference, cal, graph))
    return ExportReport(
        artifacts=tuple(reports),
        checkpoint=str(source.path),
        checkpoint_sha256=source.sha256,
        validation_images=images_from,
        class_names=source.spec.class_names,
        class_names_source=str(source.spec.extra["class_names_source"]),
        referral_classes=source.spec.referral_classes,
        replaced=replaced,
    )


def _exported_from(artifact: Path) -> str:
    """sha256 of the checkpoint an existing artifact was exported from, "" when its sidecar does not say."""
    try:
        extra = json.loads(sidecar_path(artifact).read_text(encoding="utf-8")).get("extra") or {}
        return str(extra.get("checkpoint_sha256") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def _check_replacements(
    options: ExportOptions, source: SourceModel, plan: list[tuple[ExportFormat, Precision, Converter | None, str | None]]
) -> tuple[str, ...]:
    """Refuse (before any conversion) to replace artifacts another checkpoint produced, unless
    ``options.overwrite``; then return what will be replaced, for the report. Re-exporting the same
    checkpoint replaces its own files, as before."""
    foreign: list[str] = []
    for _, precision, converter, _ in plan:
        if converter is None:
            continue
        final = options.output_dir / artifact_name(source.spec, precision, converter)
        if not final.exists():
            continue
        owner = _exported_from(final)
        if owner != source.sha256:
            origin = f"checkpoint sha256 {owner[:16]}..." if owner else "an unknown checkpoint (no readable sidecar)"
            foreign.append(f"{final} (from {origin})")
    if foreign and not options.overwrite:
        raise UsageError(
            f"{options.output_dir} already holds {', '.join(foreign)}, exported from another checkpoint than "
            f"{source.path} (sha256 {source.sha256[:16]}...); choose another --output, or pass --overwrite to "
            "replace them."
        )
    for item in foreign:
        log(f"replacing {item}")
    return tuple(foreign)


def artifact_name(spec: ModelSpec, precision: Precision, converter: Converter) -> str:
    return f"{spec.arch}_{precision.value}{converter.suffix}"


def _export_one(
    options: ExportOptions,
    source: SourceModel,
    converter: Converter,
    precision: Precision,
    images: np.ndarray,
    reference: np.ndarray,
    calibration: np.ndarray | None,
    graph: ExportGraph,
) -> ArtifactReport:
    fmt = converter.format
    final = options.output_dir / artifact_name(source.spec, precision, converter)
    form = f"deploy form: {', '.join(graph.rewrites)}" if graph.rewrites else "plain graph"
    log(f"[{fmt.value} {precision.value}] exporting to {final} ({form})")
    started = time.perf_counter()
    extra = dict(source.spec.extra, exporters=exporter_versions(fmt), format=fmt.value, **graph.metadata())
    try:
        with temp_dir(options.output_dir) as work:
            staged = work / final.name
            request = ConversionRequest(
                model=graph.model,
                spec=source.spec.with_updates(precision=precision.value, extra=extra),
                precision=precision,
                workdir=work / "scratch",
                calibration=calibration,
                opset=options.opset,
                dynamic_batch=options.dynamic_batch,
                int8_profile=options.int8_profile,
            )
            request.workdir.mkdir()
            with contextlib.redirect_stdout(sys.stderr):
                result = converter.convert(request, staged)
                sealed = seal_artifact(result.path, result.spec, converter.embed_metadata)
                validation = _validate(options, converter, request, result.path, sealed, images, reference)
            for check in validation.checks:
                log(f"[{fmt.value} {precision.value}] {check.line()}")
            raise_if_interrupted()  # a converter that swallowed Ctrl-C must not replace the previous file
            with signals_deferred():
                move_into_place(sidecar_path(result.path), sidecar_path(final))
                move_into_place(result.path, final)
    except HierAttnError as exc:
        raise_if_interrupted()
        return _failed(fmt, precision, str(exc), started)
    except Exception as exc:  # a converter crash must not stop the other formats
        raise_if_interrupted()  # ...unless it is a Ctrl-C that the converter wrapped in its own error
        return _failed(fmt, precision, f"{type(exc).__name__}: {exc}", started)
    status = Status.OK if validation.passed else Status.VALIDATION_FAILED
    if status is not Status.OK:
        log(f"[{fmt.value} {precision.value}] validation failed; the file is kept at {final}")
    return ArtifactReport(
        format=fmt,
        precision=precision,
        path=final,
        status=status,
        size_mb=_size_mb(final),
        validation=validation,
        seconds=time.perf_counter() - started,
        notes=dict(result.notes),
    )


def _failed(fmt: ExportFormat, precision: Precision, message: str, started: float) -> ArtifactReport:
    log(f"[{fmt.value} {precision.value}] export failed: {message}")
    return ArtifactReport(
        fmt, precision, None, Status.EXPORT_FAILED, error=message, seconds=time.perf_counter() - started
    )


def _validate(
    options: ExportOptions,
    converter: Converter,
    request: ConversionRequest,
    path: Path,
    spec: ModelSpec,
    images: np.ndarray,
    reference: np.ndarray,
) -> ValidationResult:
    offline = converter.validate_offline(path, request, spec)
    if offline is not None:
        return offline
    logits, read_back = run_artifact(path, images, options.threads)
    if read_back.to_dict() != ModelSpec.from_json(spec.to_json()).to_dict():
        raise HierAttnError(f"The metadata read back from {path.name} differs from what was written.")
    return compare_logits(reference, logits, spec, options.tolerances[request.precision])


def _size_mb(path: Path) -> float:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    total = sum(p.stat().st_size for p in files)
    return round(total / 1e6, 3)

