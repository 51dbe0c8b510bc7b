"""Classification metrics of the paper's Table II, in numpy: accuracy, per-class precision, recall,
F1 and specificity, one-vs-rest macro AUC, and the confusion matrix.

Kept free of scikit-learn so evaluation runs with the base dependencies; a test checks every number
against scikit-learn on the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    """Metrics of one evaluation; per-class lists follow ``class_names``."""

    class_names: tuple[str, ...]
    accuracy: float
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    specificity: tuple[float, ...]
    auc: tuple[float, ...]
    macro_auc: float
    confusion: tuple[tuple[int, ...], ...]  # rows: true class, columns: predicted class
    count: int

    def to_dict(self) -> dict:
        per_class = {
            name: {"precision": self.precision[i], "recall": self.recall[i], "f1": self.f1[i],
                   "specificity": self.specificity[i], "auc": self.auc[i], "support": int(sum(self.confusion[i]))}
            for i, name in enumerate(self.class_names)
        }
        return {"count": self.count, "accuracy": self.accuracy, "macro_auc": self.macro_auc,
                "macro_f1": float(np.mean(self.f1)), "per_class": per_class,
                "class_names": list(self.class_names), "confusion_matrix": [list(r) for r in self.confusion]}


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # 0/0 is reported as 0, as scikit-learn does with zero_division=0.
    return np.divide(numerator, denominator, out=np.zeros_like(numerator, dtype=np.float64), where=denominator > 0)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """[true, predicted] counts."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels), np.asarray(predictions)), 1)
    return matrix


def binary_auc(positive: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve via the rank-sum statistic (ties count one half); nan if one class is absent."""
    positive = positive.astype(bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    start = 0
    while start < len(scores):  # average ranks over ties
        stop = start
        while stop + 1 < len(scores) and sorted_scores[stop + 1] == sorted_scores[start]:
            stop += 1
        ranks[order[start:stop + 1]] = (start + stop) / 2 + 1
        start = stop + 1
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def compute_metrics(labels: np.ndarray, probabilities: np.ndarray, class_names: tuple[str, ...]) -> Metrics:
    """Metrics from true labels [N] and class probabilities (or logits) [N, C]."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    num_classes = len(class_names)
    predictions = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predictions, num_classes)
    tp = np.diag(matrix).astype(np.float64)
    fp = matrix.sum(axis=0) - tp
    fn = matrix.sum(axis=1) - tp
    tn = matrix.sum() - tp - fp - fn
    precision = _safe_divide(tp, tp + fp)
    recall = _safe_divide(tp, tp + fn)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    specificity = _safe_divide(tn, tn + fp)
    auc = np.array([binary_auc(labels == c, probabilities[:, c]) for c in range(num_classes)])
    macro_auc = float(np.nanmean(auc)) if np.isfinite(auc).any() else float("nan")
    return Metrics(
        class_names=tuple(class_names), accuracy=float(tp.sum() / max(len(labels), 1)),
        precision=tuple(map(float, precision)), recall=tuple(map(float, recall)), f1=tuple(map(float, f1)),
        specificity=tuple(map(float, specificity)), auc=tuple(map(float, auc)), macro_auc=macro_auc,
        confusion=tuple(tuple(int(v) for v in row) for row in matrix), count=len(labels),
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def format_report(metrics: Metrics) -> str:
    """Human-readable table: per-class metrics, then the confusion matrix."""
    lines = [f"images {metrics.count}  accuracy {metrics.accuracy:.4f}  macro AUC {metrics.macro_auc:.4f}",
             f"{'class':<6}{'prec':>8}{'recall':>8}{'f1':>8}{'spec':>8}{'auc':>8}"]
    for i, name in enumerate(metrics.class_names):
        lines.append(f"{name:<6}{metrics.precision[i]:>8.3f}{metrics.recall[i]:>8.3f}{metrics.f1[i]:>8.3f}"
                     f"{metrics.specificity[i]:>8.3f}{metrics.auc[i]:>8.3f}")
    lines.append("confusion matrix (rows true, columns predicted)")
    lines.append("      " + "".join(f"{n:>6}" for n in metrics.class_names))
    for name, row in zip(metrics.class_names, metrics.confusion, strict=True):
        lines.append(f"{name:<6}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


def plot_confusion(metrics: Metrics, path: str) -> None:
    """Save the confusion matrix as an image (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.array(metrics.confusion)
    figure, axis = plt.subplots(figsize=(6, 5))
    axis.imshow(matrix, cmap="Blues")
    ticks = range(len(metrics.class_names))
    axis.set_xticks(ticks, metrics.class_names)
    axis.set_yticks(ticks, metrics.class_names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    axis.set_title(f"accuracy {metrics.accuracy:.3f}, macro AUC {metrics.macro_auc:.3f}")
    for (row, col), value in np.ndenumerate(matrix):
        axis.text(col, row, str(value), ha="center", va="center",
                  color="white" if value > matrix.max() / 2 else "black", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
