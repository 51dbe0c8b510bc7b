"""``hierattn-info``: what a checkpoint holds: architecture, classes, size and compute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..runtime.console import run_or_exit

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Describe a checkpoint or a registered architecture: classes, parameters, MACs/FLOPs at its input size.",
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
    table.add_row("classes", f"{summary['num_classes']}: {' '.join(summary['class_names'])}".rstrip(": "))
    table.add_row("input", "x".join(map(str, summary["input_size"])) + " RGB in [0, 1], NCHW")
    table.add_row("parameters", f"{summary['parameters'] / 1e6:.3f} M ({summary['parameters']:,})")
    table.add_row("MACs", f"{summary['macs'] / 1e9:.3f} G  ({summary['flops'] / 1e9:.3f} GFLOPs)")
    Console().print(table)


@app.command()
def main(
    checkpoint: Annotated[
        Path | None, typer.Argument(help="Checkpoint file (.pt/.pth). Default: the bundled demo model.")
    ] = None,
    arch: Annotated[
        str | None, typer.Option(help="Expected architecture of CHECKPOINT (default: inferred from its weights).")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Describe a registered architecture (random weights) instead of a checkpoint."),
    ] = None,
    num_classes: Annotated[int, typer.Option("--num-classes", help="Classes of the --model head.")] = 8,
    list_all: Annotated[bool, typer.Option("--list", help="List the registered architectures and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")] = False,
) -> None:
    """Describe CHECKPOINT, or a registered architecture with --model NAME."""
    if list_all:
        from . import list_models

        names = list_models()
        print(json.dumps(names) if as_json else "\n".join(names))
        return
    if model is not None and (checkpoint is not None or arch is not None):
        typer.echo("error: --model describes an architecture; give it without CHECKPOINT or --arch.", err=True)
        raise typer.Exit(2)
    if model is not None:
        summary = run_or_exit(lambda: describe_architecture(model, num_classes))
    else:
        summary = run_or_exit(lambda: describe(checkpoint, arch))
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        render(summary)


if __name__ == "__main__":
    app()
