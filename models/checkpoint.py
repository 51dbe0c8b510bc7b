"""Load and save checkpoints of every registered family, safely and with errors that say what is wrong.

Accepted layouts:
- the authors' bare ``state_dict`` (their ``train.py`` saves ``torch.save(model.state_dict(), ...)``);
- the same with DataParallel ``module.`` prefixes;
- a dict wrapping it under ``state_dict``, ``model`` or ``model_state_dict`` (the authors' reference
  files also carry ``arch`` and ``num_classes``);
- this project's format (``format == "hierattn-checkpoint"``), which also records class names, input
  size and provenance.

Every load uses ``torch.load(..., weights_only=True)``: a pickle that would run code is refused.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..runtime.artifact.file_kinds import FileKind, next_step, pickle_globals, sniff, what_it_is
from ..runtime.errors import CheckpointError, UsageError
from ..runtime.spec import ISIC2019_CLASSES, PAD2020_CLASSES
from .registry import create_model, list_models, model_defaults

CHECKPOINT_FORMAT = "hierattn-checkpoint"
CHECKPOINT_FORMAT_VERSION = 1
WRAPPER_KEYS = ("state_dict", "model_state_dict", "model")
MIN_OVERLAP = 0.5
"""Fraction of (key, shape) pairs a state_dict must share with an architecture to be identified as it."""


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file holds, once read and normalised."""

    path: Path
    sha256: str
    arch: str
    num_classes: int
    class_names: tuple[str, ...]
    input_size: tuple[int, int]
    layout: str
    provenance: dict[str, Any] = field(default_factory=dict)
    class_names_source: str = "checkpoint"
    """Where ``class_names`` came from: "checkpoint" (recorded in it), "default" (none recorded: the
    ISIC2019 / PAD-UFES-20 defaults by class count, see ``default_class_names``) or the option that gave
    them (e.g. "--labels")."""
    recorded_class_names: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise_arch(name: str) -> str:
    """Map the authors' registry names (``hierattnxs``) and spellings (``HierAttn-xs``) to ours."""
    compact = name.lower().replace("_", "").replace("-", "")
    for registered in list_models():
        if registered.replace("_", "") == compact:
            return registered
    raise CheckpointError(f"Unknown architecture {name!r}; expected one of {', '.join(list_models())}.")


def _torch_load(path: Path) -> Any:
    if not path.exists():
        raise CheckpointError(f"Checkpoint not found: {path}. Check the path.")
    kind, detail = sniff(path)
    if kind is not FileKind.ZIP and kind is not FileKind.PICKLE and kind is not FileKind.UNKNOWN:
        raise CheckpointError(f"{path} is {what_it_is(kind, detail)}, not a PyTorch checkpoint; {next_step(path, kind)}")
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols before refusing; the refusal says it all
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "Weights only load failed" in str(exc):
            imported = _globals_named(str(exc)) or _scanned_globals(path)
            if imported:
                raise CheckpointError(
                    f"Refused to load {path}: it contains pickled code or objects other than tensors and "
                    f"plain containers ({', '.join(imported)}), which could run arbitrary code. Re-save it as a "
                    "plain state_dict (torch.save(model.state_dict(), path)) from a trusted source."
                ) from None
            raise CheckpointError(
                f"{path} is not a PyTorch checkpoint: {_not_a_checkpoint(kind)}. Save the weights with "
                "torch.save(model.state_dict(), path)."
            ) from None
        raise CheckpointError(f"{path} is not a PyTorch checkpoint ({exc}).") from None
    except Exception as exc:  # torch raises many types (RuntimeError, KeyError, EOFError...) on bad bytes
        if isinstance(exc, RuntimeError) and str(exc):
            reason = str(exc).split(". ")[0].splitlines()[0]
        else:
            reason = "unrecognised file contents"
        raise CheckpointError(
            f"{path} is not a readable PyTorch checkpoint (truncated, corrupt or another file type: {reason})."
        ) from None


