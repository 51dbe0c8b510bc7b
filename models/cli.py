"""``hierattn-info``: what a checkpoint holds: architecture, classes, size and compute.

Given an exported model or its sidecar instead, it prints the spec the file carries and what to run
on it; given an image or another file, it says what the file is (models/info_files.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..runtime.console import CliApp, deprecated, fail, run_or_exit
from ..runtime.spec import class_names_line

app = CliApp(
    no_args_is_help=False,
    help="Describe a checkpoint, an exported model or a registered architecture: classes, parameters, MACs/FLOPs.",
)


def describe(path: Path | None, arch: str | None) -> dict[str, Any]:
    """Load the checkpoint (the bundled default when ``path`` is None) and measure it."""
    from . import checkpoint_info, default_checkpoint_path, load_checkpoint

    model = load_checkpoint(path or default_checkpoint_path(), arch=arch)
    info = checkpoint_info(model)
    return {
        "path": str(info.path),
        "sha256": info.sha256,
        "arch": info.arch,
        "num_classes": info.num_classes,
        "class_names": list(info.class_names),
        "class_names_source": info.class_names_source,
        "input_size": list(info.input_size),
        **measure(model, info.input_size),
        "provenance": info.provenance,
    }


def describe_architecture(name: str, num_classes: int) -> dict[str, Any]:
    """Build registered architecture ``name`` (random weights, nothing downloaded) and measure it."""
    from . import create_model, model_defaults, model_spec

    spec = model_spec(name)
    model = create_model(name, num_classes=num_classes)
    return {
        "path": None,
        "sha256": None,
        "arch": name,
        "paper": model_defaults(name).paper,
        "num_classes": num_classes,
        "class_names": [],
        "input_size": list(spec.input_size),
        "circle_crop": spec.crop.enabled,
        **measure(model, spec.input_size),
        "provenance": {},
    }


def measure(model: Any, input_size: tuple[int, int]) -> dict[str, int]:
    from . import count_flops, count_parameters

    flops = count_flops(model, input_size)
    return {"parameters": count_parameters(model), "macs": flops // 2, "flops": flops}


def render(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None)
    if summary["path"]:
        table.add_row("checkpoint", summary["path"])
        table.add_row("sha256", summary["sha256"][:16] + "…")
    table.add_row("arch", summary["arch"])
    if summary.get("paper"):
        table.add_row("paper", summary["paper"])
    if summary["class_names"]:
        table.add_row("classes", class_names_line(summary["class_names"], summary.get("class_names_source", "")))
    else:
        table.add_row("classes", str(summary["num_classes"]))
    table.add_row("input", "x".join(map(str, summary["input_size"])) + " RGB in [0, 1], NCHW")
    table.add_row("parameters", f"{summary['parameters'] / 1e6:.3f} M ({summary['parameters']:,})")
    table.add_row("MACs", f"{summary['macs'] / 1e9:.3f} G  ({summary['flops'] / 1e9:.3f} GFLOPs)")
    Console().print(table)


@app.command()
def main(
    path: Annotated[
        Path | None,
        typer.Argument(help="Checkpoint (.pt/.pth), exported model (.onnx, .tflite, .pte, .mlpackage) or sidecar JSON. Default: the bundled demo checkpoint."),
    ] = None,
    arch: Annotated[
        str | None,
        typer.Option("--arch", help="With PATH: the architecture the checkpoint must be (default: inferred from its weights). Alone: describe this registered architecture (random weights)."),
    ] = None,
    num_classes: Annotated[int, typer.Option("--num-classes", help="Classes of the head when describing an architecture.")] = 8,
    list_all: Annotated[bool, typer.Option("--list", help="List the registered architectures and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.")] = False,
    old_model: Annotated[str | None, typer.Option("--model", hidden=True, help="Deprecated spelling of --arch NAME.")] = None,
) -> None:
    """Describe PATH (a checkpoint, an exported model or its sidecar), or a registered architecture with --arch NAME."""
    if list_all:
        from . import list_models

        names = list_models()
        print(json.dumps(names) if as_json else "\n".join(names))
        return
    if old_model is not None:
        deprecated("hierattn-info --model NAME", "--arch NAME")
        if path is not None or arch is not None:
            raise fail("--model NAME describes an architecture; give it without PATH or --arch.", 2)
        arch = old_model
    if path is None and arch is not None:
        summary = run_or_exit(lambda: describe_architecture(arch, num_classes))
    elif path is not None and _is_exported_or_other(path):
        _describe_file(path, as_json)
        return
    else:
        summary = run_or_exit(lambda: describe(path, arch))
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        render(summary)


def _is_exported_or_other(path: Path) -> bool:
    from ..runtime.artifact.file_kinds import FileKind, sniff

    kind, _ = sniff(path)
    return kind not in (FileKind.ZIP, FileKind.PICKLE, FileKind.UNKNOWN)


def _describe_file(path: Path, as_json: bool) -> None:
    from ..runtime.artifact.file_kinds import FileKind, sniff
    from .info_files import describe_exported, describe_json, refuse_other, render_exported

    kind, detail = sniff(path)

    def summarise() -> dict[str, Any]:
        if kind.is_exported_model:
            return describe_exported(path, kind)
        if kind is FileKind.JSON:
            return describe_json(path)
        raise refuse_other(path, kind, detail)

    summary = run_or_exit(summarise)
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        render_exported(summary)


if __name__ == "__main__":
    app()
