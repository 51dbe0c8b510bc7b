"""Conformance on ../shared/reference: exported ONNX reproduces the authors' logits.

fp32: max |logit diff| <= 1e-3. fp16: <= 2% of the reference logit range, identical top-1.
Uses the Python API (``export_models``) rather than the CLI.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hierattn.export import ExportFormat, ExportOptions, Precision, Status, export_models

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference_export(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    options = ExportOptions(
        formats=(ExportFormat.ONNX,),
        precisions=(Precision.FP32, Precision.FP16),
        output_dir=tmp_path_factory.mktemp("reference_export"),
        checkpoint=reference_dir / "hierattn_xs_8cls.pt",
    )
    return export_models(options)


def _artifact(report, precision: Precision):  # noqa: ANN001, ANN202
    return next(a for a in report.artifacts if a.precision is precision)


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    from hierattn.runtime import Classifier

    return Classifier.load(path).predict_tensor(x)


def test_fp32_onnx_matches_reference_logits(reference_export, reference_xs: dict) -> None:  # noqa: ANN001
    artifact = _artifact(reference_export, Precision.FP32)
    assert artifact.status is Status.OK, artifact.error
    logits = _run(artifact.path, reference_xs["input"].numpy())
    assert np.abs(logits - reference_xs["logits"].numpy()).max() <= 1e-3


def test_fp16_onnx_within_two_percent_of_range_same_top1(reference_export, reference_xs: dict) -> None:  # noqa: ANN001
    artifact = _artifact(reference_export, Precision.FP16)
    assert artifact.status is Status.OK, artifact.error
    expected = reference_xs["logits"].numpy()
    logits = _run(artifact.path, reference_xs["input"].numpy())
    span = float(expected.max() - expected.min())
    assert np.abs(logits - expected).max() <= 0.02 * span
    assert (logits.argmax(1) == expected.argmax(1)).all()