def _globals_named(message: str) -> list[str]:
    """The blocked globals torch's weights-only unpickler names in its refusal ("GLOBAL posix.system")."""
    return re.findall(r"GLOBAL ([\w.]+)", message)


def _scanned_globals(path: Path) -> list[str]:
    """Globals a raw pickle stream would import (torch stops at its protocol header before reaching them)."""
    try:
        return pickle_globals(path.read_bytes())
    except (OSError, ValueError, EOFError, UnicodeDecodeError):
        return []


def _not_a_checkpoint(kind: FileKind) -> str:
    if kind is FileKind.PICKLE:
        return "a pickle of plain Python data (no code), not a file written by torch.save"
    return "torch cannot read it as one (another file type?)"


def _is_state_dict(obj: Any) -> bool:
    return isinstance(obj, Mapping) and bool(obj) and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items()
    )


def _extract_state_dict(payload: Any, path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Return (state_dict, metadata) from any accepted layout."""
    if _is_state_dict(payload):
        return dict(payload), {}
    if isinstance(payload, Mapping):
        for key in WRAPPER_KEYS:
            if key in payload and _is_state_dict(payload[key]):
                meta = {k: v for k, v in payload.items() if k != key}
                return dict(payload[key]), meta
    found = type(payload).__name__
    if isinstance(payload, Mapping):
        found += " with keys " + ", ".join(sorted(map(str, payload))[:8])
    raise CheckpointError(
        f"{path} holds a {found}, not a model state_dict. Expected a state_dict or a dict with one "
        f"under {', '.join(WRAPPER_KEYS)}."
    )


def _strip_prefix(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if all(k.startswith("module.") for k in state_dict):
        return {k[len("module."):]: v for k, v in state_dict.items()}
    return state_dict


@functools.cache
def _signature(name: str) -> tuple[frozenset[tuple[str, tuple[int, ...]]], str]:
    """(key, shape) pairs of ``name``'s state_dict without its classifier, and the classifier prefix.

    Built on the meta device: shapes only, no memory or initialisation cost even for 55M parameters.
    """
    classifier = model_defaults(name).classifier + "."
    with torch.device("meta"):
        state = create_model(name, num_classes=1).state_dict()
    return frozenset((k, tuple(v.shape)) for k, v in state.items() if not k.startswith(classifier)), classifier


def infer_arch(state_dict: Mapping[str, torch.Tensor]) -> str:
    """Identify the registered architecture whose keys and shapes the weights have (classifier aside).

    The best overlap wins, so a damaged file (a key lost, one added) is still identified and the
    loader can name what is missing; a file sharing less than half of any architecture's keys is
    refused. The classifier is left out because its shape depends on the class count (and, where a
    family flattens a pooled map into it, on the input size).
    """
    best, best_score = None, 0.0
    for name in list_models():
        signature, classifier = _signature(name)
        found = frozenset((k, tuple(v.shape)) for k, v in state_dict.items() if not k.startswith(classifier))
        score = len(found & signature) / len(found | signature)
        if score > best_score:
            best, best_score = name, score
    if best is None or best_score < MIN_OVERLAP:
        raise CheckpointError(
            f"The weights match no registered architecture ({', '.join(list_models())}); "
            f"first keys: {', '.join(list(state_dict)[:4])}. Pass the state_dict of one of them."
        )
    return best


def infer_num_classes(state_dict: Mapping[str, torch.Tensor], arch: str) -> int:
    key = model_defaults(arch).classifier_weight
    weight = state_dict.get(key)
    if weight is None:
        raise CheckpointError(f"The weights have no {key!r}: not a {arch} classifier checkpoint.")
    return int(weight.shape[0])


def default_class_names(num_classes: int) -> tuple[str, ...]:
    """ISIC2019 for 8 classes, PAD-UFES-20 for 6, otherwise generic names."""
    if num_classes == len(ISIC2019_CLASSES):
        return ISIC2019_CLASSES
    if num_classes == len(PAD2020_CLASSES):
        return PAD2020_CLASSES
    return tuple(f"class_{i}" for i in range(num_classes))


def _resolve(
    path: Path,
    state_dict: dict[str, torch.Tensor],
    meta: dict[str, Any],
    arch: str | None,
    num_classes: int | None,
    class_names: tuple[str, ...] | None,
    names_from: str = "class_names",
) -> CheckpointInfo:
    found_arch = infer_arch(state_dict)
    if arch is not None and normalise_arch(arch) != found_arch:
        raise CheckpointError(
            f"{path} holds {found_arch} weights but arch {normalise_arch(arch)} was requested. "
            f"Drop --arch or pass --arch {found_arch}."
        )
    recorded_arch = meta.get("arch")
    if isinstance(recorded_arch, str) and normalise_arch(recorded_arch) != found_arch:
        raise CheckpointError(f"{path} says arch {recorded_arch!r} but its weights are {found_arch}.")
    found_classes = infer_num_classes(state_dict, found_arch)
    if num_classes is not None and num_classes != found_classes:
        raise CheckpointError(
            f"{path} has a {found_classes}-class classifier but {num_classes} classes were requested."
        )
    recorded = tuple(str(name) for name in meta.get("class_names") or ())
    if class_names:
        names, source = class_names, names_from
        if len(names) != found_classes:
            raise UsageError(
                f"Checkpoint has {found_classes} classes but {names_from} lists {len(names)}: {', '.join(names)}; "
                f"give {found_classes} names in the order of the model's outputs (for a model trained here: "
                "its training folders in sorted order)."
            )
    elif recorded:
        names, source = recorded, "checkpoint"
        if len(names) != found_classes:
            raise CheckpointError(
                f"{path} has {found_classes} classes but records {len(names)} class names: {', '.join(names)}; "
                "name them with --labels."
            )
    else:
        names, source = default_class_names(found_classes), "default"
    if len(set(names)) != len(names):
        raise CheckpointError(f"Class names must be unique, got {', '.join(names)}.")
    input_size = tuple(meta.get("input_size") or model_defaults(found_arch).input_size)
    provenance = dict(meta.get("provenance") or {})
    return CheckpointInfo(
        path=path,
        sha256=file_sha256(path),
        arch=found_arch,
        num_classes=found_classes,
        class_names=tuple(names),
        input_size=(int(input_size[0]), int(input_size[1])),
        layout="NCHW",
        provenance=provenance,
        class_names_source=source,
        recorded_class_names=recorded,
    )


def read_checkpoint(
    path: str | os.PathLike[str],
    arch: str | None = None,
    num_classes: int | None = None,
    class_names: tuple[str, ...] | list[str] | None = None,
    names_from: str = "class_names",
) -> tuple[CheckpointInfo, dict[str, torch.Tensor]]:
    """Read a checkpoint file into its description and a clean state_dict (no model built).

    ``names_from`` names where ``class_names`` came from (an option such as ``--labels``) for the
    message when their count does not match the weights.
    """
    path = Path(path)
    state_dict, meta = read_state_dict(path)
    names = tuple(class_names) if class_names else None
    return _resolve(path, state_dict, meta, arch, num_classes, names, names_from), state_dict


def read_state_dict(path: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The state_dict of any accepted layout (``module.`` prefixes removed) and what the file says besides."""
    path = Path(path)
    state_dict, meta = _extract_state_dict(_torch_load(path), path)
    return _strip_prefix(state_dict), meta


def backbone_hint(path: Path, state_dict: Mapping[str, torch.Tensor], arch: str | None) -> str | None:
    """The way to use ``state_dict`` when it is a family's library backbone (ImageNet ResNet-50), not a checkpoint.

    Such weights lack the family's own parameters (ARL-CNN's alphas), so they start training rather than
    load as a finished model. None when the weights are not such a backbone.
    """
    try:
        name = normalise_arch(arch) if arch is not None else infer_arch(state_dict)
    except CheckpointError:
        return None
    source = model_defaults(name).backbone
    if source is None:
        return None
    try:
        fresh = source.load(create_model(name), state_dict)
    except CheckpointError:
        return None
    return (f"{path} holds {source.name} weights, not a {name} checkpoint: {len(fresh)} of {name}'s tensors would "
            f"start new (e.g. {', '.join(fresh[:3])}). Start training from them, as the paper does, with "
            f"'hierattn-train --arch {name} --init {path}' (Python: hierattn.models.init_model).")


def load_checkpoint(
    path: str | os.PathLike[str],
    arch: str | None = None,
    num_classes: int | None = None,
    class_names: tuple[str, ...] | list[str] | None = None,
    names_from: str = "class_names",
) -> nn.Module:
    """Build the model a checkpoint describes and load its weights; returned in eval mode.

    Arch and class count are inferred from the weights when not given; given ones must match. The
    returned module carries ``checkpoint_info`` (a CheckpointInfo) for exporters and tools.

    Raises:
        CheckpointError: unreadable, unsafe or mismatching checkpoint; the message says which. A
            library backbone's weights (a torchvision ResNet-50 for ``arl_cnn50``) are refused with
            the command that starts training from them.
    """
    path = Path(path)
    state_dict, meta = read_state_dict(path)
    try:
        names = tuple(class_names) if class_names else None
        return _build(path, _resolve(path, state_dict, meta, arch, num_classes, names, names_from), state_dict)
    except CheckpointError:
        hint = backbone_hint(path, state_dict, arch)
        if hint is None:
            raise
        raise CheckpointError(hint) from None


def _build(path: Path, info: CheckpointInfo, state_dict: dict[str, torch.Tensor]) -> nn.Module:
    """The model ``info`` describes with exactly ``state_dict`` loaded (every key, every shape)."""
    model = create_model(info.arch, num_classes=info.num_classes, input_size=info.input_size[0])
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3])})")
        raise CheckpointError(f"{path} does not match {info.arch}: {'; '.join(parts)} keys.")
    wrong_shapes = [
        f"{k} {tuple(state_dict[k].shape)} != {tuple(v.shape)}" for k, v in expected.items() if state_dict[k].shape != v.shape
    ]
    if wrong_shapes:
        raise CheckpointError(f"{path} does not match {info.arch}: shape mismatch {wrong_shapes[0]}.")
    model.load_state_dict(state_dict)
    # torch types Module.__setattr__ for tensors and modules only; other values are plain attributes.
    model.checkpoint_info = info  # type: ignore[assignment]
    return model.eval()


