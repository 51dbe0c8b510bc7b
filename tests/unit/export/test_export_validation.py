"""Validation metrics and tolerances of the export pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from hierattn.export.base import Precision
from hierattn.export.validation import DEFAULT_TOLERANCES, Tolerance, compare_logits, referral_decisions
from hierattn.runtime.spec import ModelSpec

SPEC = ModelSpec()


def _logits(n: int = 20, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 3, size=(n, SPEC.num_classes)).astype(np.float32)


def test_identical_logits_pass_fp32() -> None:
    ref = _logits()
    result = compare_logits(ref, ref.copy(), SPEC, DEFAULT_TOLERANCES[Precision.FP32])
    assert result.passed
    assert result.max_abs_diff == 0.0
    assert result.top1_agreement == 1.0
    assert result.referral_flip_rate == 0.0
    assert result.kl_divergence == pytest.approx(0.0, abs=1e-9)
    assert result.images == 20


def test_fp32_tolerance_miss_fails_with_a_readable_line() -> None:
    ref = _logits()
    cand = ref + 2e-3
    result = compare_logits(ref, cand, SPEC, DEFAULT_TOLERANCES[Precision.FP32])
    assert not result.passed
    line = next(c.line() for c in result.checks if c.name == "max_abs_diff")
    assert line.startswith("max |diff| 0.002 <= atol 0.001") and line.endswith("FAILED")


def test_fp16_tolerance_is_relative_to_the_logit_range() -> None:
    ref = _logits()
    span = float(ref.max() - ref.min())
    ok = compare_logits(ref, ref + 0.01 * span, SPEC, DEFAULT_TOLERANCES[Precision.FP16])
    bad = compare_logits(ref, ref + 0.03 * span, SPEC, DEFAULT_TOLERANCES[Precision.FP16])
    assert ok.passed and not bad.passed


def test_top1_disagreement_is_counted() -> None:
    ref = _logits(10)
    cand = ref.copy()
    top = ref[0].argmax()
    cand[0, top] = ref[0].min() - 1.0  # image 0 now predicts another class
    result = compare_logits(ref, cand, SPEC, DEFAULT_TOLERANCES[Precision.FP32])
    assert result.top1_agreement == pytest.approx(0.9)
    assert not result.passed


def test_int8_allows_one_disagreement_on_few_images_but_not_two() -> None:
    tol = DEFAULT_TOLERANCES[Precision.INT8]
    ref = _logits(10)
    cand = ref.copy()
    for i in (0, 1):
        cand[i, ref[i].argmax()] = ref[i].min() - 1.0
    one = cand.copy()
    one[1] = ref[1]
    assert next(c for c in compare_logits(ref, one, SPEC, tol).checks if c.name == "top1_agreement").passed
    assert not next(c for c in compare_logits(ref, cand, SPEC, tol).checks if c.name == "top1_agreement").passed


def test_allowed_count_scales_with_images() -> None:
    tol = Tolerance(min_top1=0.98, min_allowed=1)
    assert tol.allowed(0.02, 10) == 1
    assert tol.allowed(0.02, 200) == 4
    assert Tolerance().allowed(0.0, 500) == 0


def test_referral_uses_spec_classes_and_threshold() -> None:
    logits = np.full((2, SPEC.num_classes), -10.0)
    logits[0, SPEC.class_names.index("MEL")] = 10.0  # malignant, confident
    logits[1, SPEC.class_names.index("NV")] = 10.0  # benign, confident
    assert referral_decisions(logits, SPEC).tolist() == [True, False]
    flipped = logits[::-1].copy()
    result = compare_logits(logits, flipped, SPEC, DEFAULT_TOLERANCES[Precision.INT8])
    assert result.referral_flip_rate == 1.0


def test_shape_mismatch_is_a_failed_check() -> None:
    result = compare_logits(_logits(4), _logits(3), SPEC, DEFAULT_TOLERANCES[Precision.FP32])
    assert not result.passed


def test_float_top1_change_within_the_logit_tolerance_is_a_tie_not_a_failure():
    import numpy as np

    from hierattn.export.base import Precision
    from hierattn.export.validation import DEFAULT_TOLERANCES, compare_logits
    from hierattn.runtime.spec import ModelSpec

    reference = np.array([[1.0, 0.999, -1, -2, 0, 0, 0, 0], [2.0, 0.0, -1, -2, 0, 0, 0, 0]])
    near_tie = reference.copy()
    near_tie[0, 1] += 0.01  # 0.25% of the range: flips a 0.001 margin
    result = compare_logits(reference, near_tie, ModelSpec(), DEFAULT_TOLERANCES[Precision.FP16])
    assert result.passed and result.top1_agreement == 0.5
    assert "1 of them numerical ties" in result.checks[1].message
    real_change = reference.copy()
    real_change[1, 1] += 2.5  # a margin of 2 logits cannot be a tie
    result = compare_logits(reference, real_change, ModelSpec(), DEFAULT_TOLERANCES[Precision.FP16])
    assert not result.passed
    assert not next(c for c in result.checks if c.name == "top1_agreement").passed
    # int8 never excuses ties: its criterion is the top-1 agreement a user sees
    assert not DEFAULT_TOLERANCES[Precision.INT8].excuse_ties
