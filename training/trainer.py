"""The training loop: the paper's recipe (AdamW, weight decay 0.01, cosine learning rate 2e-3 -> 2e-4,
optional frozen warm-up of transferred layers) on cached, deployment-identical pixels.

Three options make CPU training practical without changing what is deployed: a linear learning-rate
warm-up (from scratch, 2e-3 without it was unstable in our runs), bfloat16 autocast (about 1.7x
faster on CPUs with AMX/AVX512-BF16; the weights stay float32) and progressive resizing (the first
``low_res_epochs`` see the images downscaled to ``low_res`` pixels, about 6x cheaper at 128; the last
epochs always train at the full 256x256 so the model ends on the resolution it is exported at).

Each epoch ends with an atomic project checkpoint (``save_checkpoint``) and a ``*.train-state.pt``
next to it (optimizer, scheduler, epoch, RNG seed) so ``--resume`` continues an interrupted run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..models import InitReport, create_model, init_model, load_checkpoint, model_defaults, save_checkpoint
from ..models.checkpoint import atomic_torch_save
from ..runtime.errors import CheckpointError, UsageError

HEAD_PREFIXES = model_defaults("hierattn_xs").head_prefixes
"""HierAttn's layers after the branch attention; each family registers its own (``ModelDefaults.head``)."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; defaults follow the paper (except the epoch count, sized for a CPU)."""

    arch: str = "hierattn_xs"
    epochs: int = 10
    batch_size: int = 32
    lr: float = 2e-3
    min_lr: float = 2e-4
    weight_decay: float = 0.01
    freeze_epochs: int = 0
    balanced: bool = False
    augment: bool = True
    seed: int = 0
    threads: int = 2
    warmup_steps: int = 0
    bf16: bool = False
    low_res: int = 0
    low_res_epochs: int = 0
    input_size: int = 0
    """Side of the exported input; 0 is the architecture's registered size (256 for HierAttn)."""

    @property
    def side(self) -> int:
        return self.input_size or model_defaults(self.arch).input_size[0]

    def __post_init__(self) -> None:
        if self.low_res_epochs and not self.low_res >= 32:
            raise UsageError(f"Progressive resizing needs a low resolution of at least 32 pixels, got {self.low_res}.")
        if self.low_res_epochs and self.low_res_epochs >= self.epochs:
            raise UsageError(f"{self.low_res_epochs} low-resolution epochs of {self.epochs} leave none at full resolution "
                             "(the exported input size); use fewer low-resolution epochs.")

    def resolution(self, epoch: int, full: int) -> int:
        """Training resolution of ``epoch`` (0-based): ``low_res`` for the first ``low_res_epochs``."""
        return self.low_res if self.low_res and epoch < self.low_res_epochs else full


def state_path(checkpoint: Path) -> Path:
    """Training state saved next to the checkpoint: ``model.pt`` -> ``model.train-state.pt``."""
    return checkpoint.with_name(checkpoint.stem + ".train-state.pt")


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Light augmentation on a [B, 3, H, W] float batch: flips, 90-degree turns, shifts, colour jitter."""
    batch = x.shape[0]
    flip_h = torch.rand(batch, generator=generator) < 0.5
    x = torch.where(flip_h[:, None, None, None], x.flip(3), x)
    flip_v = torch.rand(batch, generator=generator) < 0.5
    x = torch.where(flip_v[:, None, None, None], x.flip(2), x)
    if torch.rand(1, generator=generator).item() < 0.5:
        x = x.transpose(2, 3)
    reach = max(1, round(12 * x.shape[-1] / 256))  # 12 pixels at 256, scaled with the resolution
    shift = torch.randint(-reach, reach + 1, (2,), generator=generator)
    x = torch.roll(x, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
    brightness = 1 + (torch.rand(batch, 1, 1, 1, generator=generator) - 0.5) * 0.2
    channel = 1 + (torch.rand(batch, 3, 1, 1, generator=generator) - 0.5) * 0.08
    return (x * brightness * channel).clamp(0, 1)


def cosine_lr(step: int, total: int, high: float, low: float, warmup: int = 0) -> float:
    """Linear warm-up to ``high`` over ``warmup`` steps, then cosine decay to ``low`` at ``total``."""
    if step < warmup:
        return high * (step + 1) / warmup
    decay_steps = max(total - warmup, 1)
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * min(step - warmup, decay_steps) / decay_steps))


def resize_batch(x: torch.Tensor, size: int) -> torch.Tensor:
    """Downscale a [B, 3, H, W] batch with an antialiased bilinear filter (no-op at full size)."""
    if x.shape[-1] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


def set_frozen(model: nn.Module, frozen: bool, head: tuple[str, ...] = HEAD_PREFIXES) -> None:
    """Freeze (or unfreeze) everything before the ``head`` layers (the transferred layers)."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad = not frozen or name.startswith(head)


