"""``hierattn-info``: what a checkpoint holds: architecture, classes, size and compute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from hierattn.runtime.cli_support import run_or_exit

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Describe a HierAttn checkpoint: architecture, classes, parameters, MACs/FLOPs at its input size.",
)


def describe(path: Path | None, arch: str | None) -> dict[str, Any]:
    """Load the checkpoint (the bundled default when ``path`` is None) and measure it."""
    from hierattn.models import count_flops, count_parameters, default_checkpoint_path, load_checkpoint

    model = load_checkpoint(path or default_checkpoint_path(), arch=arch)
    info = model.checkpoint_info
    flops = count_flops(model, info.input_size)
    return {
        "path": str(info.path),
        "sha256": info.sha256,
        "arch": info.arch,
        "num_classes": info.num_classes,
        "class_names": list(info.class_names),
        "input_size": list(info.input_size),
        "parameters": count_parameters(model),
        "macs": flops // 2,
        "flops": flops,
        "provenance": info.provenance,
    }


def render(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None)
    table.add_row("checkpoint", summary["path"])
    table.add_row("sha256", summary["sha256"][:16] + "…")
    table.add_row("arch", summary["arch"])
    table.add_row("classes", f"{summary['num_classes']}: {' '.join(summary['class_names'])}")
    table.add_row("input", "x".join(map(str, summary["input_size"])) + " RGB in [0, 1], NCHW")
    table.add_row("parameters", f"{summary['parameters'] / 1e6:.3f} M ({summary['parameters']:,})")
    table.add_row("MACs", f"{summary['macs'] / 1e9:.3f} G  ({summary['flops'] / 1e9:.3f} GFLOPs)")
    Console().print(table)


@app.command()
def main(
    checkpoint: Annotated[
        Optional[Path], typer.Argument(help="Checkpoint file (.pt/.pth). Default: the bundled demo model.")
    ] = None,
    arch: Annotated[
        Optional[str], typer.Option(help="Expected architecture (hierattn_xs, hierattn_s, hierattn_m).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")] = False,
) -> None:
    """Describe CHECKPOINT."""
    summary = run_or_exit(lambda: describe(checkpoint, arch))
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        render(summary)


if __name__ == "__main__":
    app()
