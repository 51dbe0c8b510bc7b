"""Confusion-matrix figure for reports (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_confusion(confusion: np.ndarray, class_names: tuple[str, ...], path: Path, title: str) -> Path:
    """Write a confusion matrix (counts, rows = true class) as a PNG; return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confusion = np.asarray(confusion)
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=120)
    ax.imshow(confusion, cmap="Blues")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    threshold = confusion.max() / 2 if confusion.size else 0
    for (i, j), value in np.ndenumerate(confusion):
        ax.text(j, i, str(value), ha="center", va="center", color="white" if value > threshold else "black", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
