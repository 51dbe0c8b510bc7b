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

from ..runtime.console import CliApp, choices_of, fail, run_or_exit, split_list
from ..runtime.errors import UsageError
from ..runtime.native_log import quiet_native_logs
from .base import ExportFormat, Precision

if TYPE_CHECKING:
    from .options import ExportOptions
    from .targets.table import Target

app = CliApp(help=(__doc__ or "").partition("\n")[0])


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
    format: list[str] = typer.Option(
        [], "--format", "-f", callback=choices_of(FormatChoice),
        help="Target formats: onnx, tflite, coreml, executorch, all; repeat or separate with commas. 'all' = every format with every precision it supports.",
    ),
    target: str | None = typer.Option(
        None, "--target", "-t", help="Choose the file for a core: cortex-a76, cortex-a55, cortex-a53, x86-avx2 (emulated) or "
        "host. Builds the TFLite candidates (-p, default fp32, fp16, int8-dynamic, int8), validates each on that core's "
        "kernels, measures its cost and selects the cheapest that passes (docs/export.md, 'Choosing a file per core')."
    ),
    precision: list[str] = typer.Option(
        [], "--precision", "-p", callback=choices_of(Precision),
        help="Precisions: fp32, fp16, int8-dynamic, int8; repeat or separate with commas. Default fp32 (with --format all: every supported one).",
    ),
    labels: list[str] = typer.Option(
        [], "--labels", callback=split_list,
        help="Class names in the order of the model's outputs (for a model trained here: its training folders, sorted); repeat or separate with commas. Default: the names the checkpoint records, else the defaults for its class count (ISIC2019 for 8, PAD-UFES-20 under ISIC names for 6).",
    ),
    labels_file: Path | None = typer.Option(None, "--labels-file", help="Read the class names from PATH: one per line (or a JSON list)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace artifacts in --output that were exported from another checkpoint (otherwise the run stops before converting)."),
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

    if not format and target is None:  # no_args_is_help does not fire once no option is required
        typer.echo(ctx.get_help())
        raise typer.Exit(code=2)
    chosen_target = run_or_exit(lambda: _target(target, format))
    if chosen_target is not None:
        format = [FormatChoice.TFLITE.value]
        precision = precision or [p.value for p in chosen_target.candidates]
    if labels and labels_file is not None:
        raise fail("--labels and --labels-file both name the classes; give one.", 2)
    names, names_from = (tuple(labels), "--labels") if labels else (None, "--labels")
    if labels_file is not None:
        names, names_from = run_or_exit(lambda: read_labels_file(labels_file)), f"--labels-file {labels_file}"
    all_pairs = FormatChoice.ALL.value in format
    formats = tuple(ExportFormat) if all_pairs else tuple(dict.fromkeys(ExportFormat(f) for f in format))
    chosen = tuple(dict.fromkeys(Precision(p) for p in precision))
    precisions = chosen or (tuple(Precision) if all_pairs else (Precision.FP32,))
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
        class_names=names,
        class_names_from=names_from,
        overwrite=overwrite,
    )
    if chosen_target is not None:
        _export_for_target(options, chosen_target, json_output)
    report = run_or_exit(lambda: _with_spinner(lambda: export_models(options), enabled=not json_output))
    if json_output:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        print_table(report)
    raise typer.Exit(code=0 if report.ok else 1)


def _export_for_target(options: ExportOptions, target: Target, json_output: bool) -> None:
    """Export the candidates, choose the file for ``target`` and print the table; exits."""
    from .targets.report import print_target_table
    from .targets.run import export_for_target

    on_target = run_or_exit(lambda: export_for_target(options, target))
    if json_output:
        from rich.console import Console

        print_target_table(on_target, Console(stderr=True, width=140))  # the table is a log line here
        sys.stdout.write(json.dumps(on_target.to_dict(), indent=2) + "\n")
    else:
        from .report import print_table

        print_table(on_target.export)
        print_target_table(on_target)
    raise typer.Exit(code=0 if on_target.ok else 1)


def _target(name: str | None, formats: list[str]) -> Target | None:
    """The --target row, after checking it goes with the --format given (TFLite only)."""
    from .targets.table import get_target

    if name is None:
        return None
    if any(f != FormatChoice.TFLITE.value for f in formats):
        raise UsageError(f"--target {name} chooses among TFLite files; drop --format or use --format tflite.")
    return get_target(name)


def read_labels_file(path: Path) -> tuple[str, ...]:
    """Class names from a file: a JSON list, or one name per line (blank lines and # comments ignored)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read --labels-file {path} ({exc}); pass a text file with one class name per line.") from exc
    if text.lstrip().startswith("["):
        try:
            names = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--labels-file {path} is not a valid JSON list ({exc}).") from exc
    else:
        names = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    names = [str(name).strip() for name in names if str(name).strip()]
    if not names:
        raise UsageError(f"--labels-file {path} lists no class names; write one per line.")
    return tuple(names)


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
