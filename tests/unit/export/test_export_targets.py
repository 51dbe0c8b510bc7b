"""The --target choice: the cheapest candidate that passes its gate, never one that fails it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from hierattn.export.base import Precision
from hierattn.export.targets.select import Candidate, select
from hierattn.export.targets.table import MIN_INSTRUCTION_GAIN, TARGETS, Runner, get_target
from hierattn.export.validation import Tolerance, compare_logits
from hierattn.runtime.errors import UsageError
from hierattn.runtime.spec import ModelSpec

SPEC = ModelSpec()
RNG = np.random.default_rng(0)
REFERENCE = RNG.normal(size=(50, len(SPEC.class_names))).astype(np.float32) * 3
STRICT = Tolerance(atol=1e-3, min_top1=1.0, max_flip_rate=0.0)
INT8_GATE = Tolerance(min_top1=0.98, max_flip_rate=0.01, min_allowed=1)


def _judged(precision: str, cost: float | None, noise: float, tolerance: Tolerance) -> Candidate:
    candidate = REFERENCE + np.random.default_rng(1).normal(scale=noise, size=REFERENCE.shape).astype(np.float32)
    validation = compare_logits(REFERENCE, candidate, SPEC, tolerance)
    return Candidate(precision, Path(f"m_{precision}.tflite"), cost, validation)


def test_cheapest_passing_candidate_is_selected() -> None:
    fp32 = _judged("fp32", 224.0, 0.0, STRICT)
    int8 = _judged("int8", 100.0, 1e-4, INT8_GATE)
    fp16 = _judged("fp16", 124.0, 1e-4, STRICT)
    assert select([fp32, fp16, int8]) is int8


def test_a_cheaper_candidate_failing_a_strict_gate_is_never_selected() -> None:
    fp32 = _judged("fp32", 224.0, 0.0, STRICT)
    cheap = _judged("int8", 10.0, 0.5, STRICT)  # logits moved by far more than atol
    assert cheap.failure is not None and "max |diff|" in cheap.failure
    assert select([cheap, fp32]) is fp32
    assert cheap.to_dict(selected=False, reference_cost=224.0)["passed"] is False


def test_a_timed_target_does_not_buy_a_narrower_file_with_noise() -> None:
    fp32 = _judged("fp32", 14.0, 0.0, STRICT)
    fp16 = _judged("fp16", 13.6, 1e-4, STRICT)  # same kernels on x86: 3% is noise
    int8 = _judged("int8", 9.5, 1e-4, INT8_GATE)
    assert select([fp32, fp16], tie=0.05) is fp32
    assert select([fp32, fp16, int8], tie=0.05) is int8
    assert select([fp32, fp16], tie=0.0) is fp16


def test_a_few_percent_of_instructions_do_not_buy_int8() -> None:
    """On an AVX2-only CPU the int8 file saves 1.2% of the fp32 file's instructions: fp32 ships."""
    x86 = get_target("x86-avx2")
    assert x86.tie == MIN_INSTRUCTION_GAIN > 0
    fp32 = _judged("fp32", 158.19, 0.0, STRICT)
    int8 = _judged("int8", 156.27, 1e-4, INT8_GATE)
    assert select([fp32, int8], x86.tie) is fp32
    # on the Cortex-A76 int8 saves more than half of fp32 and a fifth of fp16: it ships
    a76 = [_judged("fp32", 224.03, 0.0, STRICT), _judged("fp16", 123.73, 1e-4, STRICT), _judged("int8", 100.13, 1e-4, INT8_GATE)]
    assert select(a76, get_target("cortex-a76").tie) is a76[2]


def test_failed_exports_and_unmeasured_costs_are_not_selectable() -> None:
    broken = Candidate("int8", None, error="export failed: converter crashed")
    unmeasured = _judged("fp16", None, 0.0, STRICT)
    unvalidated = Candidate("int8-dynamic", Path("m.tflite"), 1.0)
    assert broken.failure == "export failed: converter crashed"
    assert unmeasured.failure == "cost not measured"
    assert unvalidated.failure == "not validated on the target's kernels"
    assert select([broken, unmeasured, unvalidated]) is None


def test_report_entry_gives_the_cost_ratio_and_the_choice() -> None:
    fp16 = _judged("fp16", 112.0, 0.0, STRICT)
    entry = fp16.to_dict(selected=True, reference_cost=224.0)
    assert entry["selected"] is True and entry["cost_vs_fp32"] == pytest.approx(0.5)
    assert entry["validation"]["top1_agreement"] == 1.0


def test_targets_are_data_with_known_cores() -> None:
    from hierattn.benchmarks.emulated.sysroot import CORES

    assert {"cortex-a76", "cortex-a55", "cortex-a53", "x86-avx2", "host"} <= set(TARGETS)
    for target in TARGETS.values():
        assert Precision.FP32 in target.candidates  # the reference every cost is divided by
        if target.runner is Runner.ARM_EMULATED:
            assert target.cpu in CORES and target.unit == "M insns"
        elif target.runner is Runner.HOST:
            assert target.cpu is None and target.unit == "ms" and not target.emulated


def test_unknown_target_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="cortex-a76, cortex-a55"):
        get_target("cortex-x1")


def test_the_measurement_cache_keys_a_tflite_file_by_what_it_computes(tmp_path: Path) -> None:
    from hierattn.export.targets.measure import model_digest
    from hierattn.export.tflite.canonical import canonical_digest

    tiny = Path(__file__).resolve().parents[2] / "golden" / "integrity" / "tiny_sealed.tflite"
    assert model_digest(tiny) == canonical_digest(tiny)
    other = tmp_path / "model.onnx"
    other.write_bytes(b"not a tflite file")
    assert model_digest(other) == hashlib.sha256(b"not a tflite file").hexdigest()
