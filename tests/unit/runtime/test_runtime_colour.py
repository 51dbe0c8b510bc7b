"""The missing-colour warning: grayscale and nearly colourless images are flagged, colour photos are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from hierattn.runtime.colour import LOW_CHROMA, colour_warning, mean_chroma
from hierattn.runtime.defaults import sample_images_dir
from hierattn.runtime.spec import ModelSpec, referral_classes_for

DERMOSCOPY = Path(__file__).resolve().parents[3] / ".." / "shared" / "images" / "isic_0053830_dermoscopy.jpg"


def test_real_and_synthetic_colour_images_pass_and_faded_copies_are_flagged() -> None:
    photo = Image.open(DERMOSCOPY).convert("RGB")
    assert colour_warning(np.asarray(photo)) is None and mean_chroma(np.asarray(photo)) > 4 * LOW_CHROMA
    for sample in sorted(sample_images_dir("validation").rglob("*.jpg"))[:8]:
        assert colour_warning(np.asarray(Image.open(sample).convert("RGB"))) is None, sample
    gray = np.asarray(photo.convert("L").convert("RGB"))
    assert "grayscale" in (colour_warning(gray) or "")
    faded = np.asarray(ImageEnhance.Color(photo).enhance(0.2))
    assert "almost no colour" in (colour_warning(faded) or "")


def test_the_referral_set_is_the_paper_classes_the_model_has() -> None:
    pad_codes = ("ACK", "BCC", "MEL", "NEV", "SCC", "SEK")
    assert referral_classes_for(pad_codes) == ("ACK", "BCC", "MEL", "SCC")
    assert ModelSpec(class_names=("ACK", "BCC", "BKL", "MEL", "NV", "SCC")).referral_classes == ("ACK", "BCC", "MEL", "SCC")
    assert "VASC" in ModelSpec().referral_classes  # the 8 ISIC2019 classes keep the paper's five
