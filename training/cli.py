"""``hierattn-train``: train or fine-tune HierAttn on an image-folder dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from hierattn.runtime.cli_support import log, run_or_exit

train_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Train HierAttn on DATA/<CLASS>/<image> folders with the paper's recipe (AdamW, cosine 2e-3 -> 2e-4).",
)


@train_app.command()
def main(
    data: Annotated[Path, typer.Option("--data", help="Training folder with one sub-folder per class.")],
    arch: Annotated[str, typer.Option(help="hierattn_xs, hierattn_s or hierattn_m.")] = "hierattn_xs",
    output: Annotated[Path, typer.Option(help="Checkpoint to write (updated after every epoch).")] = Path(
        "runs/hierattn.pt"
    ),
    val: Annotated[Optional[Path], typer.Option(help="Separate validation folder (default: split DATA).")] = None,
    val_fraction: Annotated[float, typer.Option(help="Share of DATA held out per class when --val is absent.")] = 0.1,
    init: Annotated[Optional[Path], typer.Option(help="Checkpoint to transfer matching layers from.")] = None,
    freeze_epochs: Annotated[int, typer.Option(help="Epochs during which transferred layers stay frozen.")] = 0,
    epochs: Annotated[int, typer.Option(help="Number of epochs.")] = 10,
    batch_size: Annotated[int, typer.Option(help="Images per optimisation step.")] = 32,
    lr: Annotated[float, typer.Option(help="Peak learning rate (cosine decay to --min-lr).")] = 2e-3,
    min_lr: Annotated[float, typer.Option(help="Final learning rate.")] = 2e-4,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = 0.01,
    balanced: Annotated[bool, typer.Option(help="Sample classes equally often (with replacement).")] = False,
    augment: Annotated[bool, typer.Option(help="Flips, quarter turns and light colour jitter.")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the split, the sampling and the initial weights.")] = 0,
    threads: Annotated[int, typer.Option(help="PyTorch CPU threads (0: PyTorch's default).")] = 0,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run from OUTPUT and its state file.")] = False,
    input_size: Annotated[int, typer.Option(help="Square input side (a multiple of 32; the paper uses 256).")] = 256,
) -> None:
    """Train and write a checkpoint in the project format (class names and provenance included)."""
    from hierattn.training.trainer import TrainConfig, train

    config = TrainConfig(
        data=data, output=output, arch=arch, val=val, val_fraction=val_fraction, init=init,
        freeze_epochs=freeze_epochs, epochs=epochs, batch_size=batch_size, lr=lr, min_lr=min_lr,
        weight_decay=weight_decay, balanced=balanced, augment=augment, seed=seed, threads=threads or None,
        resume=resume, input_size=(input_size, input_size),
    )
    path = run_or_exit(lambda: train(config))
    log(f"wrote {path}")


if __name__ == "__main__":
    train_app()
