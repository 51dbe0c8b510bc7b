"""``hierattn-predict``: classify images with an exported HierAttn model (no torch needed).

Research model, not a medical device: the output is not a diagnosis.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .console import CliApp, fail, log, run_or_exit
from .errors import HierAttnError, UsageError
from .native_log import quiet_native_logs
from .prediction import DISCLAIMER

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .batch.driver import RunSummary
    from .batch.report import Row
    from .batch.stream import StreamOptions
    from .classifier import Classifier

app = CliApp(
    help=f"Classify skin-lesion images with an exported HierAttn model. {DISCLAIMER}",
)


def _model_path(model: Path | None) -> Path:
    from .defaults import default_model_path

    chosen = model or default_model_path()
    if chosen is None:
        raise UsageError("No model given and no bundled default model; pass --model PATH (.onnx, .tflite or .pte).")
    return chosen


def _load(path: Path, threads: int | None, workers: int, verify: bool) -> Classifier:
    """Load and verify the model; several workers share it, each inference single-threaded by default."""
    from .artifact.integrity import Integrity
    from .classifier import Classifier
    from .cpu import int8_advice

    if threads is None and workers > 1:
        threads = 1  # workers x intra-op threads beyond the core count only adds contention
    classifier = Classifier.load(path, threads=threads, verify=verify, concurrency=workers)
    if classifier.integrity is Integrity.UNSEALED:
        log(f"warning: {path} carries no sha256 record (exported before hierattn recorded one); it was not verified")
    advice = int8_advice(classifier.spec.precision, path.suffix.lstrip(".").lower())
    if advice:
        log(f"warning: {path}: {advice}")
    return classifier


@app.command()
def predict(
    images: list[Path] = typer.Argument(..., help="Image files and/or directories (walked recursively, hidden files skipped)."),
    model: Path | None = typer.Option(None, "--model", "-m", help="Exported model: .onnx, .tflite, .pte (needs the executorch extra; .mlpackage on macOS); default: the bundled demo model."),
    top_k: int = typer.Option(3, "--top-k", min=1, help="How many ranked classes to report per image."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document {\"results\": [...]} on stdout."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV on stdout, one line per image as it is classified."),
    jsonl: Path | None = typer.Option(None, "--jsonl", help="Write one JSON line per image to PATH as results come ('-': stdout); an existing file needs --resume."),
    csv_out: Path | None = typer.Option(None, "--csv-out", help="Write one CSV line per image to PATH as results come; an existing file needs --resume."),
    resume: bool = typer.Option(False, "--resume", help="Continue the --jsonl/--csv-out file: skip images it holds a result for, retry those whose row is an error (a cut-off last line is repaired)."),
    include_hidden: bool = typer.Option(False, "--include-hidden", help="Also classify hidden files inside directories (names starting with '.', such as macOS ._* files)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Threads that decode, preprocess and run inference in parallel."),
    batch_size: int = typer.Option(8, "--batch-size", min=1, help="Images per inference call."),
    crop: bool = typer.Option(True, "--crop/--no-crop", help="Apply the circle crop if the model's spec enables it."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="Intra-op threads per inference (default: backend's choice; 1 with several workers)."),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Check the model's sha256 against the digests recorded at export (--no-verify: for files edited on purpose)."),
    ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster through Ray Data: ADDRESS (e.g. ray://head:10001), or 'local' for a local Ray runtime. Needs --jsonl or --parquet."),
    parquet: Path | None = typer.Option(None, "--parquet", help="With --ray: write results as Parquet files into this directory."),
) -> None:
    """Classify IMAGE_OR_DIR...; exit 0 if every image has a result, 1 if any failed, 2 on usage errors.

    With --jsonl/--csv-out, the file ends with exactly one row per image, its latest outcome, and the exit
    code reflects the whole file: 1 while any image's row is an error. Research model, not a medical
    device: the output is not a diagnosis. The referral column applies the paper's rule (a referral class
    of the model, among MEL, BCC, ACK, SCC and VASC, above 0.5: see a clinician).
    """
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    outputs = [flag for flag, given in (("--json", as_json), ("--csv", as_csv), ("--jsonl", jsonl), ("--csv-out", csv_out)) if given]
    if len(outputs) > 1:
        raise fail(f"{' and '.join(outputs)} are mutually exclusive; choose one output.", 2)
    if parquet is not None and ray is None:
        raise fail("--parquet is written by Ray: add --ray local (or --ray ADDRESS), or use --jsonl/--csv-out.", 2)
    if resume and not (jsonl or csv_out):
        raise fail("--resume needs --jsonl PATH or --csv-out PATH: the file whose images are skipped.", 2)
    from .artifact.integrity import model_sha256
    from .batch.stream import StreamOptions

    options = run_or_exit(lambda: StreamOptions(workers=workers, batch_size=batch_size, top_k=top_k, crop=crop))
    path = run_or_exit(lambda: _model_path(model))
    if ray is not None:
        from .batch.ray_run import predict_on_ray

        summary = run_or_exit(lambda: predict_on_ray(path, images, ray, options, jsonl, parquet, verify, resume,
                                                     include_hidden))
        log(summary.line())
        raise typer.Exit(code=1 if summary.errors else 0)
    classifier = run_or_exit(lambda: _load(path, threads, workers, verify))
    digest = run_or_exit(lambda: model_sha256(path))
    if jsonl or csv_out or as_csv:
        fmt = "csv" if (csv_out or as_csv) else "jsonl"
        summary = run_or_exit(lambda: _stream_to_file(classifier, images, jsonl or csv_out, fmt, resume, options,
                                                      digest, include_hidden))
        log(summary.line())
        raise typer.Exit(code=1 if summary.errors else 0)
    rows = run_or_exit(lambda: _collect(classifier, images, options, include_hidden))
    failed = sum(isinstance(row.outcome, HierAttnError) for row in rows)
    if as_json:
        from .batch.report import to_json

        print(to_json(rows, digest))
    elif sys.stdout.isatty():
        from rich.console import Console

        from .batch.report import to_table

        Console().print(to_table(rows))
    else:  # a log or a pipe: whole paths, a line per image
        from .batch.report import to_text

        print(to_text(rows), end="")
    if failed:
        log(f"{failed} of {len(rows)} image(s) failed")
        raise typer.Exit(code=1)


def _log_row_warnings(rows: list[Row]) -> None:
    for row in rows:
        for warning in row.warnings:
            log(f"warning: {row.path}: {warning}")


def _collect(classifier: Classifier, images: list[Path], options: StreamOptions, include_hidden: bool) -> list[Row]:
    """Every row in memory, for the one-document outputs (--json and the terminal table)."""
    from .batch.driver import run_stream
    from .batch.inputs import expand_inputs

    expanded = expand_inputs(images, include_hidden)
    for warning in expanded.warnings:
        log(f"warning: {warning}")
    if not expanded.paths:
        raise UsageError("no images found in the given paths; pass image files or folders that contain images.")
    rows: list[Row] = []

    def keep(chunk: list[Row]) -> None:
        _log_row_warnings(chunk)
        rows.extend(chunk)

    run_stream(classifier, expanded.paths, options, keep, total=len(expanded.paths))
    return rows


def _stream_to_file(
    classifier: Classifier,
    images: list[Path],
    out: Path | None,
    fmt: str,
    resume: bool,
    options: StreamOptions,
    digest: str,
    include_hidden: bool,
) -> RunSummary:
    """Rows go to the file as each chunk finishes; nothing accumulates in memory but the per-path outcomes."""
    from .batch.driver import RunSummary, run_stream
    from .batch.inputs import iter_inputs
    from .batch.sinks import ResultSink

    with ResultSink(out or "-", fmt, classifier.class_names, resume=resume, model_sha256=digest) as sink:
        if sink.repaired_bytes:
            log(f"{out}: dropped a cut-off last line ({sink.repaired_bytes} bytes); that image runs again")
        if sink.state.unrecorded:
            log(f"warning: {out}: {sink.state.unrecorded} row(s) do not record the model that made them (written "
                "by an older hierattn); they are kept as they are")
        total = None
        if sys.stderr.isatty():  # a second, cheap walk gives the progress bar its total
            total = sum(1 for p in iter_inputs(images, include_hidden=include_hidden) if str(p) not in sink.done)
        warnings: list[str] = []
        seen = {"all": 0}

        def todo() -> Iterator[Path]:
            for p in iter_inputs(images, warnings, include_hidden):
                seen["all"] += 1
                if str(p) not in sink.done:
                    yield p

        def write(rows: list[Row]) -> None:
            _log_row_warnings(rows)
            sink.write(rows)

        summary = run_stream(classifier, todo(), options, write, total=total)
    for warning in warnings:
        log(f"warning: {warning}")
    if seen["all"] == 0:
        raise UsageError("no images found in the given paths; pass image files or folders that contain images.")
    return RunSummary(summary.classified, summary.errors, seen["all"] - summary.classified, summary.seconds,
                      sink.retried)


if __name__ == "__main__":
    app()