def train(
    config: TrainConfig,
    pixels: np.ndarray,
    labels: np.ndarray,
    class_names: tuple[str, ...],
    output: Path,
    init: Path | None = None,
    resume: bool = False,
    provenance: dict | None = None,
    on_epoch: Callable[[int, dict], None] | None = None,
    on_step: Callable[[], None] | None = None,
    on_init: Callable[[InitReport], None] | None = None,
) -> list[dict]:
    """Train on uint8 [N, H, W, 3] ``pixels``; return one summary dict per epoch run.

    ``init`` starts from a checkpoint of the family (any class count: the head starts new) or from the
    family's library backbone weights (a torchvision ResNet-50 for ARL-CNN50): see ``init_model``.
    """
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    head_prefixes = model_defaults(config.arch).head_prefixes
    if init is not None:
        model, report = init_model(init, config.arch, len(class_names), config.side)
        provenance = dict(provenance or {}, init=report.to_dict())
        if on_init is not None:
            on_init(report)
    else:
        model = create_model(config.arch, num_classes=len(class_names), input_size=config.side)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps_per_epoch = max(1, len(labels) // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    start_epoch, step = 0, 0
    if resume:
        state_file = state_path(output)
        if not state_file.exists() or not output.exists():
            raise UsageError(f"--resume needs {output} and {state_file} from an earlier run; start without --resume.")
        state = torch.load(state_file, weights_only=True)
        if list(state["class_names"]) != list(class_names):
            raise CheckpointError(f"{state_file} was trained on classes {state['class_names']}, not {list(class_names)}.")
        model = load_checkpoint(output, arch=config.arch)
        optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, step = int(state["epoch"]), int(state["step"])
    generator = torch.Generator().manual_seed(config.seed)
    weights = _sample_weights(labels) if config.balanced else None
    data = torch.from_numpy(pixels)
    targets = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(start_epoch, config.epochs):
        generator.manual_seed(config.seed * 1000 + epoch)  # same batches after a resume
        set_frozen(model, init is not None and epoch < config.freeze_epochs, head_prefixes)
        model.train()
        order = (torch.multinomial(weights, len(labels), True, generator=generator) if weights is not None
                 else torch.randperm(len(labels), generator=generator))
        started, total_loss, correct, seen = time.time(), 0.0, 0, 0
        resolution = config.resolution(epoch, data.shape[1])
        for batch_index in range(steps_per_epoch):
            index = order[batch_index * config.batch_size:(batch_index + 1) * config.batch_size]
            x = resize_batch(data[index].permute(0, 3, 1, 2).float().div_(255), resolution)
            if config.augment:
                x = augment(x, generator)
            y = targets[index]
            for group in optimizer.param_groups:
                group["lr"] = cosine_lr(step, total_steps, config.lr, config.min_lr, config.warmup_steps)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
                logits = model(x)
            loss = loss_fn(logits.float(), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            total_loss += float(loss.detach()) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(y)
            if on_step is not None:
                on_step()
        summary = {"epoch": epoch + 1, "loss": total_loss / seen, "train_accuracy": correct / seen,
                   "lr": optimizer.param_groups[0]["lr"], "resolution": resolution,
                   "seconds": time.time() - started}
        record = dict(provenance or {}, train_config=asdict(config), epochs_done=epoch + 1)
        save_checkpoint(output, model, config.arch, class_names, record, input_size=(config.side, config.side))
        state = {"optimizer": optimizer.state_dict(), "epoch": epoch + 1, "step": step, "class_names": list(class_names)}
        atomic_torch_save(state, state_path(output))
        history.append(summary)
        if on_epoch is not None:
            on_epoch(epoch + 1, summary)
    return history


def _sample_weights(labels: np.ndarray) -> torch.Tensor:
    counts = np.bincount(labels)
    return torch.from_numpy((1.0 / counts[labels]).astype(np.float64))
