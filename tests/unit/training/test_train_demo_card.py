"""The demo model card is built from measured numbers and says it is a demo."""

from __future__ import annotations

import numpy as np

from hierattn.training.demo import model_card
from hierattn.training.evaluate import compute_metrics
from hierattn.training.trainer import TrainConfig


def _card(epochs_done: int) -> str:
    labels = np.array([0, 1, 2, 2])
    metrics = compute_metrics(labels, np.eye(3)[[0, 1, 2, 1]], ("A", "B", "C"))
    recipe = {"train_per_class": 10, "heldout_per_class": 5, "train_config": TrainConfig(epochs=5).__dict__,
              "timing": "t", "epochs_done": epochs_done}
    return model_card({"metrics": metrics, "style_accuracy": {"dermoscopy": 1.0, "smartphone": 0.5}}, recipe, "CMD")


def test_card_reports_measured_metrics() -> None:
    card = _card(5)
    assert "not for clinical use" in card and "CMD" in card
    assert "**0.7500**" in card and "stopped there" not in card


def test_card_says_when_training_stopped_early() -> None:
    assert "after epoch 3" in _card(3)


def test_card_flags_accuracy_below_target() -> None:
    assert "Below the project's 80%" in _card(5)
