"""Classification metrics of the paper's Table II, in numpy: accuracy, per-class precision, recall,
F1 and specificity, macro one-vs-rest AUC, and the confusion matrix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ClassMetrics:
    name: str
    support: int
    precision: float
    recall: float
    f1: float
    specificity: float
    auc: float | None


@dataclass(frozen=True)
class Metrics:
    """All metrics of one evaluation; ``confusion[i][j]`` counts true class i predicted as j."""

    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    macro_specificity: float
    macro_auc: float | None
    per_class: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...]
    images: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_class"] = [asdict(c) for c in self.per_class]
        data["confusion"] = [list(row) for row in self.confusion]
        return data


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def binary_auc(scores: np.ndarray, positives: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties counted half.

    None when only one class is present (the AUC is undefined).
    """
    positives = positives.astype(bool)
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    # average ranks over runs of tied scores
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(scores)]))
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _safe_divide(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def compute_metrics(labels: np.ndarray, probabilities: np.ndarray, class_names: tuple[str, ...]) -> Metrics:
    """Metrics of ``probabilities`` [N, C] against integer ``labels`` [N] (prediction = argmax)."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    num_classes = len(class_names)
    predictions = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predictions, num_classes)
    total = int(matrix.sum())
    per_class = []
    for k, name in enumerate(class_names):
        tp = matrix[k, k]
        fp = matrix[:, k].sum() - tp
        fn = matrix[k, :].sum() - tp
        tn = total - tp - fp - fn
        precision = _safe_divide(tp, tp + fp)
        recall = _safe_divide(tp, tp + fn)
        per_class.append(
            ClassMetrics(
                name=name,
                support=int(matrix[k, :].sum()),
                precision=precision,
                recall=recall,
                f1=_safe_divide(2 * precision * recall, precision + recall),
                specificity=_safe_divide(tn, tn + fp),
                auc=binary_auc(probabilities[:, k], labels == k),
            )
        )
    aucs = [c.auc for c in per_class if c.auc is not None]
    return Metrics(
        accuracy=_safe_divide(np.trace(matrix), total),
        macro_precision=float(np.mean([c.precision for c in per_class])),
        macro_recall=float(np.mean([c.recall for c in per_class])),
        macro_f1=float(np.mean([c.f1 for c in per_class])),
        macro_specificity=float(np.mean([c.specificity for c in per_class])),
        macro_auc=float(np.mean(aucs)) if aucs else None,
        per_class=tuple(per_class),
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        images=total,
    )
