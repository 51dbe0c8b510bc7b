"""``hierattn-predict``: classify images with an exported HierAttn model (no torch needed).

Research model, not a medical device: the output is not a diagnosis.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hierattn.runtime.cli_support import fail, log, run_or_exit
from hierattn.runtime.errors import HierAttnError, UsageError
from hierattn.runtime.prediction import DISCLAIMER, Prediction

if TYPE_CHECKING:
    from hierattn.runtime.classifier import Classifier
    from hierattn.runtime.report import Row

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help=f"Classify skin-lesion images with an exported HierAttn model. {DISCLAIMER}",
)


def _model_path(model: Path | None) -> Path:
    from hierattn.runtime.defaults import default_model_path

    chosen = model or default_model_path()
    if chosen is None:
        raise UsageError("No model given and no bundled default model; pass --model PATH (.onnx or .tflite).")
    return chosen


def _classify(classifier: Classifier, paths: list[Path], top_k: int, crop: bool) -> list[Row]:
    from hierattn.runtime.report import Row

    rows: list[Row] = []
    if sys.stderr.isatty() and len(paths) > 1:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("classifying", total=len(paths))
            for path in paths:
                rows.append(Row(path, _one(classifier, path, top_k, crop)))
                progress.advance(task)
    else:
        rows = [Row(path, _one(classifier, path, top_k, crop)) for path in paths]
    return rows


def _one(classifier: Classifier, path: Path, top_k: int, crop: bool) -> Prediction | HierAttnError:
    try:
        return classifier.predict(path, top_k=top_k, crop=crop)
    except HierAttnError as exc:
        return exc


@app.command()
def predict(
    images: list[Path] = typer.Argument(..., help="Image files and/or directories (walked recursively)."),
    model: Path | None = typer.Option(None, "--model", "-m", help="Exported model: .onnx, .tflite (.mlpackage on macOS); default: the bundled demo model."),
    top_k: int = typer.Option(3, "--top-k", min=1, help="How many ranked classes to report per image."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document {\"results\": [...]} on stdout."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV on stdout, one line per image."),
    crop: bool = typer.Option(True, "--crop/--no-crop", help="Apply the circle crop if the model's spec enables it."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="Inference threads (default: backend's choice)."),
) -> None:
    """Classify IMAGE_OR_DIR...; exit 0 if all succeed, 1 if some failed, 2 on usage errors.

    Research model, not a medical device: the output is not a diagnosis. The referral column applies
    the paper's rule (MEL, BCC, ACK, SCC or VASC above 0.5: see a clinician).
    """
    if as_json and as_csv:
        raise fail("--json and --csv are mutually exclusive; choose one.", 2)
    from hierattn.runtime.classifier import Classifier
    from hierattn.runtime.inputs import expand_inputs
    from hierattn.runtime.report import to_csv, to_json, to_table

    expanded = expand_inputs(images)
    for warning in expanded.warnings:
        log(f"warning: {warning}")
    if not expanded.paths:
        raise fail("no images found in the given paths; pass image files or folders that contain images.", 2)
    path = run_or_exit(lambda: _model_path(model))
    classifier = run_or_exit(lambda: Classifier.load(path, threads=threads))
    rows = _classify(classifier, expanded.paths, top_k, crop)
    failed = sum(isinstance(row.outcome, HierAttnError) for row in rows)
    if as_json:
        print(to_json(rows))
    elif as_csv:
        sys.stdout.write(to_csv(rows, classifier.class_names))
    else:
        from rich.console import Console

        Console().print(to_table(rows))
    if failed:
        log(f"{failed} of {len(rows)} image(s) failed")
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
