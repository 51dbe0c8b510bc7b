"""Synthetic skin-lesion photographs for training, calibration and tests (numpy + Pillow, no torch).

The images imitate the look of the eight ISIC2019 classes in two styles (dermoscopy and smartphone)
so that the toolchain can be trained and quantized on a model whose predictions mean something.
They have no clinical meaning. See docs/synthetic_data.md.
"""

from __future__ import annotations

from .generate import DATASET_IMAGE_SIZE, STYLES, generate_image, image_seed, write_dataset

__all__ = ["DATASET_IMAGE_SIZE", "STYLES", "generate_image", "image_seed", "write_dataset"]
