"""Seeded synthetic skin-lesion photographs in two styles, and image-folder datasets of them.

``dermoscopy`` images have the black circular vignette of a dermoscope (varying radius and centre,
as in ISIC2019) and even lighting; ``smartphone`` images have no vignette, stronger lighting
gradients, a colour cast, slight defocus and a smaller lesion (as in PAD-UFES-20). The pictures have
no clinical meaning: they exist so the toolchain can be trained, quantized and tested end to end.

Determinism: every random draw comes from ``numpy.random.Generator(PCG64(...))`` seeded from the
arguments, pixels are produced by integer Pillow drawing, Pillow's fixed-point filters and
element-wise numpy arithmetic, so one seed gives the same bytes run after run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from ..runtime.errors import UsageError
from ..runtime.spec import ISIC2019_CLASSES
from .lesion import draw_lesion
from .profiles import PROFILES
from .skin import dermoscope_vignette, draw_hairs, illumination, skin_background

STYLES: tuple[str, ...] = ("dermoscopy", "smartphone")
DATASET_IMAGE_SIZE = 320
"""Written datasets are larger than the 256x256 model input, so the circle crop and resize matter."""


def _check(class_name: str, style: str, size: int) -> None:
    if class_name not in PROFILES:
        raise UsageError(f"Unknown class {class_name!r}; choose one of {', '.join(ISIC2019_CLASSES)}.")
    if style not in STYLES:
        raise UsageError(f"Unknown style {style!r}; choose one of {', '.join(STYLES)}.")
    if size < 64:
        raise UsageError(f"Image size {size} is too small; use at least 64 pixels.")


def _rng(class_name: str, style: str, seed: int) -> np.random.Generator:
    # Class and style are part of the seed so that e.g. seed 0 of NV and of MEL are unrelated images.
    entropy = [int(seed) & 0xFFFFFFFF, ISIC2019_CLASSES.index(class_name), STYLES.index(style)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def generate_image(class_name: str, style: str, seed: int, size: int = 256) -> Image.Image:
    """Render one synthetic lesion photograph.

    Args:
        class_name: one of the ISIC2019 classes (ACK, BCC, BKL, DF, MEL, NV, SCC, VASC).
        style: "dermoscopy" (black circular vignette) or "smartphone" (no vignette).
        seed: any integer; the same (class, style, seed, size) always gives the same image.
        size: side of the square image in pixels.

    Returns:
        An RGB ``PIL.Image.Image`` of ``size`` x ``size``.
    """
    _check(class_name, style, size)
    rng = _rng(class_name, style, seed)
    profile = PROFILES[class_name]
    dermoscopy = style == "dermoscopy"
    skin = skin_background(rng, size, sun_damage=bool(rng.uniform() < profile.sun_damage))
    zoom = rng.uniform(0.95, 1.15) if dermoscopy else rng.uniform(0.6, 0.85)
    pixels = draw_lesion(rng, skin, profile, zoom)
    if dermoscopy:
        pixels = pixels * illumination(rng, size, rng.uniform(0.0, 0.08), rng.uniform(0.0, 0.12))
    else:
        pixels = pixels * illumination(rng, size, rng.uniform(0.08, 0.3), rng.uniform(0.0, 0.08))
        pixels = pixels * rng.uniform(0.92, 1.08, size=3).astype(np.float32)
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="RGB")
    hairs = int(rng.integers(0, 9 if dermoscopy else 5))
    image = draw_hairs(rng, image, hairs, max_width=max(1, size // 160 + (1 if dermoscopy else 0)))
    if not dermoscopy:
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.0, 1.2))))
    pixels = np.asarray(image, dtype=np.float32)
    if dermoscopy:
        field = dermoscope_vignette(rng, size)
        dark = rng.integers(0, 12, size=(size, size, 1)).astype(np.float32)
        pixels = pixels * field + dark * (1 - field)
    noise = rng.integers(-3, 4, size=pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(pixels + noise), 0, 255).astype(np.uint8), mode="RGB")


def image_seed(seed: int, index: int) -> int:
    """Seed of the ``index``-th image of a dataset generated with ``seed`` (stable, 32-bit)."""
    return int(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(index)]).generate_state(1)[0])


def write_dataset(
    root: str | Path,
    per_class: int,
    seed: int,
    styles: Iterable[str] = STYLES,
    size: int = DATASET_IMAGE_SIZE,
    classes: Iterable[str] = ISIC2019_CLASSES,
    image_format: str = "png",
) -> list[Path]:
    """Write ``root/<CLASS>/<style>_<index>.<ext>``: ``per_class`` images per class, styles alternating.

    Args:
        root: output folder (created); existing files with the same names are overwritten.
        per_class: images per class, split evenly over ``styles`` (index i uses style i mod len).
        seed: dataset seed; use different seeds for training and held-out sets.
        styles: image styles to include.
        size: image side in pixels.
        classes: class folders to write (default: all eight ISIC2019 classes).
        image_format: "png" (lossless) or "jpg" (quality 92, for small committed samples).

    Returns:
        The written paths, class by class.
    """
    styles = tuple(styles)
    if per_class < 1:
        raise UsageError(f"--per-class must be at least 1, got {per_class}.")
    if not styles:
        raise UsageError("At least one style is needed (dermoscopy, smartphone).")
    if image_format not in ("png", "jpg"):
        raise UsageError(f"Unknown image format {image_format!r}; choose png or jpg.")
    root = Path(root)
    written: list[Path] = []
    for class_name in classes:
        folder = root / class_name
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            style = styles[index % len(styles)]
            image = generate_image(class_name, style, image_seed(seed, index), size)
            path = folder / f"{style}_{index:05d}.{image_format}"
            if image_format == "png":
                image.save(path, format="PNG", compress_level=6)
            else:
                image.save(path, format="JPEG", quality=92, subsampling=0)
            written.append(path)
    return written
