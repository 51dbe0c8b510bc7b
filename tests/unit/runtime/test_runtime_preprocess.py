"""Preprocessing glue: sizes and crop settings come from the spec, the tensor is exactly uint8 * scale."""

from __future__ import annotations

import numpy as np
from PIL import Image

from hierattn.runtime import ModelSpec, circle_crop_box, preprocess
from hierattn.runtime.prediction import Referral, make_prediction, softmax
from hierattn.runtime.spec import CircleCropParams


def _vignette(h: int = 300, w: int = 400) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.zeros((h, w, 3), np.uint8)
    inside = (xx - w / 2) ** 2 + (yy - h / 2) ** 2 < (0.4 * h) ** 2
    rgb[inside] = np.array([200, 120, 100], np.uint8) + (xx[inside] % 40)[:, None].astype(np.uint8)
    return rgb


def test_tensor_is_uint8_times_scale_in_nchw() -> None:
    spec = ModelSpec()
    out = preprocess(_vignette(), spec)
    assert out.tensor.shape == (3, 256, 256) and out.tensor.dtype == np.float32
    np.testing.assert_array_equal(out.tensor, out.resized.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    assert out.crop_box == circle_crop_box(_vignette())


def test_input_size_and_crop_come_from_the_spec() -> None:
    rgb = _vignette()
    spec = ModelSpec(input_size=(96, 128), crop=CircleCropParams(enabled=False))
    out = preprocess(rgb, spec)
    assert out.crop_box is None and out.resized.shape == (96, 128, 3)
    expected = np.asarray(Image.fromarray(rgb).resize((128, 96), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(out.resized, expected)
    cropped = preprocess(rgb, ModelSpec(input_size=(96, 128)))
    assert cropped.crop_box is not None
    assert preprocess(rgb, ModelSpec(input_size=(96, 128)), crop=False).crop_box is None


def test_softmax_is_stable_and_prediction_ranks() -> None:
    probs = softmax(np.array([1000.0, 0.0, -1000.0]))
    assert np.isfinite(probs).all() and abs(probs.sum() - 1) < 1e-12
    spec = ModelSpec()
    logits = np.zeros(8, np.float32)
    logits[spec.class_names.index("NV")] = 5
    result = make_prediction(logits, spec, top_k=3, crop_box=None, timings_ms={})
    assert result.label == "NV" and len(result.top_k) == 3 and result.top_k[0][0] == "NV"
    assert list(result.probabilities) == list(spec.class_names)
    assert not result.referral.triggered and "Research model" in result.disclaimer


def test_referral_rule_uses_threshold_and_classes_from_spec() -> None:
    spec = ModelSpec()
    probs = dict.fromkeys(spec.class_names, 0.0)
    assert not Referral.from_probabilities({**probs, "MEL": 0.5}, spec).triggered  # strictly above
    hit = Referral.from_probabilities({**probs, "MEL": 0.51}, spec)
    assert hit.triggered and hit.classes == ["MEL"] and hit.message.startswith("see a clinician")
    assert not Referral.from_probabilities({**probs, "NV": 0.99}, spec).triggered
    assert Referral.from_probabilities({**probs, "NV": 0.6}, spec.with_updates(referral_classes=("NV",))).triggered
