"""predict_tensor on real backends: the reference HierAttn-xs through ONNX Runtime, and small TFLite
models (NHWC, float and full int8) built with TensorFlow's converter to cover layout and quantization."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime import Classifier, ModelFileError, ModelSpec
from hierattn.runtime.spec import sidecar_path

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
REFERENCE = SHARED / "reference" / "hierattn_xs_8cls.pt"


@pytest.fixture(scope="module")
def reference() -> dict:
    import torch

    return torch.load(REFERENCE, weights_only=True)


@pytest.fixture(scope="module")
def reference_onnx(tmp_path_factory: pytest.TempPathFactory, reference: dict) -> Path:
    """The authors' reference weights exported to ONNX with the spec embedded in metadata_props."""
    import onnx
    import torch

    from hierattn.models.hierattn import HIERATTN_CONFIGS, HierAttn

    model = HierAttn(HIERATTN_CONFIGS["hierattn_xs"], num_classes=8)
    model.load_state_dict(reference["state_dict"])
    model.eval()
    path = tmp_path_factory.mktemp("onnx") / "hierattn_xs.onnx"
    example = (torch.zeros(1, 3, 256, 256),)
    torch.onnx.export(model, example, str(path), dynamo=True, opset_version=20, external_data=False)
    proto = onnx.load(str(path))
    entry = proto.metadata_props.add()
    entry.key, entry.value = "hierattn_spec", ModelSpec().to_json()
    onnx.save(proto, str(path))
    return path


@pytest.mark.slow
def test_onnx_reference_logits(reference_onnx: Path, reference: dict) -> None:
    classifier = Classifier.load(reference_onnx, threads=2)
    assert classifier.spec == ModelSpec()
    logits = classifier.predict_tensor(reference["input"].numpy())
    assert logits.shape == (3, 8) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, reference["logits"].numpy(), atol=1e-3, rtol=0)


@pytest.mark.slow
def test_sidecar_is_fallback_and_embedded_wins(reference_onnx: Path, tmp_path: Path) -> None:
    import onnx

    bare = tmp_path / "bare.onnx"
    proto = onnx.load(str(reference_onnx))
    del proto.metadata_props[:]
    onnx.save(proto, str(bare))
    with pytest.raises(ModelFileError, match="no hierattn metadata"):
        Classifier.load(bare)
    sidecar_spec = ModelSpec(precision="fp16")
    sidecar_path(bare).write_text(sidecar_spec.to_json())
    assert Classifier.load(bare).spec == sidecar_spec
    sidecar_path(reference_onnx).write_text(sidecar_spec.to_json())
    try:
        assert Classifier.load(reference_onnx).spec == ModelSpec()
    finally:
        sidecar_path(reference_onnx).unlink()


def _tf_model_fn(weights: np.ndarray):
    """A tiny NHWC classifier: mean-pool per channel then a dense layer; easy to compute in numpy."""
    import tensorflow as tf

    w = tf.constant(weights)

    @tf.function(input_signature=[tf.TensorSpec([1, 16, 16, 3], tf.float32)])
    def fn(x):
        pooled = tf.reduce_mean(x * x, axis=[1, 2])
        return tf.matmul(pooled, w)

    return fn


def _numpy_reference(x_nchw: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (x_nchw.astype(np.float64) ** 2).mean(axis=(2, 3)) @ weights


@pytest.fixture(scope="module")
def tflite_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, dict[str, Path]]:
    import tensorflow as tf

    rng = np.random.default_rng(0)
    weights = rng.normal(size=(3, 4)).astype(np.float32) * 4
    fn = _tf_model_fn(weights)
    folder = tmp_path_factory.mktemp("tflite")
    paths = {}
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    paths["float"] = folder / "float.tflite"
    paths["float"].write_bytes(converter.convert())

    def calibration():
        for _ in range(32):
            yield [rng.uniform(0, 1, size=(1, 16, 16, 3)).astype(np.float32)]

    for name, dtype in (("int8", tf.int8), ("uint8", tf.uint8)):
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = calibration
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = dtype
        converter.inference_output_type = dtype
        paths[name] = folder / f"{name}.tflite"
        paths[name].write_bytes(converter.convert())
    spec = ModelSpec(class_names=("a", "b", "c", "d"), input_size=(16, 16), layout="NHWC")
    for path in paths.values():
        sidecar_path(path).write_text(spec.to_json())
    return weights, paths


