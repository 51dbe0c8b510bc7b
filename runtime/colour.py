"""Flag inputs whose colour is missing: the model was trained on colour photographs.

A grayscale photo (or one with almost no saturation) still gets a confident answer, but the colour
cues the classes differ by are gone. ``colour_warning`` measures the mean chroma (max - min of R, G, B
per pixel, on a strided sample) and returns a sentence for the result row, or None.

Threshold: mean chroma below 3 of 255. Measured on the real ISIC dermoscopy image in ../shared/images
(12.2) and the bundled synthetic samples (25.1 and up); a copy of the ISIC image at 20% saturation
measures 2.5 and is flagged, at 30% 3.8 and is not.
"""

from __future__ import annotations

import numpy as np

LOW_CHROMA = 3.0
"""Mean per-pixel chroma (0-255) below which an image counts as almost colourless."""

_SAMPLE_PIXELS = 256 * 256


def mean_chroma(rgb: np.ndarray) -> float:
    """Mean of max(R, G, B) - min(R, G, B) over a strided sample of an ``H x W x 3`` uint8 image."""
    height, width = rgb.shape[:2]
    step = max(1, int(np.sqrt(height * width / _SAMPLE_PIXELS)))
    sample = rgb[::step, ::step]
    return float((sample.max(axis=-1).astype(np.int16) - sample.min(axis=-1)).mean())


def colour_warning(rgb: np.ndarray) -> str | None:
    """A one-line warning for a grayscale or nearly colourless image, None for a colour image."""
    chroma = mean_chroma(rgb)
    if chroma == 0.0:
        return "the image is grayscale: the model was trained on colour images, so this answer lacks the colour cues it relies on"
    if chroma < LOW_CHROMA:
        return (f"the image has almost no colour (mean chroma {chroma:.1f} of 255): the model was trained on colour "
                "images, so this answer lacks the colour cues it relies on")
    return None
