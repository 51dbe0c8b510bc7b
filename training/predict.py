"""Logits for preprocessed pixels from a PyTorch checkpoint or an exported model (via the runtime)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..runtime.batch.driver import RunSummary
    from ..runtime.batch.stream import StreamOptions


def checkpoint_logits(model, pixels: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Eval-mode PyTorch logits for uint8 [N, H, W, 3] pixels scaled to [0, 1] like the runtime."""
    import torch

    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(pixels), batch_size):
            x = torch.from_numpy(pixels[start:start + batch_size]).permute(0, 3, 1, 2).float() / 255
            outputs.append(model(x).numpy())
    return np.concatenate(outputs)


def exported_logits(path: Path, pixels: np.ndarray, batch_size: int = 16) -> tuple[np.ndarray, tuple[str, ...]]:
    """Logits of an exported model run by ``hierattn.runtime.Classifier`` on the same tensors."""
    from ..runtime.classifier import Classifier
    from ..runtime.preprocess import to_tensor

    classifier = Classifier.load(path)
    outputs = []
    for start in range(0, len(pixels), batch_size):
        batch = np.stack([to_tensor(p, classifier.spec) for p in pixels[start:start + batch_size]])
        outputs.append(classifier.predict_tensor(batch))
    return np.concatenate(outputs), classifier.class_names


def exported_probabilities(
    path: Path, files: Sequence[Path], options: StreamOptions, verify: bool = True, ray: str | None = None
) -> tuple[np.ndarray, tuple[str, ...], RunSummary]:
    """Class probabilities [N, C] of an exported model on ``files`` through the runtime's streaming path.

    Only the probabilities are kept (N x C floats), never the pixels. An unreadable image is an error
    naming the file: a silently shrunken evaluation set would make the metrics lie.
    """
    from ..runtime.errors import HierAttnError

    kept: list[np.ndarray] = []
    if ray is not None:
        from ..runtime.batch.ray_run import classify_on_ray

        rows, names, summary = classify_on_ray(path, list(files), ray, options, verify)
        kept = [_probabilities(row, names) for row in rows]
    else:
        from ..runtime.batch.driver import run_stream
        from ..runtime.classifier import Classifier

        classifier = Classifier.load(path, threads=1 if options.workers > 1 else None, verify=verify,
                                     concurrency=options.workers)
        names = classifier.class_names
        summary = run_stream(classifier, files, options,
                             lambda chunk: kept.extend(_probabilities(r.to_dict(), names) for r in chunk),
                             total=len(files))
    if len(kept) != len(files):
        raise HierAttnError(f"Got {len(kept)} results for {len(files)} images; re-run the evaluation.")
    return np.stack(kept), tuple(names), summary


def _probabilities(row: dict, names: Sequence[str]) -> np.ndarray:
    from ..runtime.errors import InvalidImageError

    if row["error"] is not None:
        raise InvalidImageError(f"Cannot evaluate {row['path']}: {row['error']} Remove or replace the file.")
    return np.array([row["probabilities"][name] for name in names], dtype=np.float64)
