"""Fast checks of the TFLite exporter's pieces that need no conversion: op inventory, embedded spec,
onnx2tf's offline sample file, and the converter's refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hierattn.export.base import ConversionRequest, Precision
from hierattn.export.tflite.converter import TFLiteConverter
from hierattn.export.tflite.metadata import METADATA_NAME, embed_spec
from hierattn.export.tflite.onnx2tf import SAMPLE_FILE, write_sample_file
from hierattn.export.tflite.ops import check_builtin_only, op_counts
from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata
from hierattn.runtime.errors import HierAttnError, UsageError
from hierattn.runtime.spec import ModelSpec


def _tiny_model(path: Path, custom: str | None = None, builtin: str = "ADD") -> Path:
    """A minimal TFLite flatbuffer: y = op(x, x) with a builtin op (ADD by default) or one custom op."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    code = schema.OperatorCodeT()
    if custom is None:
        code.builtinCode = code.deprecatedBuiltinCode = getattr(schema.BuiltinOperator, builtin)
    else:
        code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
        code.customCode = custom
    tensors = []
    for name in ("x", "y"):
        tensor = schema.TensorT()
        tensor.name, tensor.shape, tensor.type, tensor.buffer = name, [1, 4], schema.TensorType.FLOAT32, 0
        tensors.append(tensor)
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0] if custom else [0, 0], [1]
    graph = schema.SubGraphT()
    graph.tensors, graph.inputs, graph.outputs, graph.operators = tensors, [0], [1], [op, op]
    model = schema.ModelT()
    model.version, model.operatorCodes, model.subgraphs = 3, [code], [graph]
    model.buffers = [schema.BufferT()]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(bytes(builder.Output()))
    return path


def test_op_counts_reads_builtin_ops(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    assert op_counts(path) == {"ADD": 2}
    assert check_builtin_only(path) == {"ADD": 2}


def test_flex_ops_are_refused_with_the_fix(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "flex.tflite", custom="FlexErf")
    assert op_counts(path) == {"CUSTOM:FlexErf": 2}
    with pytest.raises(HierAttnError, match=r"FlexErf.*opset >= 20"):
        check_builtin_only(path)


def test_embedded_spec_round_trips_and_is_replaced_not_duplicated(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    embed_spec(path, ModelSpec(layout="NHWC", precision="fp32"))
    size = path.stat().st_size
    embed_spec(path, ModelSpec(layout="NHWC", precision="fp16"))
    assert path.stat().st_size == size
    payload = read_tflite_metadata(path.read_bytes(), METADATA_NAME)
    assert payload is not None
    spec = ModelSpec.from_json(payload.decode("utf-8"))
    assert (spec.layout, spec.precision) == ("NHWC", "fp16")
    assert op_counts(path) == {"ADD": 2}


def test_sample_file_is_deterministic_and_shaped_for_onnx2tf(tmp_path: Path) -> None:
    first = np.load(write_sample_file(tmp_path, None))
    second = np.load(write_sample_file(tmp_path, None))
    assert (tmp_path / SAMPLE_FILE).is_file()
    assert first.shape == (20, 128, 128, 3) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    calibration = np.random.default_rng(1).random((3, 3, 256, 256), dtype=np.float32)
    from_calibration = np.load(write_sample_file(tmp_path, calibration))
    assert from_calibration.shape == (20, 128, 128, 3)
    idx = np.linspace(0, 255, 128).round().astype(int)
    expected = calibration.transpose(0, 2, 3, 1)[:, idx][:, :, idx]
    np.testing.assert_array_equal(from_calibration[:3], expected)
    np.testing.assert_array_equal(from_calibration[3:6], expected)  # repeated to fill 20 images


@pytest.mark.parametrize(
    ("precision", "calibration", "dynamic_batch", "message"),
    [
        (Precision.INT8, None, False, "calibration"),
        (Precision.INT8, np.zeros((0, 3, 256, 256), np.float32), False, "calibration"),
        (Precision.FP32, None, True, "batch"),
    ],
)
def test_converter_refuses_impossible_requests(
    tmp_path: Path, precision: Precision, calibration: np.ndarray | None, dynamic_batch: bool, message: str
) -> None:
    request = ConversionRequest(
        model=None,  # type: ignore[arg-type]  # refused before the model is touched
        spec=ModelSpec(),
        precision=precision,
        workdir=tmp_path,
        calibration=calibration,
        dynamic_batch=dynamic_batch,
    )
    with pytest.raises(UsageError, match=message):
        TFLiteConverter().convert(request, tmp_path / "out.tflite")
    assert not (tmp_path / "out.tflite").exists()


def test_converter_declares_every_precision() -> None:
    assert TFLiteConverter.supported_precisions == frozenset(Precision)
    assert TFLiteConverter.suffix == ".tflite"


def test_layer_norm_float_pattern_is_required_only_where_layer_norm_exists(tmp_path: Path) -> None:
    from hierattn.export.tflite.quant import _float_nodes

    cnn = _tiny_model(tmp_path / "cnn.tflite").read_bytes()
    assert _float_nodes(cnn, ("layer_normalization",)) == []  # a pure CNN has nothing to keep in float
    with_norm = _tiny_model(tmp_path / "norm.tflite", builtin="SQUARED_DIFFERENCE").read_bytes()
    with pytest.raises(HierAttnError, match="naming changed"):
        _float_nodes(with_norm, ("layer_normalization",))
    assert _float_nodes(with_norm, ("y",)) == ["y"]
