"""Validation and calibration images for the export pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hierattn.export.data import calibration_batch, list_images, synthetic_batch, validation_batch
from hierattn.runtime.errors import UsageError
from hierattn.runtime.preprocess import preprocess
from hierattn.runtime.spec import ModelSpec

SPEC = ModelSpec()


def test_synthetic_batch_is_deterministic_and_in_range() -> None:
    a, b = synthetic_batch(SPEC, 3, seed=1), synthetic_batch(SPEC, 3, seed=1)
    assert a.shape == (3, 3, 256, 256) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert not np.array_equal(a, synthetic_batch(SPEC, 3, seed=2))


def test_user_directory_goes_through_runtime_preprocessing(tmp_path: Path) -> None:
    (tmp_path / "MEL").mkdir()
    rng = np.random.default_rng(0)
    for name in ("MEL/a.png", "b.jpg"):
        Image.fromarray(rng.integers(0, 255, (300, 280, 3), dtype=np.uint8)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    paths = list_images(tmp_path)
    assert [p.name for p in paths] == ["a.png", "b.jpg"]
    batch, source = validation_batch(SPEC, tmp_path)
    assert source == str(tmp_path)
    assert np.array_equal(batch[0], preprocess(paths[0], SPEC).tensor)


def test_empty_or_missing_directories_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No calibration images"):
        calibration_batch(SPEC, tmp_path)
    with pytest.raises(UsageError, match="does not exist"):
        validation_batch(SPEC, tmp_path / "missing")


def test_synthetic_batch_takes_sizes_that_are_not_multiples_of_8() -> None:
    """Inception-ResNet-v2 runs at 299 px; the 8x8 texture cells are cropped to fit."""
    batch = synthetic_batch(ModelSpec(input_size=(299, 299)), 2)
    assert batch.shape == (2, 3, 299, 299) and batch.min() >= 0 and batch.max() <= 1