@pytest.mark.parametrize(("kind", "atol"), [("float", 1e-5), ("int8", 0.08), ("uint8", 0.08)])
def test_tflite_nhwc_and_quantization(tflite_models, kind: str, atol: float) -> None:
    weights, paths = tflite_models
    classifier = Classifier.load(paths[kind], threads=1)
    assert classifier.backend.layout == "NHWC"
    rng = np.random.default_rng(1)
    # channel-dependent input so a missing or wrong transpose changes the answer
    x = rng.uniform(0, 1, size=(5, 3, 16, 16)).astype(np.float32) * np.array([1.0, 0.5, 0.2], np.float32)[:, None, None]
    logits = classifier.predict_tensor(x)
    assert logits.shape == (5, 4) and logits.dtype == np.float32
    expected = _numpy_reference(x, weights)
    np.testing.assert_allclose(logits, expected, atol=atol, rtol=0)
    if kind != "float":
        assert classifier.backend.input.quantization is not None
        assert classifier.backend.output.quantization is not None


def test_tflite_layout_contradiction_is_reported(tflite_models, tmp_path: Path) -> None:
    _, paths = tflite_models
    wrong = ModelSpec(class_names=("a", "b", "c", "d"), input_size=(16, 16), layout="NCHW")
    with pytest.raises(ModelFileError, match="layout NCHW"):
        Classifier.load(paths["float"], spec=wrong)


def test_tflite_embedded_spec_is_read_and_a_contradicting_sidecar_refused(tflite_models, tmp_path: Path) -> None:
    """The exporter's flatbuffer metadata entry is found by the runtime's own small reader."""
    import shutil

    from hierattn.export.tflite.metadata import embed_spec
    from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata

    _, paths = tflite_models
    path = tmp_path / "embedded.tflite"
    shutil.copy(paths["int8"], path)
    assert read_tflite_metadata(path.read_bytes(), "hierattn_spec") is None
    embedded = ModelSpec(class_names=("w", "x", "y", "z"), input_size=(16, 16), layout="NHWC", precision="int8")
    embed_spec(path, embedded)
    sidecar_path(path).write_text(ModelSpec(class_names=("a", "b", "c", "d"), input_size=(16, 16), layout="NHWC").to_json())
    with pytest.raises(ModelFileError, match=r"sidecar embedded\.tflite\.json says class_names a b c d but the spec embedded"):
        Classifier.load(path)  # the app reads the sidecar, the runtime the model: a contradiction is refused
    sidecar_path(path).write_text(embedded.with_updates(precision="fp32").to_json())  # agrees on what matters
    classifier = Classifier.load(path)
    assert classifier.spec == embedded
    assert classifier.predict_tensor(np.zeros((1, 3, 16, 16), np.float32)).shape == (1, 4)
    assert read_tflite_metadata(b"not a flatbuffer", "hierattn_spec") is None


def test_spec_contradicting_the_model_shapes_is_refused(tflite_models) -> None:
    _, paths = tflite_models
    with pytest.raises(ModelFileError, match="outputs 4 classes"):
        Classifier.load(paths["float"], spec=ModelSpec(input_size=(16, 16), layout="NHWC"))
    with pytest.raises(ModelFileError, match="takes 16x16 images"):
        Classifier.load(paths["float"], spec=ModelSpec(class_names=("a", "b", "c", "d"), layout="NHWC"))