def checkpoint_info(model: nn.Module) -> CheckpointInfo:
    """The CheckpointInfo that ``load_checkpoint`` attached to ``model`` (its ``checkpoint_info`` attribute), typed."""
    info = vars(model).get("checkpoint_info")
    if not isinstance(info, CheckpointInfo):
        raise TypeError(f"{type(model).__name__} was not returned by load_checkpoint: it carries no CheckpointInfo")
    return info


def save_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    arch: str,
    class_names: tuple[str, ...] | list[str],
    provenance: dict[str, Any] | None = None,
    input_size: tuple[int, int] | None = None,
) -> Path:
    """Write the project checkpoint format atomically (temp file + rename): never half-written.

    ``input_size`` defaults to the architecture's registered input size.
    """
    path = Path(path)
    arch = normalise_arch(arch)
    input_size = input_size or model_defaults(arch).input_size
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_FORMAT_VERSION,
        "arch": arch,
        "num_classes": len(class_names),
        "class_names": list(class_names),
        "input_size": list(input_size),
        "provenance": dict(provenance or {}),
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_torch_save(payload, path)


def atomic_torch_save(payload: Any, path: Path) -> Path:
    """``torch.save`` to a temp file in the same folder, then rename: readers never see half a file."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        torch.save(payload, temp_name)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path
