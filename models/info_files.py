"""What ``hierattn-info`` says about files that are not checkpoints: exported models, sidecars, images.

An exported model (ONNX, TFLite, ExecuTorch, Core ML) or its sidecar gets the summary of the spec it
carries and the commands that use it; any other file gets a one-line usage error saying what it is and
what to run instead. Runtime only: nothing here imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..runtime.artifact.file_kinds import FileKind, next_step, what_it_is
from ..runtime.errors import MissingBackendError, ModelFileError, UsageError
from ..runtime.spec import ModelSpec, class_names_line


def describe_exported(path: Path, kind: FileKind) -> dict[str, Any]:
    """The spec summary of an exported model: embedded metadata (verified), else its sidecar."""
    from ..runtime.classifier import Classifier
    from ..runtime.metadata import sidecar_spec

    note = ""
    try:
        classifier = Classifier.load(path, threads=1)
        spec, integrity = classifier.spec, classifier.integrity.value
    except MissingBackendError as exc:  # .pte without executorch, .mlpackage off macOS: the sidecar still tells
        spec, integrity = sidecar_spec(path), "not checked"
        if spec is None:
            raise ModelFileError(f"{path} is {what_it_is(kind)} with no sidecar, and {exc}") from None
        note = "read from the sidecar (the backend to open the model is not installed)"
    return _summary(path, kind.value, what_it_is(kind), spec, integrity, note, next_step(path, kind, info=False))


def describe_json(path: Path) -> dict[str, Any]:
    """A model's sidecar (its spec) gets the spec summary; any other JSON is a usage error."""
    try:
        spec = ModelSpec.from_json(path.read_text(encoding="utf-8"))
        data = json.loads(path.read_text(encoding="utf-8"))
        if "class_names" not in data:
            raise ModelFileError("no class_names")
    except (OSError, UnicodeDecodeError, ModelFileError):
        raise UsageError(
            f"{path} is a JSON file, not a checkpoint or a model's sidecar; hierattn-info describes PyTorch "
            "checkpoints (.pt/.pth), exported models (.onnx, .tflite, .pte, .mlpackage) and their sidecars."
        ) from None
    artifact = path.with_name(path.name.removesuffix(".json"))
    what = f"the metadata sidecar of {artifact.name}" if artifact.name != path.name else "a model spec"
    run = f"describe the model itself: hierattn-info {artifact}" if artifact.exists() else "export a model to use it"
    return _summary(path, "sidecar", what, spec, "not checked", "", run)


def refuse_other(path: Path, kind: FileKind, detail: str) -> UsageError:
    """The usage error for an image, a directory or a missing path."""
    if kind is FileKind.MISSING:
        return UsageError(f"{path}: no such file; pass a checkpoint (.pt/.pth) or an exported model.")
    return UsageError(f"{path} is {what_it_is(kind, detail)}, not a checkpoint or a model; {next_step(path, kind)}.")


def _summary(path: Path, kind: str, what: str, spec: ModelSpec, integrity: str, note: str, run: str) -> dict[str, Any]:
    extra = spec.extra
    return {
        "path": str(path),
        "kind": kind,
        "what": what,
        "arch": spec.arch,
        "precision": spec.precision,
        "num_classes": spec.num_classes,
        "class_names": list(spec.class_names),
        "class_names_source": str(extra.get("class_names_source", "")),
        "referral_classes": list(spec.referral_classes),
        "input_size": list(spec.input_size),
        "layout": spec.layout,
        "source_checkpoint": extra.get("source_checkpoint"),
        "checkpoint_sha256": extra.get("checkpoint_sha256"),
        "integrity": integrity,
        "note": note,
        "run": run,
    }


def render_exported(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_header=False, box=None)
    table.add_row("file", escape(summary["path"]))
    table.add_row("is", summary["what"] + (f" ({summary['note']})" if summary["note"] else ""))
    table.add_row("arch", f"{summary['arch']} {summary['precision']}")
    table.add_row("classes", escape(class_names_line(summary["class_names"], summary["class_names_source"])))
    table.add_row("referral", " ".join(summary["referral_classes"]) or "none")
    table.add_row("input", "x".join(map(str, summary["input_size"])) + f" RGB, {summary['layout']}")
    if summary["checkpoint_sha256"]:
        table.add_row("exported from", f"{summary['source_checkpoint']} (sha256 {summary['checkpoint_sha256'][:16]}…)")
    table.add_row("integrity", summary["integrity"])
    table.add_row("run", escape(summary["run"]))
    Console().print(table)
