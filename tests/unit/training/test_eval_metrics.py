"""hierattn-eval's metrics agree with scikit-learn on the same predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from hierattn.training.evaluate import binary_auc, compute_metrics, format_report, plot_confusion, softmax

NAMES = ("ACK", "BCC", "BKL", "DF", "MEL", "NV", "SCC", "VASC")


def _predictions(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(NAMES), n)
    logits = rng.normal(0, 1, (n, len(NAMES)))
    logits[np.arange(n), labels] += rng.uniform(0, 3, n)  # informative but imperfect
    return labels, softmax(logits)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_scikit_learn(seed: int) -> None:
    labels, probs = _predictions(seed)
    predictions = probs.argmax(1)
    ours = compute_metrics(labels, probs, NAMES)
    classes = list(range(len(NAMES)))
    assert ours.accuracy == pytest.approx(skm.accuracy_score(labels, predictions))
    np.testing.assert_allclose(ours.precision, skm.precision_score(labels, predictions, average=None, labels=classes, zero_division=0))
    np.testing.assert_allclose(ours.recall, skm.recall_score(labels, predictions, average=None, labels=classes, zero_division=0))
    np.testing.assert_allclose(ours.f1, skm.f1_score(labels, predictions, average=None, labels=classes, zero_division=0))
    np.testing.assert_array_equal(np.array(ours.confusion), skm.confusion_matrix(labels, predictions, labels=classes))
    specificity = [skm.recall_score(labels != c, predictions != c) for c in classes]
    np.testing.assert_allclose(ours.specificity, specificity)
    assert ours.macro_auc == pytest.approx(skm.roc_auc_score(labels, probs, multi_class="ovr", average="macro"))


def test_auc_handles_ties_like_scikit_learn() -> None:
    positive = np.array([1, 0, 1, 0, 1, 0, 0, 1], dtype=bool)
    scores = np.array([0.5, 0.5, 0.9, 0.1, 0.5, 0.9, 0.2, 0.2])
    assert binary_auc(positive, scores) == pytest.approx(skm.roc_auc_score(positive, scores))


def test_class_never_predicted_gives_zero_precision_not_nan() -> None:
    labels = np.array([0, 1, 2, 2])
    probs = np.eye(3)[[0, 1, 1, 1]]
    result = compute_metrics(labels, probs, ("A", "B", "C"))
    assert result.precision[2] == 0.0 and result.recall[2] == 0.0
    assert "confusion matrix" in format_report(result)


def test_confusion_plot_is_written(tmp_path) -> None:
    labels, probs = _predictions(3, 64)
    path = tmp_path / "cm.png"
    plot_confusion(compute_metrics(labels, probs, NAMES), str(path))
    assert path.stat().st_size > 1000 and path.read_bytes()[:4] == b"\x89PNG"
