"""Which int8 recipe each model family gets: data on the family, looked up by architecture name.

A recipe is tuned on the family it was measured on. HierAttn's keeps its LayerNorm, attention and
high-resolution stem in float (docs/quantization.md has the measurements); applying that to a CNN
baseline would handicap it (its float stem made MobileNetV3-Large int8 slower than its own fp32).
Every other architecture gets its format's standard full-integer recipe: what a user of the plain
converter would get, so benchmark comparisons are like for like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .onnx.quant import DYNAMIC_RECIPE, STATIC_RECIPE, QuantRecipe
from .tflite.quant import INT8_RECIPE, Int8Recipe


@dataclass(frozen=True)
class Int8Profile:
    """The int8 recipes of one model family, per format and precision.

    Attributes:
        name: how the artifact's metadata names the recipe (``extra.quantization.profile``).
        tflite: TFLite full-integer recipe (``int8``).
        onnx_static: ONNX static QDQ recipe (``int8``).
        onnx_dynamic: ONNX dynamic recipe (``int8-dynamic``).
    """

    name: str
    tflite: Int8Recipe
    onnx_static: QuantRecipe
    onnx_dynamic: QuantRecipe


STANDARD_PROFILE = Int8Profile(
    name="standard",
    # The converter's own full-integer quantization: every op int8, per-channel weights, the
    # global min/max of the calibration images (max-pooling padding excluded, see
    # tflite_calibration.PADDING_SENTINEL).
    tflite=Int8Recipe(
        float_ops=(), float_node_patterns=(), per_channel_dense=True, ranges="minmax", float_stem_stride=0,
        fp16_float_ops=False,
    ),
    # onnxruntime.quantization's defaults: every op type it can quantize, int8 activations (QDQ,
    # fused by ORT into QLinear* kernels), per-channel weights, MinMax.
    onnx_static=QuantRecipe(mode="static", op_types=(), per_channel=True, calibration="MinMax"),
    onnx_dynamic=QuantRecipe(mode="dynamic", op_types=(), per_channel=True),
)

HIERATTN_PROFILE = Int8Profile(
    name="hierattn", tflite=INT8_RECIPE, onnx_static=STATIC_RECIPE, onnx_dynamic=DYNAMIC_RECIPE
)

ARL_CNN_PROFILE = Int8Profile(
    name="arl_cnn",
    # TFLite: the standard recipe with two float regions, both measured on a trained ARL-CNN14
    # (docs/models.md). The spatial softmax of every ARL block: TFLite's int8 SOFTMAX writes in steps
    # of 1/256, but a softmax over the 56x56 positions of the first stage averages 1/3136, so in int8
    # 99% of its weights and 72% of its attention mass round to zero (and the int8 softmax is the
    # slower file). The 7x7 stem up to the first 1/4-resolution convolution: without it the
    # second held-out set falls to 97.75% top-1 agreement. ONNX keeps the standard recipe:
    # ONNX Runtime's QDQ quantizer leaves Softmax in float already, and it passes on both sets.
    tflite=replace(STANDARD_PROFILE.tflite, float_ops=("SOFTMAX",), float_stem_stride=4),
    onnx_static=STANDARD_PROFILE.onnx_static,
    onnx_dynamic=STANDARD_PROFILE.onnx_dynamic,
)

_PROFILES: dict[str, Int8Profile] = {}


def register_int8_profile(archs: Iterable[str], profile: Int8Profile) -> None:
    """Give the architectures ``archs`` their family's ``profile``; registering an arch twice raises."""
    for arch in archs:
        if arch in _PROFILES:
            raise ValueError(f"architecture {arch!r} already has the int8 profile {_PROFILES[arch].name!r}")
        _PROFILES[arch] = profile


def int8_profile(arch: str) -> Int8Profile:
    """The int8 recipes for ``arch``: its family's profile, else the formats' standard recipes."""
    return _PROFILES.get(arch, STANDARD_PROFILE)


register_int8_profile(("hierattn_xs", "hierattn_s", "hierattn_m"), HIERATTN_PROFILE)
register_int8_profile(("arl_cnn14", "arl_cnn50"), ARL_CNN_PROFILE)
