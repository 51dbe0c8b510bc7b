"""Conformance on ../shared/reference: exported ONNX and ExecuTorch reproduce the authors' logits.

fp32: max |logit diff| <= 1e-4, from the deploy form (the default) and from the plain graph
(``optimize=False``). fp16: <= 2% of the reference logit range, identical top-1. Uses the Python
API (``export_models``) rather than the CLI; the profile tool is checked on the exported files.
ExecuTorch is checked the way a user's own training run arrives: a bare 6-class state_dict in the
authors' key layout (as their ``train.py`` saves it), exported with ``checkpoint=``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hierattn.export import ExportFormat, ExportOptions, Precision, Status, export_models

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference_export(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    options = ExportOptions(
        formats=(ExportFormat.ONNX,),
        precisions=(Precision.FP32, Precision.FP16),
        output_dir=tmp_path_factory.mktemp("reference_export"),
        checkpoint=reference_dir / "hierattn_xs_8cls.pt",
    )
    return export_models(options)


@pytest.fixture(scope="module")
def plain_export(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    options = ExportOptions(
        formats=(ExportFormat.ONNX,),
        precisions=(Precision.FP32,),
        output_dir=tmp_path_factory.mktemp("plain_export"),
        checkpoint=reference_dir / "hierattn_xs_8cls.pt",
        optimize=False,
    )
    return export_models(options)


@pytest.fixture(scope="module")
def bare_six_class(reference_xs: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """The reference weights cut to 6 classes and saved bare; the expected logits are the first 6 columns
    (the classifier is one Linear, so dropping output rows drops exactly those logits)."""
    import torch

    state = dict(reference_xs["state_dict"])
    for key in ("Classifier.fc.weight", "Classifier.fc.bias"):
        state[key] = state[key][:6].clone()
    path = tmp_path_factory.mktemp("bare") / "checkpoint_best.pth"
    torch.save(state, path)
    return path, reference_xs["logits"].numpy()[:, :6]


@pytest.fixture(scope="module")
def executorch_export(bare_six_class: tuple[Path, np.ndarray], tmp_path_factory: pytest.TempPathFactory):
    options = ExportOptions(
        formats=(ExportFormat.EXECUTORCH,),
        precisions=(Precision.FP32,),
        output_dir=tmp_path_factory.mktemp("executorch_reference"),
        checkpoint=bare_six_class[0],
    )
    return export_models(options)


def _artifact(report, precision: Precision):
    return next(a for a in report.artifacts if a.precision is precision)


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    from hierattn.runtime import Classifier

    return Classifier.load(path).predict_tensor(x)


def test_fp32_onnx_matches_reference_logits(reference_export, reference_xs: dict) -> None:
    artifact = _artifact(reference_export, Precision.FP32)
    assert artifact.status is Status.OK, artifact.error
    logits = _run(artifact.path, reference_xs["input"].numpy())
    assert np.abs(logits - reference_xs["logits"].numpy()).max() <= 1e-4


def test_plain_fp32_onnx_matches_reference_logits(plain_export, reference_xs: dict) -> None:
    artifact = _artifact(plain_export, Precision.FP32)
    assert artifact.status is Status.OK, artifact.error
    logits = _run(artifact.path, reference_xs["input"].numpy())
    assert np.abs(logits - reference_xs["logits"].numpy()).max() <= 1e-4


def test_metadata_records_the_graph_rewrites(reference_export, plain_export) -> None:
    from hierattn.models.deploy import ALWAYS_APPLIED
    from hierattn.runtime import Classifier

    for precision in (Precision.FP32, Precision.FP16):
        extra = Classifier.load(_artifact(reference_export, precision).path).spec.extra
        assert extra["graph"] == "deploy"
        # ONNX keeps LayerNorm (ORT fuses it) and NHWC token rows (ORT's transposes of the unfold are slow)
        assert extra["graph_rewrites"] == [*ALWAYS_APPLIED, "channels_last_tokens"]
    extra = Classifier.load(_artifact(plain_export, Precision.FP32).path).spec.extra
    assert extra["graph"] == "plain" and extra["graph_rewrites"] == []


def test_profile_tool_on_the_exported_files(reference_export, plain_export) -> None:
    import onnx

    from hierattn.benchmarks.profiling.profile import profile_artifact

    profiles = {}
    for name, report in (("deploy", reference_export), ("plain", plain_export)):
        path = _artifact(report, Precision.FP32).path
        profile = profile_artifact(path, iters=3)
        nodes = onnx.load(str(path)).graph.node
        assert profile.census.total == len(nodes)
        assert profile.census.transposes == sum(n.op_type == "Transpose" for n in nodes)
        assert profile.runtime_census is not None and profile.runtime_census.total > 0
        assert profile.op_times and abs(sum(t.share for t in profile.op_times) - 1.0) < 0.01
        assert {t.op for t in profile.op_times} <= set(profile.runtime_census.ops)
        profiles[name] = profile
    assert profiles["deploy"].census.total < profiles["plain"].census.total
    assert profiles["deploy"].runtime_census.total < profiles["plain"].runtime_census.total
    # NHWC token rows: ONNX Runtime runs fewer than half the transposes of the plain graph
    assert 2 * profiles["deploy"].runtime_census.transposes < profiles["plain"].runtime_census.transposes


def test_fp16_onnx_within_two_percent_of_range_same_top1(reference_export, reference_xs: dict) -> None:
    artifact = _artifact(reference_export, Precision.FP16)
    assert artifact.status is Status.OK, artifact.error
    expected = reference_xs["logits"].numpy()
    logits = _run(artifact.path, reference_xs["input"].numpy())
    span = float(expected.max() - expected.min())
    assert np.abs(logits - expected).max() <= 0.02 * span
    assert (logits.argmax(1) == expected.argmax(1)).all()


def test_fp32_executorch_from_a_bare_state_dict_matches_reference_logits(
    executorch_export, bare_six_class: tuple[Path, np.ndarray], reference_xs: dict
) -> None:
    artifact = _artifact(executorch_export, Precision.FP32)
    assert artifact.status is Status.OK, artifact.error
    assert artifact.path.suffix == ".pte"
    logits = _run(artifact.path, reference_xs["input"].numpy())
    expected = bare_six_class[1]
    assert logits.shape == expected.shape == (3, 6)
    assert np.abs(logits - expected).max() <= 1e-4
    extra = executorch_export.artifacts[0].notes["delegation"]
    assert extra["portable_ops"] == {}
