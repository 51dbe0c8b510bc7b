"""Every (format, precision) pair is produced by the CLI, validated, and readable by the runtime.

The CLI runs once per format for the whole session (the expensive part) and every test inspects
its JSON report and artifacts. ``TESTED_PAIRS`` is a literal list on purpose: the coverage test
compares it with what the converters declare, so a new supported pair without a test fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.export.base import ExportFormat
from hierattn.runtime.spec import ModelSpec, sidecar_path

pytestmark = pytest.mark.slow

TESTED_PAIRS: list[tuple[str, str]] = [
    ("onnx", "fp32"),
    ("onnx", "fp16"),
    ("onnx", "int8-dynamic"),
    ("onnx", "int8"),
    ("coreml", "fp32"),
    ("coreml", "fp16"),
    ("coreml", "int8"),
]
FORMATS_TESTED_HERE = ("onnx", "coreml")


def run_export(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hierattn.export.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def export_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A checkpoint (the bundled demo model when installed) and small synthetic image folders."""
    from hierattn.synthetic import write_dataset

    root = tmp_path_factory.mktemp("export_inputs")
    calibration = root / "calibration"
    validation = root / "validation"
    for folder, seed in ((calibration, 11), (validation, 22)):
        for path in write_dataset(root / f"tree_{folder.name}", per_class=2, seed=seed, size=256):
            folder.mkdir(exist_ok=True)
            path.rename(folder / f"{path.parent.name}_{path.name}")
    return {"checkpoint": default_or_seeded_checkpoint(root), "calibration": calibration, "validation": validation}


def default_or_seeded_checkpoint(root: Path) -> Path:
    from hierattn.models import create_model, default_checkpoint_path, save_checkpoint

    try:
        bundled = Path(default_checkpoint_path())
        if bundled.is_file():
            return bundled
    except Exception:  # no bundled model in this checkout yet
        pass
    import torch

    torch.manual_seed(0)
    model = create_model("hierattn_xs", num_classes=8).eval()
    return save_checkpoint(root / "seeded_xs.pt", model, "hierattn_xs", ModelSpec().class_names)


@pytest.fixture(scope="session")
def export_reports(export_inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    """Run the CLI once per format with every precision it supports; index the JSON by pair."""
    out = tmp_path_factory.mktemp("artifacts")
    reports = {}
    for fmt in FORMATS_TESTED_HERE:
        precisions = sorted({p for f, p in TESTED_PAIRS if f == fmt})
        args = ["--checkpoint", str(export_inputs["checkpoint"]), "--format", fmt, "--output", str(out), "--json"]
        args += ["--calibration-dir", str(export_inputs["calibration"]), "--validation-dir", str(export_inputs["validation"])]
        for precision in precisions:
            args += ["--precision", precision]
        result = run_export(*args)
        assert result.stdout.strip(), f"no JSON on stdout; stderr:\n{result.stderr[-3000:]}"
        document = json.loads(result.stdout)  # exactly one JSON document
        for artifact in document["artifacts"]:
            artifact["_stderr"] = result.stderr
            artifact["_exit"] = result.returncode
            reports[(artifact["format"], artifact["precision"])] = artifact
    return reports


def test_every_supported_pair_has_a_test() -> None:
    from hierattn.export.registry import get_converter

    for fmt in FORMATS_TESTED_HERE:
        declared = {(fmt, p.value) for p in get_converter(ExportFormat(fmt)).supported_precisions}
        tested = {pair for pair in TESTED_PAIRS if pair[0] == fmt}
        assert declared == tested, f"{fmt}: supported but untested {declared - tested}, tested but unsupported {tested - declared}"


@pytest.mark.parametrize("fmt", ["tflite", "executorch"])
def test_other_formats_pairs_are_tested_elsewhere(fmt: str) -> None:
    """TFLite and ExecuTorch tests live in their own modules; they must declare a TESTED_PAIRS covering the converter."""
    import importlib.util

    from hierattn.export.registry import get_converter

    declared = {(fmt, p.value) for p in get_converter(ExportFormat(fmt)).supported_precisions}
    tested: set[tuple[str, str]] = set()
    for module_path in Path(__file__).resolve().parent.glob(f"test_export_{fmt}*.py"):
        spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tested |= set(getattr(module, "TESTED_PAIRS", []))
    assert declared <= tested, f"{fmt} pairs without a test: {sorted(declared - tested)}"


@pytest.mark.parametrize("pair", TESTED_PAIRS, ids=["-".join(p) for p in TESTED_PAIRS])
def test_pair_is_exported_and_validated(pair: tuple[str, str], export_reports: dict) -> None:
    report = export_reports.get(pair)
    assert report is not None, f"{pair} missing from the report"
    assert report["status"] == "ok", f"{pair}: {report['status']} {report['error']}\n{report['_stderr'][-3000:]}"
    path = Path(report["path"])
    assert path.exists() and sidecar_path(path).is_file()
    assert report["size_mb"] > 0
    validation = report["validation"]
    assert validation["passed"] and validation["checks"]
    spec = ModelSpec.from_json(sidecar_path(path).read_text())
    assert spec.precision == pair[1]
    assert spec.extra["checkpoint_sha256"] and spec.extra["exporters"]["torch"]
    if pair[1] != "fp32":
        assert spec.extra["quantization"], "recipe missing from the metadata"
    if pair[0] == "onnx":
        assert validation["images"] == 16
        for key in ("max_abs_diff", "top1_agreement", "kl_divergence", "referral_flip_rate"):
            assert validation[key] is not None


@pytest.mark.parametrize("precision", [p for f, p in TESTED_PAIRS if f == "onnx"])
def test_onnx_metadata_round_trips_through_the_runtime(precision: str, export_reports: dict, tmp_path: Path) -> None:
    import shutil

    from hierattn.runtime import Classifier

    alone = tmp_path / "copied.onnx"  # without its sidecar: the embedded metadata alone must be enough
    shutil.copy(export_reports[("onnx", precision)]["path"], alone)
    classifier = Classifier.load(alone)
    assert classifier.spec.precision == precision
    assert classifier.spec.class_names == ModelSpec().class_names
    assert classifier.spec.input_size == (256, 256)


def test_onnx_io_names_and_fixed_batch(export_reports: dict) -> None:
    import onnx

    model = onnx.load(export_reports[("onnx", "fp32")]["path"])
    assert [i.name for i in model.graph.input] == ["image"]
    assert [o.name for o in model.graph.output] == ["logits"]
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, 256, 256]
    fp16 = onnx.load(export_reports[("onnx", "fp16")]["path"])
    assert fp16.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT


