"""``hierattn-export``: export a HierAttn checkpoint to ONNX, TFLite, Core ML and ExecuTorch, validated.

Only parses options, calls ``export_models`` and prints: a rich table (and a spinner on a terminal), or
exactly one JSON document on stdout with ``--json``. Exit 0 when every artifact validated, 1 when
any export or validation failed, 2 on usage errors.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from ..runtime.console import run_or_exit
from ..runtime.native_log import quiet_native_logs
from .base import ExportFormat, Precision

app = typer.Typer(add_completion=False, no_args_is_help=True, help=(__doc__ or "").partition("\n")[0])


class FormatChoice(str, Enum):
    ONNX = "onnx"
    TFLITE = "tflite"
    COREML = "coreml"
    EXECUTORCH = "executorch"
    ALL = "all"


@app.command()
def export(
    output: Path = typer.Option(Path("exports"), "--output", "-o", help="Directory for the artifacts and their sidecar JSON files."),
    format: list[FormatChoice] = typer.Option(
        ..., "--format", "-f", help="Target format; repeat for several; 'all' = every format with every precision it supports."
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
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    from .options import ExportOptions
    from .pipeline import export_models
    from .report import print_table

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
    report = run_or_exit(lambda: _with_spinner(lambda: export_models(options), enabled=not json_output))
    if json_output:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        print_table(report)
    raise typer.Exit(code=0 if report.ok else 1)


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
