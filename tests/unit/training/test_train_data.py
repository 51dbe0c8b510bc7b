"""Dataset layout errors are clear, the split is stratified, --resume needs a state file."""

from __future__ import annotations

import numpy as np
import pytest

from hierattn.runtime.errors import InvalidImageError, UsageError
from hierattn.runtime.spec import ModelSpec
from hierattn.synthetic import write_dataset
from hierattn.training.data import DatasetLayoutError, load_pixels, scan_image_folder, split_indices


def test_scan_sorted_classes(tmp_path) -> None:
    write_dataset(tmp_path, per_class=2, seed=0, size=96, classes=("NV", "MEL", "BCC"))
    dataset = scan_image_folder(tmp_path)
    assert dataset.class_names == ("BCC", "MEL", "NV")
    assert dataset.labels == (0, 0, 1, 1, 2, 2)
    pixels = load_pixels(dataset, ModelSpec())
    assert pixels.shape == (6, 256, 256, 3) and pixels.dtype == np.uint8
    (tmp_path / "MEL" / "._dermoscopy_00000.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")  # macOS archive debris
    assert scan_image_folder(tmp_path).files == dataset.files


def test_no_class_folders(tmp_path) -> None:
    (tmp_path / "img.png").write_bytes(b"x")
    with pytest.raises(DatasetLayoutError, match="no class folders"):
        scan_image_folder(tmp_path)
    with pytest.raises(DatasetLayoutError, match="does not exist"):
        scan_image_folder(tmp_path / "missing")


def test_empty_class_folder(tmp_path) -> None:
    write_dataset(tmp_path, per_class=1, seed=0, size=96, classes=("NV",))
    (tmp_path / "MEL").mkdir()
    with pytest.raises(DatasetLayoutError, match="MEL has no images"):
        scan_image_folder(tmp_path)


def test_unreadable_image_names_the_file(tmp_path) -> None:
    write_dataset(tmp_path, per_class=1, seed=0, size=96, classes=("NV",))
    (tmp_path / "NV" / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(InvalidImageError, match=r"broken\.jpg"):
        load_pixels(scan_image_folder(tmp_path), ModelSpec())


def test_split_is_stratified_and_disjoint() -> None:
    labels = tuple([0] * 20 + [1] * 10)
    train, val = split_indices(labels, 0.2, seed=1)
    assert set(train).isdisjoint(val) and len(train) + len(val) == 30
    assert np.bincount(np.asarray(labels)[val]).tolist() == [4, 2]
    with pytest.raises(UsageError):
        split_indices(labels, 1.5, seed=1)
