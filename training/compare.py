"""Accuracy per format: one checkpoint and its exported files evaluated on the same preprocessed images.

``python -m hierattn.training.compare --data DIR --checkpoint model.pt exported/*.onnx exported/*.tflite``
prints a Markdown table (accuracy, macro AUC, change against PyTorch fp32, agreement of the top-1
class with PyTorch) and, with ``--json``, one JSON document instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from ..runtime.console import log, run_or_exit
from ..runtime.native_log import quiet_native_logs
from ..runtime.spec import ModelSpec

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Accuracy of a checkpoint and its exports on the same images.")


def _label(path: Path) -> str:
    sidecar = path.with_name(path.name + ".json")
    if sidecar.exists():
        spec = ModelSpec.from_json(sidecar.read_text())
        return f"{path.suffix.lstrip('.')} {spec.precision}"
    return path.name


@app.command()
def main(
    models: list[Path] = typer.Argument(..., help="Exported model files (ONNX, TFLite, ...) to compare."),
    data: Path = typer.Option(..., "--data", help="Evaluation folder: DIR/<CLASS>/<images>."),
    checkpoint: Path = typer.Option(..., "--checkpoint", help="The PyTorch checkpoint the exports came from."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of the table."),
) -> None:
    """Evaluate the checkpoint and every exported file on the same tensors."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    from ..models import load_checkpoint
    from .data import load_pixels, scan_image_folder
    from .evaluate import compute_metrics, softmax
    from .predict import checkpoint_logits, exported_logits

    def run() -> list[dict]:
        dataset = scan_image_folder(data)
        pixels = load_pixels(dataset, ModelSpec())
        labels = np.asarray(dataset.labels)
        reference = checkpoint_logits(load_checkpoint(checkpoint), pixels)
        rows = [("pytorch fp32", str(checkpoint), reference)]
        for path in models:
            log(f"evaluating {path}")
            rows.append((_label(path), str(path), exported_logits(path, pixels)[0]))
        base = compute_metrics(labels, softmax(reference), dataset.class_names).accuracy
        results = []
        for name, source, logits in rows:
            metrics = compute_metrics(labels, softmax(logits), dataset.class_names)
            results.append({"model": name, "path": source, "accuracy": metrics.accuracy, "macro_auc": metrics.macro_auc,
                            "accuracy_change": metrics.accuracy - base,
                            "top1_agreement": float((logits.argmax(1) == reference.argmax(1)).mean()),
                            "images": metrics.count})
        return results

    results = run_or_exit(run)
    if as_json:
        print(json.dumps(results))
        return
    print("| model | accuracy | change vs PyTorch fp32 | macro AUC | top-1 agreement with PyTorch |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['accuracy']:.4f} | {100 * r['accuracy_change']:+.2f} pt | {r['macro_auc']:.4f} | "
              f"{100 * r['top1_agreement']:.1f}% |")
    print(f"\n{results[0]['images']} images from {data}")


if __name__ == "__main__":
    app()
