"""Image-folder datasets for training and evaluation, preprocessed exactly like deployment.

Layout (as the authors' DATA.md lays out ISIC2019): ``DIR/<CLASS>/<image>``, one folder per class,
classes in sorted folder order. Every image goes through the runtime's ``preprocess`` (circle crop,
Pillow bilinear resize to 256x256) once and is cached as uint8, so training, evaluation and the
deployed runtimes see the same pixels. Unreadable images are an error naming the file: a silently
shrunken dataset would make metrics lie.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..runtime.errors import HierAttnError, InvalidImageError, UsageError
from ..runtime.preprocess import preprocess
from ..runtime.spec import ModelSpec

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


class DatasetLayoutError(UsageError):
    """The data folder does not follow DIR/<CLASS>/<images>."""


@dataclass(frozen=True)
class ImageFolder:
    """Files and integer labels of an image-folder dataset."""

    root: Path
    class_names: tuple[str, ...]
    files: tuple[Path, ...]
    labels: tuple[int, ...]


def scan_image_folder(root: str | Path) -> ImageFolder:
    """List ``root/<CLASS>/*`` images; raise a DatasetLayoutError for a wrong layout."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetLayoutError(f"Data folder {root} does not exist; pass a folder with one sub-folder per class.")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DatasetLayoutError(
            f"{root} has no class folders; expected {root}/<CLASS>/<image files>, e.g. {root}/MEL/img1.jpg."
        )
    files: list[Path] = []
    labels: list[int] = []
    for label, folder in enumerate(class_dirs):
        # hidden files (macOS ._* AppleDouble files carry an image suffix) are skipped, as by hierattn-predict
        images = sorted(p for p in folder.iterdir()
                        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
        if not images:
            raise DatasetLayoutError(
                f"Class folder {folder} has no images ({', '.join(IMAGE_SUFFIXES)}); add images or remove the folder."
            )
        files.extend(images)
        labels.extend([label] * len(images))
    return ImageFolder(root, tuple(p.name for p in class_dirs), tuple(files), tuple(labels))


def load_pixels(dataset: ImageFolder, spec: ModelSpec, progress=None) -> np.ndarray:
    """Preprocess every image once: [N, H, W, 3] uint8 (the runtime's crop + resize, before scaling)."""
    height, width = spec.input_size
    pixels = np.empty((len(dataset.files), height, width, 3), dtype=np.uint8)
    for index, path in enumerate(dataset.files):
        try:
            pixels[index] = preprocess(path, spec).resized
        except InvalidImageError as exc:
            raise InvalidImageError(f"Cannot read training image {path}: {exc} Remove or replace the file.") from exc
        except HierAttnError:
            raise
        except OSError as exc:
            raise InvalidImageError(f"Cannot read image {path} ({exc}); remove or replace the file.") from exc
        if progress is not None:
            progress()
    return pixels


def split_indices(labels: tuple[int, ...], val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/validation split: the same fraction of every class goes to validation."""
    if not 0 < val_fraction < 1:
        raise UsageError(f"--val-fraction must be between 0 and 1, got {val_fraction}.")
    rng = np.random.Generator(np.random.PCG64(seed))
    labels_array = np.asarray(labels)
    train, val = [], []
    for label in np.unique(labels_array):
        members = rng.permutation(np.flatnonzero(labels_array == label))
        count = max(1, round(len(members) * val_fraction))
        if count >= len(members):
            raise DatasetLayoutError(f"Class index {label} has too few images ({len(members)}) to split off validation.")
        val.append(members[:count])
        train.append(members[count:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))
