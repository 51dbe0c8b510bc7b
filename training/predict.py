"""Logits for preprocessed pixels from a PyTorch checkpoint or an exported model (via the runtime)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


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
    from hierattn.runtime.classifier import Classifier
    from hierattn.runtime.preprocess import to_tensor

    classifier = Classifier.load(path)
    outputs = []
    for start in range(0, len(pixels), batch_size):
        batch = np.stack([to_tensor(p, classifier.spec) for p in pixels[start:start + batch_size]])
        outputs.append(classifier.predict_tensor(batch))
    return np.concatenate(outputs), classifier.class_names
