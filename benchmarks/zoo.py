"""The models the benchmark compares: HierAttn variants, the paper's mobile baselines and the
attention models it places itself among (ARL-CNN, Soft-Attention).

Models registered in ``hierattn.models`` (source "registry") are built by ``create_model`` and run at
their family's own input size and preprocessing (``model_spec``); HierAttn-xs carries the bundled demo
checkpoint's trained weights, the other HierAttn variants random ones. Mobile baselines come from
maintained libraries (torchvision, timm) with random weights and the same number of classes as HierAttn, so exported graphs match the paper's Table II architectures without
re-implementing them. Random weights get BatchNorm statistics measured on images (``settle_batchnorm``),
so their activations and logits have a trained network's ranges and the fidelity columns of fp16 and
int8 rows mean something. ``paper_ms``/``paper_params_m`` are Table II of Dai et al. (JBHI 2023):
averages of 1000 runs on an Intel i5-10210U laptop CPU, PyTorch eager, batch 1.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..runtime.errors import UsageError
from ..runtime.spec import ModelSpec

if TYPE_CHECKING:
    from torch import nn

PAPER_DEVICE = "i5-10210U"


@dataclass(frozen=True)
class ZooEntry:
    """One benchmarked architecture and where it is built from."""

    name: str
    label: str
    source: str  # "hierattn" or "registry" (both built by hierattn.models), "torchvision" or "timm"
    builder: str  # factory name inside the source library
    paper_ms: float | None
    paper_params_m: float | None
    default: bool = True  # part of a run without --models
    demo: bool = False  # weights from the bundled demo checkpoint (8 classes) instead of random ones

    @property
    def is_hierattn(self) -> bool:
        return self.source == "hierattn"

    @property
    def is_registered(self) -> bool:
        return self.source in ("hierattn", "registry")


ZOO: dict[str, ZooEntry] = {
    e.name: e
    for e in (
        ZooEntry("hierattn_xs", "HierAttn-xs", "hierattn", "hierattn_xs", 23.0, 1.08, demo=True),
        ZooEntry("hierattn_s", "HierAttn-s", "hierattn", "hierattn_s", 39.0, 2.14),
        ZooEntry("hierattn_m", "HierAttn-m", "hierattn", "hierattn_m", None, None),
        ZooEntry("mobilenet_v2", "MobileNetV2", "torchvision", "mobilenet_v2", 42.0, 2.23),
        ZooEntry("mobilenet_v3_large", "MobileNetV3-Large", "torchvision", "mobilenet_v3_large", 18.0, 4.21),
        ZooEntry("shufflenet_v2_x1_0", "ShuffleNetV2 1.0x", "torchvision", "shufflenet_v2_x1_0", 17.0, 2.28),
        ZooEntry("mnasnet1_0", "MnasNet1.0", "torchvision", "mnasnet1_0", 34.0, 3.11),
        ZooEntry("efficientnet_b0", "EfficientNet-B0", "torchvision", "efficientnet_b0", 28.0, 4.02),
        ZooEntry("mobilevit_s", "MobileViT-S", "timm", "mobilevit_s", 101.0, 4.94),
        ZooEntry("arl_cnn14", "ARL-CNN14", "registry", "arl_cnn14", None, None, default=False),
        ZooEntry("arl_cnn50", "ARL-CNN50", "registry", "arl_cnn50", None, None, default=False),
        ZooEntry("resnet50_sa", "ResNet-50+SA", "registry", "resnet50_sa", None, None, default=False),
        ZooEntry("irv2_sa", "IRv2+SA", "registry", "irv2_sa", None, None, default=False),
    )
}

DEFAULT_MODELS: tuple[str, ...] = tuple(name for name, entry in ZOO.items() if entry.default)
"""A run without --models: HierAttn and the paper's Table II baselines. The heavy attention models
(ARL-CNN, Soft-Attention: 1.5-13 GMACs, minutes of conversion each) are named explicitly."""

QUICK_MODELS: tuple[str, ...] = ("hierattn_xs", "mobilenet_v3_large")


def get_entry(name: str) -> ZooEntry:
    """Look up a model by name; an unknown name is a usage error listing the known ones."""
    try:
        return ZOO[name]
    except KeyError:
        raise UsageError(f"Unknown benchmark model {name!r}; choose from: {', '.join(ZOO)}.") from None


DEMO_WEIGHTS = "demo"
RANDOM_WEIGHTS = "random"


def weights_of(name: str, num_classes: int = 8) -> str:
    """``demo`` when ``build_model`` loads the bundled trained checkpoint, ``random`` otherwise."""
    return DEMO_WEIGHTS if get_entry(name).demo and num_classes == 8 else RANDOM_WEIGHTS


def build_model(name: str, num_classes: int = 8, seed: int = 0, demo: bool = True) -> nn.Module:
    """Build ``name`` in eval mode (never downloads weights).

    HierAttn-xs loads the bundled demo checkpoint, so its fidelity columns compare a trained network
    whose logits differ from image to image; the other models get deterministic random weights
    (latency does not depend on the values), which ``weights_of`` reports, with BatchNorm statistics
    settled on images (``settle_batchnorm``). ``demo=False`` builds random weights for every model and
    skips the settling (a caller about to load a saved state dict).
    """
    import torch

    entry = get_entry(name)
    if demo and weights_of(name, num_classes) == DEMO_WEIGHTS:
        from ..models import load_checkpoint
        from ..runtime.defaults import default_checkpoint_path

        return load_checkpoint(default_checkpoint_path(), arch=entry.builder).eval()
    torch.manual_seed(seed)
    if entry.is_registered:
        from ..models import registry

        model = registry.create_model(entry.builder, num_classes=num_classes)
    elif entry.source == "torchvision":
        tv_models = importlib.import_module("torchvision.models")
        model = getattr(tv_models, entry.builder)(weights=None, num_classes=num_classes)
    else:
        timm = importlib.import_module("timm")
        model = timm.create_model(entry.builder, pretrained=False, num_classes=num_classes)
    if demo:
        settle_batchnorm(model, model_spec(name))
    return model.eval()


SETTLE_IMAGES = 8
"""Images whose BatchNorm statistics a random-weight model takes (the first of ``synthetic_batch``)."""


def settle_batchnorm(model: nn.Module, spec: ModelSpec, count: int = SETTLE_IMAGES) -> None:
    """Replace every BatchNorm's running statistics by those of ``count`` lesion-like images.

    A random-weight network with PyTorch's initial statistics (mean 0, variance 1) lets activations
    grow or vanish layer by layer: the zoo's random HierAttn-s and -m overflow float16 (NaN under
    fp16 arithmetic) and the CNN baselines' logits fall to 1e-9..1e-13, below float16's smallest
    value, so an fp16 or int8 row's agreement with PyTorch measured nothing. With the statistics of
    real inputs each layer's output is normalised as in a trained network and logits are of order 1
    (as in the authors' reference checkpoints). Only BatchNorm layers run in training mode, with a
    cumulative average over one batch; dropout and stochastic depth stay off. Deterministic.
    """
    import torch

    from ..export.data import synthetic_batch

    kinds = (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d, torch.nn.SyncBatchNorm)
    norms = [m for m in model.modules() if isinstance(m, kinds)]
    if not norms:
        return
    momenta = [norm.momentum for norm in norms]
    model.eval()
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average: one batch gives exactly its statistics
        norm.train()
    with torch.no_grad():
        model(torch.from_numpy(synthetic_batch(spec, count=count, seed=0)))
    for norm, momentum in zip(norms, momenta, strict=True):
        norm.momentum = momentum  # a caller fine-tuning the model gets the layers as built
    model.eval()


def model_spec(name: str) -> ModelSpec:
    """What ``name`` is fed: its family's input size and preprocessing; baselines run at HierAttn's."""
    entry = get_entry(name)
    if entry.is_registered:
        from ..models import model_spec as registered_spec

        return registered_spec(entry.builder)
    return ModelSpec(arch=name)
