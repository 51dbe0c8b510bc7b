"""The ONNX static int8 recipe's techniques, each on a small real graph run by ONNX Runtime.

The graph is a three-stage stride-2 CNN with SiLU and a linear classifier, built with onnx.helper
(no torch), so every test quantizes it for real in well under a second.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime.quantization")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from hierattn.export.int8_profiles import STATIC_RECIPE, QuantRecipe  # noqa: E402
from hierattn.export.onnx.float_nodes import classifier_node, float_stem_nodes  # noqa: E402
from hierattn.export.onnx.quant import apply_recipe  # noqa: E402
from hierattn.runtime.errors import ModelFileError  # noqa: E402

SIZE = 32


def small_cnn(path: Path) -> Path:
    """image [1,3,32,32] -> 3x (Conv stride 2, SiLU) -> GlobalAveragePool -> Gemm -> logits [1,4]."""
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "image"
    for i, (cin, cout) in enumerate(((3, 8), (8, 8), (8, 16))):
        inits += [numpy_helper.from_array(rng.normal(0, 0.3, (cout, cin, 3, 3)).astype(np.float32), f"w{i}"),
                  numpy_helper.from_array(rng.normal(0, 0.1, cout).astype(np.float32), f"b{i}")]  # fmt: skip
        nodes += [helper.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"c{i}"], name=f"conv{i}", strides=[2, 2], pads=[1, 1, 1, 1]),
                  helper.make_node("Sigmoid", [f"c{i}"], [f"s{i}"], name=f"sigmoid{i}"),
                  helper.make_node("Mul", [f"c{i}", f"s{i}"], [f"a{i}"], name=f"silu{i}")]  # fmt: skip
        x = f"a{i}"
    inits += [numpy_helper.from_array(rng.normal(0, 0.3, (4, 16)).astype(np.float32), "fc_w"),
              numpy_helper.from_array(np.zeros(4, np.float32), "fc_b")]  # fmt: skip
    nodes += [helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"),
              helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten"),
              helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="classifier", transB=1)]  # fmt: skip
    graph = helper.make_graph(
        nodes, "small_cnn", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 4])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.save(model, str(path))
    return path


def calibration(count: int = 8, outlier: float | None = None) -> np.ndarray:
    images = np.random.default_rng(1).uniform(0.0, 0.5, (count, 3, SIZE, SIZE)).astype(np.float32)
    if outlier is not None:
        images[0, 0, 0, 0] = outlier
    return images


def quantized(tmp_path: Path, recipe: QuantRecipe, images: np.ndarray | None = None) -> onnx.ModelProto:
    out = tmp_path / "int8.onnx"
    apply_recipe(small_cnn(tmp_path / "fp32.onnx"), out, recipe, calibration() if images is None else images)
    return onnx.load(str(out))


def weight_is_quantized(model: onnx.ModelProto, node_name: str) -> bool:
    """Whether the node reads its weight through a DequantizeLinear (QDQ int8) or as a float initializer."""
    node = next(n for n in model.graph.node if n.name == node_name)
    producers = {o: n for n in model.graph.node for o in n.output}
    weight = producers.get(node.input[1])
    return weight is not None and weight.op_type == "DequantizeLinear"


def input_quantize(model: onnx.ModelProto) -> tuple[float, np.ndarray]:
    """Scale and zero point of the QuantizeLinear that reads the graph input."""
    node = next(n for n in model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "image")
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    return float(inits[node.input[1]]), inits[node.input[2]]


def test_float_stem_is_every_node_up_to_the_first_quarter_resolution_conv(tmp_path: Path) -> None:
    model = onnx.load(str(small_cnn(tmp_path / "m.onnx")))
    assert float_stem_nodes(model, 4) == ["conv0", "sigmoid0", "silu0", "conv1"]
    assert float_stem_nodes(model, 2) == ["conv0"]
    assert float_stem_nodes(model, 0) == []
    assert classifier_node(model) == ["classifier"]
    with pytest.raises(ModelFileError, match="1/64"):
        float_stem_nodes(model, 64)


def test_recipe_keeps_the_stem_and_classifier_float_and_quantizes_the_rest(tmp_path: Path) -> None:
    recipe = replace(STATIC_RECIPE, op_types=("Conv", "Gemm"))
    model = quantized(tmp_path, recipe)
    assert [weight_is_quantized(model, n) for n in ("conv0", "conv1", "conv2", "classifier")] == [False, False, True, False]
    plain = quantized(tmp_path, replace(recipe, float_stem_stride=0, float_classifier=False))
    assert [weight_is_quantized(plain, n) for n in ("conv0", "conv1", "conv2", "classifier")] == [True, True, True, True]


def test_averaged_ranges_ignore_one_extreme_image(tmp_path: Path) -> None:
    images = calibration(outlier=8.0)
    base = replace(STATIC_RECIPE, float_stem_stride=0, float_classifier=False)
    global_scale, _ = input_quantize(quantized(tmp_path, replace(base, ranges="global"), images))
    averaged_scale, zero_point = input_quantize(quantized(tmp_path, base, images))
    per_image_max = images.reshape(len(images), -1).max(axis=1)
    per_image_min = np.minimum(images.reshape(len(images), -1).min(axis=1), 0.0)  # ranges always hold 0
    assert global_scale == pytest.approx(8.0 / 255, rel=1e-5)
    assert averaged_scale == pytest.approx((per_image_max.mean() - per_image_min.mean()) / 255, rel=1e-5)
    assert averaged_scale < global_scale / 5
    assert zero_point.dtype == np.uint8


def test_uint8_activations_run_as_onnx_runtime_integer_kernels(tmp_path: Path) -> None:
    import onnxruntime as ort

    out = tmp_path / "int8.onnx"
    apply_recipe(small_cnn(tmp_path / "fp32.onnx"), out, replace(STATIC_RECIPE, float_stem_stride=2), calibration())
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "as_run.onnx")
    session = ort.InferenceSession(str(out), options, providers=["CPUExecutionProvider"])
    logits = session.run(None, {"image": calibration(1)})[0]
    ops = [n.op_type for n in onnx.load(options.optimized_model_filepath).graph.node]
    assert ops.count("QLinearConv") == 2 and "Gemm" in ops  # conv1, conv2 integer; the classifier float
    assert logits.shape == (1, 4) and np.isfinite(logits).all()


def test_unknown_range_estimator_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="range estimator"):
        quantized(tmp_path, replace(STATIC_RECIPE, ranges="median"))


def test_mac_census_splits_the_recipe_into_integer_and_float(tmp_path: Path) -> None:
    from hierattn.benchmarks.profiling.integer_macs import onnx_macs

    conv = [16 * 16 * 8 * 27, 8 * 8 * 8 * 72, 4 * 4 * 16 * 72]  # output elements x (Cin x kh x kw)
    fp32 = onnx_macs(small_cnn(tmp_path / "fp32.onnx"))
    assert (fp32.integer_macs, fp32.float_macs) == (0, sum(conv) + 4 * 16)
    out = tmp_path / "int8.onnx"
    apply_recipe(tmp_path / "fp32.onnx", out, STATIC_RECIPE, calibration())
    int8 = onnx_macs(out)
    assert int8.by_op == {"Conv": {"integer": conv[2], "float": conv[0] + conv[1]}, "Gemm": {"integer": 0, "float": 64}}
    assert int8.integer_share == pytest.approx(conv[2] / (sum(conv) + 64)) and not int8.uncounted


def test_a_request_can_override_the_family_recipe(tmp_path: Path) -> None:
    """``ConversionRequest.int8_profile`` (``scripts/int8_bound.py``) replaces the registered recipe,
    and the metadata names the profile that was applied."""
    from hierattn.export.base import ConversionRequest, Precision
    from hierattn.export.int8_profiles import HIERATTN_PROFILE
    from hierattn.export.onnx.quant import quantize
    from hierattn.runtime.spec import ModelSpec

    source = small_cnn(tmp_path / "fp32.onnx")
    no_stem = replace(HIERATTN_PROFILE, name="bound", onnx_static=replace(STATIC_RECIPE, float_stem_stride=0))
    spec = ModelSpec(arch="hierattn_xs")
    written = {}
    for name, override in (("family", None), ("override", no_stem)):
        request = ConversionRequest(model=None, spec=spec, precision=Precision.INT8, workdir=tmp_path,  # type: ignore[arg-type]
                                    calibration=calibration(), int8_profile=override)
        recipe = quantize(source, tmp_path / f"{name}.onnx", request)
        written[name] = (recipe["profile"], onnx.load(str(tmp_path / f"{name}.onnx")))
    assert written["family"][0] == "hierattn" and not weight_is_quantized(written["family"][1], "conv0")
    assert written["override"][0] == "bound" and weight_is_quantized(written["override"][1], "conv0")
