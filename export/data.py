"""Images for calibration and validation, preprocessed exactly as the runtime will see them.

Calibration and validation go through ``hierattn.runtime`` preprocessing so an int8 model is
calibrated on the same pixels the app will feed. Without a user directory, validation uses the
images bundled in ``hierattn/assets`` or, when none are bundled, a few deterministic synthetic
lesion-like images (so validation always runs, offline, in the same way on every machine).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..runtime.errors import HierAttnError, UsageError
from ..runtime.spec import ModelSpec

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
SYNTHETIC_IMAGES = 12


def list_images(directory: Path) -> list[Path]:
    """Image files inside ``directory`` and its subfolders (e.g. one per class), sorted."""
    if not directory.is_dir():
        raise UsageError(f"Image directory {directory} does not exist; pass an existing folder of images.")
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def load_images(paths: list[Path], spec: ModelSpec) -> np.ndarray:
    """Preprocess image files into an NCHW float32 batch with the runtime's preprocessing."""
    from ..runtime.preprocess import preprocess

    return np.stack([preprocess(p, spec).tensor for p in paths]).astype(np.float32)


def bundled_image_dir(kind: str) -> Path | None:
    """The folder of images bundled with the package for ``kind`` ("validation" or "calibration")."""
    from ..runtime.defaults import sample_images_dir

    try:
        path = sample_images_dir(kind)
    except HierAttnError:
        return None
    if path.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in path.rglob("*")):
        return path
    return None


def synthetic_batch(spec: ModelSpec, count: int = SYNTHETIC_IMAGES, seed: int = 0) -> np.ndarray:
    """Deterministic lesion-like images: skin-toned background, a dark textured ellipse, a vignette."""
    rng = np.random.default_rng(seed)
    h, w = spec.input_size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / h - 0.5, xx / w - 0.5
    images = []
    for _ in range(count):
        skin = rng.uniform([0.55, 0.35, 0.3], [0.95, 0.75, 0.65]).astype(np.float32)
        lesion = skin * rng.uniform(0.2, 0.7, size=3).astype(np.float32)
        cy, cx = rng.uniform(-0.15, 0.15, size=2)
        ry, rx = rng.uniform(0.1, 0.35, size=2)
        angle = rng.uniform(0, np.pi)
        u = (xx - cx) * np.cos(angle) + (yy - cy) * np.sin(angle)
        v = -(xx - cx) * np.sin(angle) + (yy - cy) * np.cos(angle)
        inside = np.clip(1.5 - np.sqrt((u / rx) ** 2 + (v / ry) ** 2), 0, 1)[None]
        # 8x8 texture cells, cropped to sizes that are not multiples of 8 (Inception's 299 px)
        texture = rng.normal(0, 0.05, size=(3, -(-h // 8), -(-w // 8))).astype(np.float32)
        texture = np.repeat(np.repeat(texture, 8, axis=1), 8, axis=2)[:, :h, :w]
        img = skin[:, None, None] * (1 - inside) + lesion[:, None, None] * inside + texture
        vignette = (np.sqrt(xx**2 + yy**2) < rng.uniform(0.45, 0.8))[None]
        images.append(np.clip(img * vignette, 0, 1))
    return np.stack(images).astype(np.float32)


def validation_batch(spec: ModelSpec, directory: Path | None) -> tuple[np.ndarray, str]:
    """The validation batch and a short description of where it came from."""
    if directory is None:
        directory = bundled_image_dir("validation")
        if directory is None:
            return synthetic_batch(spec), f"{SYNTHETIC_IMAGES} synthetic images"
    paths = list_images(directory)
    if not paths:
        raise UsageError(f"No images ({', '.join(IMAGE_SUFFIXES)}) in {directory}; add some or drop --validation-dir.")
    return load_images(paths, spec), str(directory)


def calibration_batch(spec: ModelSpec, directory: Path | None) -> tuple[np.ndarray, str]:
    """The calibration batch for static int8; a user directory or the bundled calibration images."""
    if directory is None:
        directory = bundled_image_dir("calibration")
        if directory is None:
            raise UsageError(
                "int8 export needs calibration images and none are bundled; pass --calibration-dir DIR "
                "with a few hundred representative images."
            )
    paths = list_images(directory)
    if not paths:
        raise UsageError(
            f"No calibration images ({', '.join(IMAGE_SUFFIXES)}) in {directory}; int8 export needs "
            "representative images: add some or pass another --calibration-dir."
        )
    return load_images(paths, spec), str(directory)
