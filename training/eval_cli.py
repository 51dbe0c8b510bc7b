"""``hierattn-eval``: the paper's Table II metrics for a checkpoint or an exported model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from hierattn.runtime.cli_support import fail, log, run_or_exit

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Accuracy, per-class precision/recall/F1/specificity, macro AUC and the confusion matrix.",
)


def render(evaluation) -> None:  # noqa: ANN001 - Evaluation, imported lazily
    from rich.console import Console
    from rich.table import Table

    metrics = evaluation.metrics
    console = Console()
    table = Table(title=f"{evaluation.source}: {metrics.images} images")
    for column in ("class", "images", "precision", "recall", "F1", "specificity", "AUC"):
        table.add_column(column, justify="right" if column != "class" else "left")
    for c in metrics.per_class:
        auc = "n/a" if c.auc is None else f"{c.auc:.4f}"
        table.add_row(c.name, str(c.support), f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                      f"{c.specificity:.3f}", auc)
    auc = "n/a" if metrics.macro_auc is None else f"{metrics.macro_auc:.4f}"
    table.add_row("macro", str(metrics.images), f"{metrics.macro_precision:.3f}", f"{metrics.macro_recall:.3f}",
                  f"{metrics.macro_f1:.3f}", f"{metrics.macro_specificity:.3f}", auc, style="bold")
    console.print(table)
    console.print(f"accuracy {metrics.accuracy:.4f}")
    confusion = Table(title="confusion (rows: true, columns: predicted)")
    confusion.add_column("")
    for name in evaluation.class_names:
        confusion.add_column(name, justify="right")
    for name, row in zip(evaluation.class_names, metrics.confusion):
        confusion.add_row(name, *map(str, row))
    console.print(confusion)


@app.command()
def main(
    data: Annotated[Path, typer.Option("--data", help="Folder with one sub-folder per class.")],
    checkpoint: Annotated[Optional[Path], typer.Option(help="PyTorch checkpoint (default: the bundled demo).")] = None,
    model: Annotated[Optional[Path], typer.Option(help="Exported .onnx/.tflite file, run through the runtime.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write the confusion matrix as a PNG here.")] = None,
    threads: Annotated[int, typer.Option(help="Runtime threads for --model (0: backend default).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")] = False,
) -> None:
    """Evaluate on DATA."""
    from hierattn.training.evaluate import evaluate_artifact, evaluate_checkpoint

    if checkpoint is not None and model is not None:
        raise fail("pass either --checkpoint or --model, not both", 2)
    if model is not None:
        evaluation = run_or_exit(lambda: evaluate_artifact(data, model, threads or None))
    else:
        evaluation = run_or_exit(lambda: evaluate_checkpoint(data, checkpoint))
    if plot is not None:
        from hierattn.training.plots import plot_confusion

        plot_confusion(np.array(evaluation.metrics.confusion), evaluation.class_names, plot,
                       f"{Path(evaluation.source).name} (n={evaluation.metrics.images})")
        log(f"wrote {plot}")
    if as_json:
        print(json.dumps({"source": evaluation.source, "class_names": list(evaluation.class_names),
                          **evaluation.metrics.to_dict()}, indent=2))
    else:
        render(evaluation)


if __name__ == "__main__":
    app()
