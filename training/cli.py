"""``hierattn-train``: train a HierAttn model on an image-folder dataset (one folder per class)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import typer

from ..runtime.console import CliApp, log, run_or_exit
from ..runtime.errors import UsageError
from ..runtime.native_log import quiet_native_logs

train_app = CliApp(help="Train HierAttn on DIR/<CLASS>/<images>.")


@train_app.command()
def main(
    data: Path = typer.Option(..., "--data", help="Training folder: DIR/<CLASS>/<images>, classes in sorted folder order."),
    arch: str = typer.Option("hierattn_xs", "--arch", help="Registered architecture (hierattn-info --list): hierattn_xs, hierattn_s, hierattn_m, arl_cnn14, arl_cnn50, resnet50_sa, irv2_sa."),
    init: Path | None = typer.Option(None, "--init", help="Weights to start from (transfer learning): a checkpoint of --arch with any class count (the head starts new), or the library backbone's own state_dict, e.g. torchvision's ImageNet ResNet-50 for arl_cnn50 or resnet50_sa (docs/training.md)."),
    epochs: int = typer.Option(10, "--epochs", help="Number of epochs."),
    batch_size: int = typer.Option(32, "--batch-size", help="Images per batch."),
    output: Path = typer.Option(Path("hierattn_trained.pt"), "--output", help="Checkpoint written after every epoch."),
    val: Path | None = typer.Option(None, "--val", help="Separate validation folder (same class folders)."),
    val_fraction: float = typer.Option(0.1, "--val-fraction", help="Fraction of --data held out when --val is not given."),
    lr: float = typer.Option(2e-3, "--lr", help="Peak learning rate (cosine decay to --min-lr)."),
    min_lr: float = typer.Option(2e-4, "--min-lr", help="Final learning rate."),
    weight_decay: float = typer.Option(0.01, "--weight-decay", help="AdamW weight decay."),
    freeze_epochs: int = typer.Option(0, "--freeze-epochs", help="With --init: train only the family's head for N epochs (HierAttn: the layers after the branch attention; ARL-CNN: fc; Soft-Attention: the unit and the classifier)."),
    balanced: bool = typer.Option(False, "--balanced", help="Sample classes equally often (for imbalanced data)."),
    no_augment: bool = typer.Option(False, "--no-augment", help="Disable flips, turns, shifts and colour jitter."),
    resume: bool = typer.Option(False, "--resume", help="Continue from --output and its .train-state.pt."),
    seed: int = typer.Option(0, "--seed", help="Random seed for the split, sampling and augmentation."),
    threads: int = typer.Option(2, "--threads", help="PyTorch CPU threads."),
    warmup_steps: int = typer.Option(0, "--warmup-steps", help="Linear learning-rate warm-up steps before the cosine decay."),
    bf16: bool = typer.Option(False, "--bf16", help="bfloat16 autocast (faster on CPUs with AMX/AVX512-BF16; weights stay float32)."),
    low_res: int = typer.Option(0, "--low-res", help="Train the first --low-res-epochs at this side length (progressive resizing)."),
    low_res_epochs: int = typer.Option(0, "--low-res-epochs", help="Epochs at --low-res; the rest train at full resolution."),
    input_size: int = typer.Option(0, "--input-size", help="Side of the model input (and of the exports); default: the architecture's own (256 HierAttn, 224 ARL-CNN/ResNet-50+SA, 299 IRv2+SA)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON summary on stdout."),
) -> None:
    """Train with the paper's recipe and report validation metrics after the last epoch."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    from .data import load_pixels, scan_image_folder, split_indices
    from .evaluate import compute_metrics, format_report, softmax
    from .predict import checkpoint_logits
    from .progress import progress_bar
    from .trainer import TrainConfig, state_path, train

    def run() -> dict:
        if init is not None and resume:
            raise UsageError("--init and --resume exclude each other: --resume already restores the weights.")
        if freeze_epochs and init is None:
            raise UsageError("--freeze-epochs only makes sense with --init (it freezes transferred layers).")
        config = TrainConfig(arch=arch, epochs=epochs, batch_size=batch_size, lr=lr, min_lr=min_lr,
                             weight_decay=weight_decay, freeze_epochs=freeze_epochs, balanced=balanced,
                             augment=not no_augment, seed=seed, threads=threads, warmup_steps=warmup_steps,
                             bf16=bf16, low_res=low_res, low_res_epochs=low_res_epochs, input_size=input_size)
        if resume and not (output.exists() and state_path(output).exists()):
            raise UsageError(f"--resume needs {output} and {state_path(output)} from an earlier run; start without --resume.")
        from ..models import model_spec

        spec = model_spec(arch, input_size=(config.side, config.side))  # the family's preprocessing
        dataset = scan_image_folder(data)
        log(f"{len(dataset.files)} images in {len(dataset.class_names)} classes: {', '.join(dataset.class_names)}")
        with progress_bar("preprocessing", len(dataset.files)) as advance:
            pixels = load_pixels(dataset, spec, advance)
        labels = np.asarray(dataset.labels)
        if val is not None:
            val_set = scan_image_folder(val)
            if val_set.class_names != dataset.class_names:
                raise UsageError(f"--val has classes {list(val_set.class_names)} but --data has {list(dataset.class_names)}; "
                                 "use the same class folders.")
            train_pixels, train_labels = pixels, labels
            val_pixels, val_labels = load_pixels(val_set, spec), np.asarray(val_set.labels)
        else:
            train_index, val_index = split_indices(dataset.labels, val_fraction, seed)
            train_pixels, train_labels = pixels[train_index], labels[train_index]
            val_pixels, val_labels = pixels[val_index], labels[val_index]
        steps = max(1, len(train_labels) // batch_size) * epochs
        with progress_bar("training", steps) as advance:
            history = train(config, train_pixels, train_labels, dataset.class_names, output, init=init, resume=resume,
                            provenance={"data": str(data), "command": " ".join(sys.argv)},
                            on_epoch=lambda e, s: log(f"epoch {e}/{epochs} @{s['resolution']}px loss {s['loss']:.4f} "
                                                      f"train acc {s['train_accuracy']:.3f} ({s['seconds']:.0f} s)"),
                            on_step=advance, on_init=lambda report: log(report.line()))
        from ..models import load_checkpoint

        logits = checkpoint_logits(load_checkpoint(output), val_pixels)
        metrics = compute_metrics(val_labels, softmax(logits), dataset.class_names)
        log(format_report(metrics))
        return {"checkpoint": str(output), "history": history, "validation": metrics.to_dict()}

    summary = run_or_exit(run)
    if as_json:
        print(json.dumps(summary))
    else:
        log(f"checkpoint: {output}")


if __name__ == "__main__":
    train_app()
