"""Starting weights for training (transfer learning), the way the papers start.

Two sources are accepted for ``hierattn-train --init``:

- a checkpoint of the same family with any class count: everything is kept except the family's
  head (``ModelDefaults.head``), which starts new when the class count or input size differs (an
  8-class ISIC model fine-tuned on 6-class smartphone data, as HierAttn does for PAD-UFES-20);
- the library backbone the family is built on (``ModelDefaults.backbone``), e.g. torchvision's
  ImageNet ResNet-50 for ARL-CNN50: its tensors are copied, the family's own parameters start new
  (ARL-CNN's alphas at 0.001, TMI 2019) and so does a classifier of another class count.

``load_checkpoint`` stays strict (a finished model, every key): it refuses backbone weights and
names this way instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from torch import nn

from ..runtime.errors import CheckpointError
from .checkpoint import file_sha256, load_checkpoint, normalise_arch, read_state_dict
from .registry import create_model, model_defaults


@dataclass(frozen=True)
class InitReport:
    """What ``init_model`` loaded: the source kind and the model's keys that start new."""

    path: Path
    source: str
    """``checkpoint`` (the family's own) or the backbone's name (``torchvision resnet50``)."""
    loaded: int
    fresh: tuple[str, ...]

    def line(self) -> str:
        """One log line: ``init: resnet50.pth (torchvision resnet50): 320 tensors loaded, 18 new (...)``."""
        new = f"{len(self.fresh)} new ({', '.join(self.fresh[:4])}{', ...' if len(self.fresh) > 4 else ''})" if self.fresh else "none new"
        return f"init: {self.path} ({self.source}): {self.loaded} tensors loaded, {new}"

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "sha256": file_sha256(self.path), "source": self.source,
                "loaded": self.loaded, "fresh": list(self.fresh)}


def init_model(
    path: str | os.PathLike[str], arch: str, num_classes: int, input_size: int | None = None
) -> tuple[nn.Module, InitReport]:
    """Build ``arch`` for ``num_classes`` classes and start it from the weights in ``path``.

    Raises:
        CheckpointError: the file is neither a checkpoint of ``arch`` nor its backbone's weights; the
            message gives both reasons.
    """
    path = Path(path)
    arch = normalise_arch(arch)
    defaults = model_defaults(arch)
    model = create_model(arch, num_classes=num_classes, input_size=input_size or defaults.input_size[0])
    state_dict, _ = read_state_dict(path)
    trunk = {k for k in model.state_dict() if not k.startswith(defaults.head_prefixes)}
    if defaults.backbone is not None and not trunk <= set(state_dict):
        try:
            fresh = defaults.backbone.load(model, state_dict)
        except CheckpointError as backbone_error:
            try:
                load_checkpoint(path, arch=arch)
            except CheckpointError as checkpoint_error:
                raise CheckpointError(
                    f"{path} fits neither way to start {arch}: as its checkpoint, {checkpoint_error} As "
                    f"{defaults.backbone.name} weights: {backbone_error}"
                ) from None
            raise
        return model, InitReport(path, defaults.backbone.name, len(model.state_dict()) - len(fresh), fresh)
    source = load_checkpoint(path, arch=arch).state_dict()
    target = model.state_dict()
    if all(source[k].shape == v.shape for k, v in target.items()):
        model.load_state_dict(source)
        return model, InitReport(path, "checkpoint", len(source), ())
    kept = {k: v for k, v in source.items() if k in trunk}
    wrong = [k for k, v in kept.items() if v.shape != target[k].shape]
    if wrong:
        raise CheckpointError(
            f"{path}: {wrong[0]} is {tuple(kept[wrong[0]].shape)} but {arch} at this input size needs "
            f"{tuple(target[wrong[0]].shape)}; train at the checkpoint's input size (--input-size)."
        )
    model.load_state_dict(kept, strict=False)
    return model, InitReport(path, "checkpoint", len(kept), tuple(sorted(set(target) - set(kept))))
