"""Each model family's int8 recipes are data looked up by architecture: HierAttn keeps its measured
recipe, every other architecture gets the formats' standard full-integer recipe."""

from __future__ import annotations

import pytest

from hierattn.export.int8_profiles import (
    ARL_CNN_PROFILE,
    HIERATTN_PROFILE,
    STANDARD_PROFILE,
    int8_profile,
    register_int8_profile,
)


@pytest.mark.parametrize("arch", ["hierattn_xs", "hierattn_s", "hierattn_m"])
def test_hierattn_variants_get_the_hierattn_recipe(arch: str) -> None:
    profile = int8_profile(arch)
    assert profile is HIERATTN_PROFILE
    assert profile.tflite.float_stem_stride > 0 and "SOFTMAX" in profile.tflite.float_ops


@pytest.mark.parametrize("arch", ["arl_cnn14", "arl_cnn50"])
def test_arl_cnn_keeps_its_spatial_softmax_and_stem_float_in_tflite_only(arch: str) -> None:
    """TFLite's int8 SOFTMAX has an output step of 1/256, far above a 56x56 map's mean weight 1/3136."""
    profile = int8_profile(arch)
    assert profile is ARL_CNN_PROFILE
    assert profile.tflite.float_ops == ("SOFTMAX",) and profile.tflite.float_stem_stride == 4
    assert profile.tflite.ranges == STANDARD_PROFILE.tflite.ranges == "minmax"  # averaged ranges measured worse here
    assert profile.onnx_static == STANDARD_PROFILE.onnx_static  # ORT's quantizer leaves Softmax float


@pytest.mark.parametrize(
    "arch", ["mobilenet_v3_large", "efficientnet_b0", "mobilevit_s", "resnet50_sa", "irv2_sa", "not_registered"]
)
def test_other_architectures_get_the_standard_full_integer_recipe(arch: str) -> None:
    profile = int8_profile(arch)
    assert profile is STANDARD_PROFILE
    tflite = profile.tflite
    assert (tflite.float_ops, tflite.float_node_patterns, tflite.float_stem_stride) == ((), (), 0)
    assert tflite.ranges == "minmax"
    assert profile.onnx_static.op_types == () and profile.onnx_static.activation_type == "int8"


def test_an_architecture_cannot_get_two_profiles() -> None:
    with pytest.raises(ValueError, match="already has the int8 profile 'hierattn'"):
        register_int8_profile(["hierattn_xs"], STANDARD_PROFILE)
