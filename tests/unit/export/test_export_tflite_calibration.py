"""The int8 calibration corrections on a tiny real model through the real TFLite converter:
averaged ranges ignore an outlier image that stretches the converter's min/max, and the float stem
ends at the first convolution at 1/4 of the input resolution."""

from __future__ import annotations

import numpy as np
import pytest

from hierattn.export.tflite.calibration import average_ranges, stem_nodes

SIDE = 32


@pytest.fixture(scope="module")
def calibrated() -> tuple[bytes, np.ndarray]:
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((SIDE, SIDE, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="stem")(inputs)  # 1/2
    # Max pooling as onnx2tf exports it: explicit padding with -FLT_MAX, then a VALID max pool.
    x = tf.keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=-3.4028235e38),
                               name="maxpool_pad")(x)
    x = tf.keras.layers.MaxPool2D(3, strides=1, padding="valid", name="maxpool")(x)
    x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", name="down")(x)  # 1/4
    x = tf.keras.layers.Conv2D(16, 1, name="project")(x)  # the first CONV_2D at 1/4
    x = tf.keras.layers.Conv2D(16, 1, activation="relu", name="later")(x)
    outputs = tf.keras.layers.Dense(4)(tf.keras.layers.GlobalAveragePooling2D()(x))
    model = tf.keras.Model(inputs, outputs)
    rng = np.random.default_rng(0)
    images = rng.random((8, SIDE, SIDE, 3), dtype=np.float32)
    images[0] *= 20.0  # one outlier image: the converter's global max follows it
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([image[None]] for image in images)
    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True
    return converter.convert(), images


def _ranges(model: bytes) -> dict[str, tuple[float, float]]:
    from ai_edge_litert import schema_py_generated as schema

    graph = schema.ModelT.InitFromPackedBuf(bytearray(model), 0).subgraphs[0]
    return {
        t.name.decode(): (t.quantization.min[0], t.quantization.max[0])
        for t in graph.tensors
        if t.quantization is not None and t.quantization.min is not None and len(t.quantization.min) == 1
    }


def test_average_ranges_follow_typical_images_not_the_outlier(calibrated) -> None:
    model, images = calibrated
    before, after = _ranges(model), _ranges(average_ranges(model, images))
    stem = next(name for name in before if "stem" in name)
    # Global max is dominated by the 20x image; the average of per-image maxima is far below it
    # but above every ordinary image's own maximum divided by the outlier's weight (1/8 of it).
    assert after[stem][1] < 0.5 * before[stem][1]
    assert after[stem][1] > before[stem][1] / len(images)
    assert after[stem][0] <= 0.0 <= after[stem][1]
    model_input = next(name for name in before if "serving" in name or name.startswith("input"))
    assert after.get(model_input) == before.get(model_input)  # the input range is exact, left alone


def test_extreme_ranges_keep_the_global_min_max_without_the_padding(calibrated) -> None:
    model, images = calibrated
    before, after = _ranges(model), _ranges(average_ranges(model, images, reduce="extreme"))
    stem = next(name for name in before if "stem" in name)
    assert after[stem] == pytest.approx(before[stem], rel=1e-5)  # the converter's own global min/max
    padded = next(name for name in before if "maxpool_pad" in name)
    assert before[padded][0] < -1e30 < after[padded][0]
    with pytest.raises(ValueError, match="range reduction"):
        average_ranges(model, images, reduce="median")


def test_stem_ends_at_first_convolution_at_quarter_resolution(calibrated) -> None:
    model, _ = calibrated
    names = stem_nodes(model, stride=4)
    assert names, "the stem must not be empty"
    assert "stem" in names[0] and "project" in names[-1]
    assert not any("later" in n for n in names)
    assert stem_nodes(model, stride=64) == []  # no convolution that small: nothing kept float


def test_max_pool_padding_sentinel_is_not_an_activation_range(calibrated) -> None:
    model, images = calibrated
    before, after = _ranges(model), _ranges(average_ranges(model, images))
    padded = next(name for name in before if "maxpool_pad" in name)
    assert before[padded][0] < -1e30  # the converter's range includes -FLT_MAX: a step of ~1e36
    assert -1e3 < after[padded][0] <= 0.0 <= after[padded][1] < 1e3
    assert all(abs(low) < 1e30 and abs(high) < 1e30 for low, high in after.values())


def test_unknown_range_estimator_is_refused_when_the_recipe_is_built() -> None:
    from hierattn.export.int8_profiles import Int8Recipe

    with pytest.raises(ValueError, match="range estimator"):
        Int8Recipe(ranges="percentile")
