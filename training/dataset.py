"""Image-folder datasets (one sub-folder per class, as ISIC2019 is laid out), preprocessed once.

Images go through the runtime's own preprocessing (circle crop, Pillow bilinear resize) so training,
evaluation and deployment see the same pixels. The preprocessed uint8 images are kept in memory:
the demo data sets are small, and decoding is the slow part of an epoch otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hierattn.runtime.errors import HierAttnError, UsageError
from hierattn.runtime.preprocess import crop_and_resize
from hierattn.runtime.image_io import load_rgb
from hierattn.runtime.spec import ModelSpec

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


class DatasetError(UsageError):
    """The data folder is not a usable image-folder dataset."""


@dataclass(frozen=True)
class ImageFolder:
    """A scanned image-folder dataset: file paths, integer labels and the sorted class names."""

    root: Path
    class_names: tuple[str, ...]
    paths: tuple[Path, ...]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.paths)


def scan_image_folder(root: str | Path, class_names: tuple[str, ...] | None = None) -> ImageFolder:
    """List ``root/<CLASS>/*`` images; classes in sorted folder order unless ``class_names`` is given.

    Raises:
        DatasetError: missing folder, no class folders, an empty class, or classes that do not match.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"Dataset folder not found: {root}.")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise DatasetError(
            f"{root} has no class folders. Lay the data out as {root}/<CLASS>/<image>, e.g. {root}/MEL/img1.jpg."
        )
    if class_names is not None and tuple(folders) != tuple(class_names):
        raise DatasetError(
            f"{root} has classes {', '.join(folders)} but {', '.join(class_names)} were expected."
        )
    paths: list[Path] = []
    labels: list[int] = []
    for index, name in enumerate(folders):
        images = sorted(
            p for p in (root / name).rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        if not images:
            raise DatasetError(
                f"Class folder {root / name} has no images ({', '.join(IMAGE_SUFFIXES)}). Add images or remove it."
            )
        paths.extend(images)
        labels.extend([index] * len(images))
    return ImageFolder(root, tuple(folders), tuple(paths), np.asarray(labels, dtype=np.int64))


def load_pixels(dataset: ImageFolder, spec: ModelSpec) -> np.ndarray:
    """Decode and preprocess every image to uint8 [N, H, W, 3].

    Raises:
        DatasetError: an image cannot be decoded; the message names the file (fix or remove it).
    """
    height, width = spec.input_size
    pixels = np.empty((len(dataset), height, width, 3), dtype=np.uint8)
    for i, path in enumerate(dataset.paths):
        try:
            pixels[i], _ = crop_and_resize(load_rgb(path), spec, crop=spec.crop.enabled)
        except HierAttnError as exc:
            raise DatasetError(f"Unreadable training image {path}: {exc} Fix or remove the file.") from None
    return pixels


def split_indices(labels: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/validation split: ``val_fraction`` of every class goes to validation."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        count = int(round(len(members) * val_fraction))
        if val_fraction > 0 and len(members) > 1:
            count = min(max(count, 1), len(members) - 1)
        val.extend(members[:count])
        train.extend(members[count:])
    return np.sort(np.asarray(train, dtype=np.int64)), np.sort(np.asarray(val, dtype=np.int64))
