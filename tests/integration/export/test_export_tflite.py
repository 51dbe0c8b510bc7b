"""Real TFLite exports of HierAttn-xs with the authors' reference weights, run under LiteRT.

One session fixture converts every precision into one shared workdir, so each graph goes through
the ONNX exporter and onnx2tf once and only the quantized variants are re-derived. fp32 is
converted from the deploy form, as ``hierattn-export`` does, fp16 and int8 from the deploy form with
LayerNorm kept, and int8-dynamic from the plain graph.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from hierattn.export.base import ConversionRequest, ConversionResult, ExportFormat, Precision
from hierattn.export.optimize import export_graph
from hierattn.export.tflite.converter import TFLiteConverter
from hierattn.export.tflite.metadata import METADATA_NAME
from hierattn.export.tflite.ops import non_builtin_ops, op_counts
from hierattn.export.tflite.xnnpack import xnnpack_coverage
from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata
from hierattn.runtime.artifact.tflite_model_metadata import read_model_metadata
from hierattn.runtime.spec import ModelSpec

pytestmark = pytest.mark.slow

CALIBRATION_IMAGES = 32
TESTED_PAIRS = [("tflite", "fp32"), ("tflite", "fp16"), ("tflite", "int8-dynamic"), ("tflite", "int8")]
PRECISIONS = [Precision(p) for _, p in TESTED_PAIRS]


def _calibration(size: int) -> np.ndarray:
    """Deterministic synthetic lesion photographs, NCHW float32 in [0, 1]."""
    from hierattn.runtime.spec import ISIC2019_CLASSES
    from hierattn.synthetic.generate import generate_image

    images = [
        np.asarray(generate_image(ISIC2019_CLASSES[i % 8], ("dermoscopy", "smartphone")[i // 8 % 2], 7000 + i, size))
        for i in range(CALIBRATION_IMAGES)
    ]
    return (np.stack(images).astype(np.float32) / 255.0).transpose(0, 3, 1, 2).copy()


@pytest.fixture(scope="session")
def tflite_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Relative on purpose: onnx2tf and the quantizer run in child processes with their own cwd.
    return Path(os.path.relpath(tmp_path_factory.mktemp("tflite_work")))


def _reference_model(reference_xs: dict):
    from hierattn.models.hierattn import HIERATTN_CONFIGS, HierAttn

    model = HierAttn(HIERATTN_CONFIGS["hierattn_xs"], num_classes=8).eval()
    model.load_state_dict(reference_xs["state_dict"])
    return model


@pytest.fixture(scope="session")
def tflite_exports(
    tmp_path_factory: pytest.TempPathFactory, reference_xs: dict, tflite_workdir: Path
) -> dict[Precision, ConversionResult]:
    model = _reference_model(reference_xs)
    workdir = tflite_workdir
    out = tmp_path_factory.mktemp("tflite_out")
    calibration = _calibration(256)
    converter = TFLiteConverter()
    results = {}
    for precision in PRECISIONS:
        graph = export_graph(model, ExportFormat.TFLITE, precision)
        request = ConversionRequest(
            model=graph.model, spec=ModelSpec(), precision=precision, workdir=workdir, calibration=calibration
        )
        result = converter.convert(request, out / f"hierattn_xs_{precision.value}.tflite")
        converter.embed_metadata(result.path, result.spec)
        results[precision] = result
    return results


@pytest.fixture(scope="session")
def plain_fp32(tflite_exports: dict[Precision, ConversionResult], reference_xs: dict, tflite_workdir: Path) -> Path:
    """fp32 of the plain graph, the one int8-dynamic is quantized from (its onnx2tf output is already in the workdir)."""
    destination = tflite_exports[Precision.INT8].path.with_name("hierattn_xs_fp32_plain.tflite")
    request = ConversionRequest(
        model=_reference_model(reference_xs), spec=ModelSpec(), precision=Precision.FP32, workdir=tflite_workdir
    )
    return TFLiteConverter().convert(request, destination).path


def _run(path: Path, images_nchw: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=2)
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    logits = []
    for image in images_nchw:
        interpreter.set_tensor(inp["index"], image.transpose(1, 2, 0)[None].astype(np.float32))
        interpreter.invoke()
        logits.append(interpreter.get_tensor(out["index"])[0].copy())
    return np.stack(logits)


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.value)
def test_only_builtin_ops_fully_on_xnnpack(tflite_exports: dict[Precision, ConversionResult], precision: Precision) -> None:
    result = tflite_exports[precision]
    counts = op_counts(result.path)
    assert not non_builtin_ops(counts)
    assert result.notes["ops"] == dict(sorted(counts.items()))
    coverage = xnnpack_coverage(result.path)
    assert coverage.complete, f"ops outside XNNPACK: {coverage}"


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.value)
def test_io_is_float32_nhwc_as_documented(tflite_exports: dict[Precision, ConversionResult], precision: Precision) -> None:
    from ai_edge_litert.interpreter import Interpreter

    result = tflite_exports[precision]
    interpreter = Interpreter(model_path=str(result.path))
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    assert inp["dtype"] == np.float32 and list(inp["shape"]) == [1, 256, 256, 3]
    assert out["dtype"] == np.float32 and list(out["shape"]) == [1, 8]
    assert result.spec.layout == "NHWC"
    assert result.spec.precision == precision.value
    if precision is not Precision.FP32:
        recipe = result.spec.extra["quantization"]
        assert recipe["input"].startswith("float32 NHWC") and recipe["output"].startswith("float32")


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.value)
def test_embedded_spec_round_trips(tflite_exports: dict[Precision, ConversionResult], precision: Precision) -> None:
    result = tflite_exports[precision]
    payload = read_tflite_metadata(result.path.read_bytes(), METADATA_NAME)
    assert payload is not None
    assert ModelSpec.from_json(payload.decode("utf-8")) == result.spec


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.value)
def test_standard_metadata_describes_the_export(tflite_exports: dict[Precision, ConversionResult], precision: Precision) -> None:
    """What MediaPipe and ML Model Binding read, parsed back: labels, normalization, and an output that is logits."""
    result = tflite_exports[precision]
    metadata = read_model_metadata(result.path.read_bytes())
    assert metadata is not None and f"({precision.value})" in metadata.name
    assert metadata.labels == result.spec.class_names
    (image,), (output,) = metadata.inputs, metadata.outputs
    assert image.color_space == "RGB" and image.mean == (0.0, 0.0, 0.0)
    assert image.std == pytest.approx((1.0 / result.spec.scale,) * 3)
    assert output.name == "logits" and output.labels_file == "labels.txt"
    outputs = _run(result.path, np.random.default_rng(3).random((2, 3, 256, 256), dtype=np.float32))
    is_distribution = (outputs >= 0).all() and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3)
    assert not is_distribution, "the graph ends in a softmax: the metadata must say probabilities"


def test_fp32_matches_reference_logits(tflite_exports: dict[Precision, ConversionResult], reference_xs: dict) -> None:
    logits = _run(tflite_exports[Precision.FP32].path, reference_xs["input"].numpy())
    assert np.abs(logits - reference_xs["logits"].numpy()).max() <= 1e-4


def test_profile_tool_census_of_the_tflite_file(tflite_exports: dict[Precision, ConversionResult]) -> None:
    from hierattn.benchmarks.profiling.profile import profile_artifact

    path = tflite_exports[Precision.FP32].path
    profile = profile_artifact(path)
    counts = op_counts(path)
    assert profile.census.ops == dict(counts)
    assert profile.census.total == sum(counts.values())
    assert profile.census.transposes == counts.get("TRANSPOSE", 0)
    assert profile.delegation["partitions"] == 1 and profile.delegation["complete"]
    assert not profile.op_times  # LiteRT has no per-op timer; the census is what it reports


def test_mac_census_of_the_tflite_files(tflite_exports: dict[Precision, ConversionResult]) -> None:
    """Same arithmetic in every precision; the int8 files run most of it in integer kernels."""
    from hierattn.benchmarks.profiling.integer_macs import tflite_macs

    macs = {p: tflite_macs(r.path) for p, r in tflite_exports.items()}
    fp32 = macs[Precision.FP32]
    assert fp32.integer_macs == 0 and 0.3e9 < fp32.float_macs < 0.6e9  # HierAttn-xs: about 0.41 GMACs
    for precision in (Precision.INT8, Precision.INT8_DYNAMIC):
        assert macs[precision].integer_macs + macs[precision].float_macs == fp32.float_macs
        assert macs[precision].integer_share > 0.6
    assert macs[Precision.INT8].by_op["BATCH_MATMUL"]["integer"] == 0  # the attention products stay float


def test_deploy_form_has_fewer_ops_than_the_plain_graph(
    tflite_exports: dict[Precision, ConversionResult], plain_fp32: Path
) -> None:
    deploy = op_counts(tflite_exports[Precision.FP32].path)
    plain = op_counts(plain_fp32)
    assert sum(deploy.values()) < sum(plain.values())
    assert deploy.get("SQUARED_DIFFERENCE", 0) == 0  # every LayerNorm became an RMSNorm
    # fp16 keeps LayerNorm: with RMSNorm XNNPACK left the transformer in float32 on fp16 cores
    assert op_counts(tflite_exports[Precision.FP16].path).get("SQUARED_DIFFERENCE", 0) > 0


def test_int8_is_quantized_from_the_deploy_form_with_layernorm(
    tflite_exports: dict[Precision, ConversionResult], plain_fp32: Path, reference_xs: dict
) -> None:
    """The folded attention scale and LayerNorm affines leave int8 fewer ops than the plain graph,
    and LayerNorm (which the recipe keeps float by name) is still there."""
    from hierattn.models.deploy import ALWAYS_APPLIED

    graph = export_graph(_reference_model(reference_xs), ExportFormat.TFLITE, Precision.INT8)
    assert graph.rewrites == ALWAYS_APPLIED
    int8, plain = op_counts(tflite_exports[Precision.INT8].path), op_counts(plain_fp32)
    assert int8.get("MUL", 0) < plain.get("MUL", 0)
    compute = sum(n for op, n in int8.items() if op not in ("QUANTIZE", "DEQUANTIZE"))
    assert compute < sum(plain.values())
    assert int8.get("SQUARED_DIFFERENCE", 0) == plain.get("SQUARED_DIFFERENCE", 0) > 0


def test_fp16_within_two_percent_of_range_same_top1(
    tflite_exports: dict[Precision, ConversionResult], reference_xs: dict
) -> None:
    reference = reference_xs["logits"].numpy()
    logits = _run(tflite_exports[Precision.FP16].path, reference_xs["input"].numpy())
    assert np.abs(logits - reference).max() <= 0.02 * (reference.max() - reference.min())
    np.testing.assert_array_equal(logits.argmax(1), reference.argmax(1))


@pytest.mark.parametrize("precision", [Precision.INT8_DYNAMIC, Precision.INT8], ids=lambda p: p.value)
def test_int8_files_at_most_30_percent_of_fp32(
    tflite_exports: dict[Precision, ConversionResult], plain_fp32: Path, precision: Precision
) -> None:
    """Against the fp32 file of the graph they are quantized from: int8-dynamic's is the plain graph;
    int8's deploy form keeps LayerNorm and is measured against the fp32 file users get, which is smaller."""
    fp32 = (plain_fp32 if precision is Precision.INT8_DYNAMIC else tflite_exports[Precision.FP32].path).stat().st_size
    assert tflite_exports[precision].path.stat().st_size <= 0.30 * fp32


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.value)
def test_fp16_and_int8_ask_for_fp16_inference(
    tflite_exports: dict[Precision, ConversionResult], precision: Precision
) -> None:
    """The fp16 file runs in fp16 arithmetic on cores that have it, and HierAttn's int8 recipe runs its
    float islands so; fp32 and int8-dynamic stay float32 everywhere."""
    from hierattn.export.tflite.quant import FP16_INFERENCE, REDUCED_PRECISION_KEY

    marked = read_tflite_metadata(tflite_exports[precision].path.read_bytes(), REDUCED_PRECISION_KEY)
    if precision is Precision.INT8:
        assert marked == FP16_INFERENCE.encode("ascii")
        assert "float16" in tflite_exports[precision].spec.extra["quantization"]["float_ops_precision"]
    elif precision is Precision.FP16:
        # Not the converter's own fp16accfp32, which XNNPACK does not take as a request for fp16
        # inference (it needs fp16 accumulation too; docs/arm.md).
        assert marked == FP16_INFERENCE.encode("ascii")
        recipe = tflite_exports[precision].spec.extra["quantization"]
        assert FP16_INFERENCE in recipe["arithmetic"] and recipe["float32_ops"] == []
    else:
        assert marked is None


def test_host_kernel_profile_of_the_int8_file(tflite_exports: dict[Precision, ConversionResult]) -> None:
    """perf samples name XNNPACK's x86 microkernels: the int8 file runs integer and float kernels."""
    from hierattn.benchmarks.profiling.host_kernels import host_kernel_profile

    profile = host_kernel_profile(tflite_exports[Precision.INT8].path, inferences=20)
    kinds = profile.by_kind()
    assert profile.samples > 50 and profile.ms_per_inference > 0
    assert kinds["int8"] > 0 and kinds["float"] > 0  # integer convolutions, float attention products
    assert any(op.startswith("qs8 ") for op in profile.by_operation())
    assert sum(kinds.values()) == pytest.approx(profile.ms_per_inference)