def test_int8_static_keeps_the_recipe_and_quantizes(export_reports: dict) -> None:
    import onnx

    path = export_reports[("onnx", "int8")]["path"]
    ops = {n.op_type for n in onnx.load(path).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    spec = ModelSpec.from_json(sidecar_path(Path(path)).read_text())
    recipe = spec.extra["quantization"]
    assert recipe["mode"] == "static" and recipe["per_channel"] is True
    assert recipe["calibration_images"] == 16
    if spec.arch.startswith("hierattn"):  # HierAttn's own recipe, from its deploy form
        assert spec.extra["graph"] == "deploy"
        assert recipe["activation_type"] == "uint8" and recipe["ranges"] == "averaged"
        assert recipe["float_stem_stride"] == 4 and recipe["float_nodes"] > 1


def test_int8_static_runs_integer_kernels_in_onnx_runtime(export_reports: dict, tmp_path: Path) -> None:
    """The QDQ pairs are fused into integer kernels (not executed as dequantize-compute-quantize)."""
    import collections

    import onnx
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "as_run.onnx")
    ort.InferenceSession(export_reports[("onnx", "int8")]["path"], options, providers=["CPUExecutionProvider"])
    ops = collections.Counter(n.op_type for n in onnx.load(options.optimized_model_filepath).graph.node)
    assert ops["QLinearConv"] >= 20 and ops["QGemm"] >= 20, ops


def test_int8_static_mac_census(export_reports: dict) -> None:
    from hierattn.benchmarks.profiling.integer_macs import onnx_macs

    fp32 = onnx_macs(Path(export_reports[("onnx", "fp32")]["path"]))
    int8 = onnx_macs(Path(export_reports[("onnx", "int8")]["path"]))
    assert int8.integer_macs + int8.float_macs == fp32.float_macs and fp32.integer_macs == 0  # same arithmetic, from the same graph
    assert int8.integer_share > 0.6 and int8.by_op["MatMul"]["integer"] == 0  # attention products stay float


def test_coreml_validation_lists_structural_checks(export_reports: dict) -> None:
    names = {c["name"] for c in export_reports[("coreml", "int8")]["validation"]["checks"]}
    assert {"input", "outputs", "metadata", "labels", "ops", "weights"} <= names


def test_dynamic_batch_axis(export_inputs: dict[str, Path], tmp_path: Path) -> None:
    import onnx

    args = ["--checkpoint", str(export_inputs["checkpoint"]), "--format", "onnx", "--dynamic-batch"]
    args += ["--validation-dir", str(export_inputs["validation"]), "--output", str(tmp_path), "--json"]
    result = run_export(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    artifact = json.loads(result.stdout)["artifacts"][0]
    dim = onnx.load(artifact["path"]).graph.input[0].type.tensor_type.shape.dim[0]
    assert dim.dim_param and not dim.dim_value
    # A batch of three gives each image's own logits: the attention groups never mix images.
    import numpy as np
    import onnxruntime as ort

    from hierattn.export.data import synthetic_batch

    session = ort.InferenceSession(artifact["path"], providers=["CPUExecutionProvider"])
    x = synthetic_batch(ModelSpec(), 3, seed=5)
    batched = session.run(None, {"image": x})[0]
    single = np.concatenate([session.run(None, {"image": x[i : i + 1]})[0] for i in range(3)])
    assert np.abs(batched - single).max() <= 1e-4


def test_onnx_runtime_graph_optimizations_do_not_change_the_result(export_reports: dict) -> None:
    """The runtime uses ORT's default ORT_ENABLE_ALL; the fused graph must match the unoptimized one."""
    import numpy as np
    import onnxruntime as ort

    from hierattn.export.data import synthetic_batch

    path = export_reports[("onnx", "fp32")]["path"]
    x = synthetic_batch(ModelSpec(), 2, seed=3)
    outputs = {}
    for level in (ort.GraphOptimizationLevel.ORT_DISABLE_ALL, ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        outputs[level] = np.concatenate([session.run(None, {"image": x[i : i + 1]})[0] for i in range(len(x))])
    disabled, enabled = outputs.values()
    assert np.abs(disabled - enabled).max() <= 1e-4
