"""``hierattn-export``: export a HierAttn checkpoint to ONNX, TFLite, Core ML and ExecuTorch, validated.

Only parses options, calls ``export_models`` (or, with ``--target CORE``, ``export_for_target``) and
prints: a rich table (and a spinner on a terminal), or exactly one JSON document on stdout with
``--json``. Exit 0 when every artifact validated (with ``--target``: when a file was selected), 1
when any export or validation failed (no candidate passed on the target), 2 on usage errors.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..runtime.cli.support import run_or_exit
from .base import ExportFormat, Precision

if TYPE_CHECKING:
    from .targets.table import Target

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])


class FormatChoice(str, Enum):
    ONNX = "onnx"
    TFLITE = "tflite"
    COREML = "coreml"
    EXECUTORCH = "executorch"
    ALL = "all"


@app.command()
def export(
    ctx: typer.Context,
    output: Path = typer.Option(Path("exports"), "--output", "-o", help="Directory for the artifacts and their sidecar JSON files."),
    format: list[FormatChoice] = typer.Option(
        None, "--format", "-f", help="Target format; repeat for several; 'all' = every format with every precision it supports."
    ),
    target: str | None = typer.Option(
        None, "--target", "-t", help="Choose the file for a core: cortex-a76, cortex-a55, cortex-a53, x86-avx2 (emulated) or "
        "host. Builds the TFLite candidates (-p, default fp32, fp16, int8-dynamic, int8), validates each on that core's "
        "kernels, measures its cost and selects the cheapest that passes (docs/export.md, 'Choosing a file per core')."
    ),
    precision: list[Precision] = typer.Option(
        None, "--precision", "-p", help="Precision; repeat for several. Default fp32 (with --format all: every supported one)."
    ),
    checkpoint: Path | None = typer.Option(
        None, "--checkpoint", "-c", help="PyTorch checkpoint (.pt); default: the bundled demo model."
    ),
    arch: str | None = typer.Option(None, "--arch", help="Architecture the checkpoint must be (any registered name, e.g. hierattn_xs, arl_cnn50, irv2_sa); default: inferred from the weights."),
    calibration_dir: Path | None = typer.Option(None, "--calibration-dir", help="Images to calibrate static int8 on; default: the bundled calibration set."),
    validation_dir: Path | None = typer.Option(None, "--validation-dir", help="Images to validate every artifact on; default: the bundled validation set."),
    opset: int = typer.Option(20, "--opset", help="ONNX opset (20 keeps exact GELU as a native op)."),
    dynamic_batch: bool = typer.Option(False, "--dynamic-batch", help="Export a dynamic batch axis where the format allows it (default: fixed batch 1)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads for validation runs; default: the runtime's default."),
    no_optimize: bool = typer.Option(
        False, "--no-optimize", help="Export the plain module instead of HierAttn's deploy form (exact graph rewrites, the default for fp32/fp16, recorded in the metadata); for comparison."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print exactly one JSON document on stdout (logs go to stderr)."),
) -> None:
    """Export, validate against PyTorch fp32 and report every requested (format, precision) pair."""
    from .options import ExportOptions
    from .pipeline import export_models
    from .report import print_table

    format = format or []
    if not format and target is None:  # no_args_is_help does not fire once no option is required
        typer.echo(ctx.get_help())
        raise typer.Exit(code=2)
    chosen = run_or_exit(lambda: _target(target, format))
    if chosen is not None:
        format = [FormatChoice.TFLITE]
        precision = precision or list(chosen.candidates)
    all_pairs = FormatChoice.ALL in format
    formats = tuple(ExportFormat) if all_pairs else tuple(dict.fromkeys(ExportFormat(f.value) for f in format))
    precisions = tuple(dict.fromkeys(precision)) if precision else (tuple(Precision) if all_pairs else (Precision.FP32,))
    options = ExportOptions(
        formats=formats,
        precisions=precisions,
        output_dir=output,
        checkpoint=checkpoint,
        arch=arch,
        calibration_dir=calibration_dir,
        validation_dir=validation_dir,
        opset=opset,
        dynamic_batch=dynamic_batch,
        threads=threads,
        all_pairs=all_pairs,
        optimize=not no_optimize,
    )
    if chosen is not None:
        from .targets.report import print_target_table
        from .targets.run import export_for_target

        on_target = run_or_exit(lambda: export_for_target(options, chosen))
        if json_output:
            from rich.console import Console

            print_target_table(on_target, Console(stderr=True, width=140))  # the table is a log line here
            sys.stdout.write(json.dumps(on_target.to_dict(), indent=2) + "\n")
        else:
            print_table(on_target.export)
            print_target_table(on_target)
        raise typer.Exit(code=0 if on_target.ok else 1)
    report = run_or_exit(lambda: _with_spinner(lambda: export_models(options), enabled=not json_output))
    if json_output:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        print_table(report)
    raise typer.Exit(code=0 if report.ok else 1)


def _target(name: str | None, formats: list[FormatChoice]) -> Target | None:
    """The --target row, after checking it goes with the --format given (TFLite only)."""
    from ..runtime.errors import UsageError
    from .targets.table import get_target

    if name is None:
        return None
    if any(f is not FormatChoice.TFLITE for f in formats):
        raise UsageError(f"--target {name} chooses among TFLite files; drop --format or use --format tflite.")
    return get_target(name)


def _with_spinner(action, enabled: bool):
    """A rich spinner on stderr while exporting, only on a terminal (logs still print above it)."""
    if not (enabled and sys.stderr.isatty()):
        return action()
    from rich.console import Console

    with Console(stderr=True).status("exporting and validating..."):
        return action()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
