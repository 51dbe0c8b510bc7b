"""``hierattn-eval``: the paper's Table II metrics for a checkpoint or an exported model on DIR/<CLASS>/*.

An exported model goes through the runtime's streaming path (parallel decode/preprocess workers,
batched inference, only the class probabilities kept), so memory does not grow with the image data;
``--ray`` runs the same path on a Ray cluster. A checkpoint is evaluated with PyTorch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from ..runtime.console import CliApp, log, run_or_exit
from ..runtime.errors import UsageError
from ..runtime.native_log import quiet_native_logs
from .evaluate import Metrics, format_report

app = CliApp(help="Evaluate a HierAttn model on an image-folder dataset.")


@app.command()
def main(
    data: Path = typer.Option(..., "--data", help="Evaluation folder: DIR/<CLASS>/<images>."),
    checkpoint: Path | None = typer.Option(None, "--checkpoint", help="PyTorch checkpoint to evaluate."),
    model: Path | None = typer.Option(None, "--model", help="Exported model (ONNX, TFLite, ...) run through the runtime."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the confusion matrix as an image (PNG)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document with all metrics on stdout."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="With --model: threads that decode, preprocess and run inference in parallel."),
    batch_size: int = typer.Option(8, "--batch-size", min=1, help="With --model: images per inference call."),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="With --model: check its sha256 against the digests recorded at export."),
    ray: str | None = typer.Option(None, "--ray", help="With --model: run on a Ray cluster (ADDRESS, or 'local' for a local Ray runtime)."),
) -> None:
    """Accuracy, per-class precision/recall/F1/specificity, macro AUC and the confusion matrix."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    from .data import load_pixels, scan_image_folder
    from .evaluate import compute_metrics, plot_confusion, softmax

    def run() -> Metrics:
        if (checkpoint is None) == (model is None):
            raise UsageError("Give exactly one of --checkpoint PATH or --model EXPORTED_FILE.")
        if model is None and (ray is not None or workers != 1):
            raise UsageError("--ray and --workers apply to --model (an exported file); a checkpoint runs in PyTorch.")
        dataset = scan_image_folder(data)
        if checkpoint is not None:
            from ..models import checkpoint_info, load_checkpoint, model_spec
            from .predict import checkpoint_logits

            network = load_checkpoint(checkpoint)
            info = checkpoint_info(network)
            names = tuple(info.class_names)
            spec = model_spec(info.arch, names, info.input_size)  # the family's preprocessing at the trained size
            probabilities = softmax(checkpoint_logits(network, load_pixels(dataset, spec)))
        else:
            from ..runtime.batch.stream import StreamOptions
            from .predict import exported_probabilities

            assert model is not None  # exactly one of --checkpoint / --model, checked above
            options = StreamOptions(workers=workers, batch_size=batch_size)
            probabilities, names, summary = exported_probabilities(model, dataset.files, options, verify, ray)
            log(summary.line())
        if tuple(names) != dataset.class_names:
            raise UsageError(f"The model's classes {list(names)} differ from the data folders "
                             f"{list(dataset.class_names)}; evaluate on folders named like the model's classes.")
        metrics = compute_metrics(np.asarray(dataset.labels), probabilities, dataset.class_names)
        if plot is not None:
            plot_confusion(metrics, str(plot))
        return metrics

    metrics = run_or_exit(run)
    if as_json:
        print(json.dumps({"model": str(checkpoint or model), "data": str(data), **metrics.to_dict()}))
    else:
        log(f"{checkpoint or model} on {data}")
        print(format_report(metrics))


if __name__ == "__main__":
    app()
