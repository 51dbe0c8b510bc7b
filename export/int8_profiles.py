"""Which int8 recipe each model family gets: data on the family, looked up by architecture name.

A recipe is tuned on the family it was measured on. HierAttn's keeps its LayerNorm, attention and
high-resolution stem in float (docs/quantization.md has the measurements); applying that to a CNN
baseline would handicap it (its float stem made MobileNetV3-Large int8 slower than its own fp32).
Every other architecture gets its format's standard full-integer recipe: what a user of the plain
converter would get, so benchmark comparisons are like for like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace


@dataclass(frozen=True)
class QuantRecipe:
    """How to quantize one ONNX graph.

    Attributes:
        mode: "dynamic" (weights int8, activations quantized at run time) or "static" (QDQ).
        op_types: op types to quantize, everything else stays float; empty: every op type
            onnxruntime.quantization can quantize (its default).
        nodes_to_exclude: node names kept in float even though their op type is quantized.
        per_channel: per-output-channel weight scales.
        calibration: "MinMax", "Entropy" or "Percentile" (static only).
        percentile: percentile for the Percentile method.
        activation_type: "int8", "uint8" or "int16" activations (static only); weights are always
            int8. ONNX Runtime's x86 integer kernels are u8 x s8: uint8 activations run there
            without the s8 -> u8 conversion.
        ranges: MinMax only: "global" (min/max over all calibration images) or "averaged" (each
            image's min and max, averaged: one extreme image no longer sets the step size).
        float_stem_stride: keep every node in float up to the first Conv writing a map at 1/N of
            the input resolution (0: none).
        float_classifier: keep the last Gemm/MatMul (the classifier head) in float.
    """

    mode: str
    op_types: tuple[str, ...]
    nodes_to_exclude: tuple[str, ...] = ()
    per_channel: bool = True
    calibration: str = "MinMax"
    percentile: float = 99.999
    activation_type: str = "int8"
    ranges: str = "global"
    float_stem_stride: int = 0
    float_classifier: bool = False
    extra_options: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["op_types"] = list(self.op_types)
        data["nodes_to_exclude"] = list(self.nodes_to_exclude)
        return data


DYNAMIC_RECIPE = QuantRecipe(mode="dynamic", op_types=("MatMul", "Gemm"), per_channel=True)
STATIC_RECIPE = QuantRecipe(
    mode="static",
    op_types=("Conv", "Gemm"),
    per_channel=True,
    calibration="MinMax",
    activation_type="uint8",
    ranges="averaged",
    float_stem_stride=4,
    float_classifier=True,
)
"""int8 QDQ (u8 activations, s8 per-channel weights) on the convolutions and linear layers after
the stem, which ONNX Runtime fuses into QLinearConv and QGemm; the stem to 1/4 resolution, the
classifier, LayerNorm, attention products, Softmax, GELU and SiLU stay float (docs/quantization.md)."""


@dataclass(frozen=True)
class Int8Recipe:
    """Full-integer quantization with the ops that hurt (or that XNNPACK cannot run in int8) in float32.

    Attributes:
        float_ops: TFLite op types kept in float32 everywhere.
        float_node_patterns: substrings of op output tensor names kept in float32 (the LayerNorm
            decomposition onnx2tf emits is named ``.../layer_normalization_N/...``). A pattern that
            matches nothing in a graph that has LayerNorm's signature ops (RSQRT, SQUARED_DIFFERENCE)
            is an error, so a renaming upstream cannot silently change the recipe; a graph without
            any LayerNorm (a pure CNN baseline) simply has nothing to keep.
        per_channel: per-output-channel weight scales for convolutions.
        per_channel_dense: per-output-channel weight scales for fully connected layers too.
        max_calibration: at most this many calibration images are used.
        ranges: "mean-minmax" (per-image min/max averaged over the calibration images) or "minmax"
            (the global min/max over the calibration images, as the converter computes it); both
            ignore max-pooling padding, see ``tflite.calibration.average_ranges``.
        float_stem_stride: keep the stem in float up to the first CONV_2D at 1/N of the input
            resolution (``tflite.calibration.stem_nodes``); 0 quantizes the stem too.
        fp16_float_ops: mark the file ``reduced_precision_support = fp16accfp16``, the model
            metadata with which LiteRT's XNNPACK delegate runs the ops kept in float in IEEE
            half precision on cores with fp16 arithmetic (ARMv8.2-A: Cortex-A55, A75 and later)
            and in float32 everywhere else (every x86 CPU, AVX512-FP16 included, and the Cortex-A53); docs/quantization.md
            has what it does to the instruction count and to fidelity under the ARM kernels.
    """

    float_ops: tuple[str, ...] = ("BATCH_MATMUL", "SOFTMAX", "GELU", "RSQRT", "SQUARED_DIFFERENCE", "ABS")
    float_node_patterns: tuple[str, ...] = ("layer_normalization",)
    per_channel: bool = True
    per_channel_dense: bool = False
    max_calibration: int = 256
    ranges: str = "mean-minmax"
    float_stem_stride: int = 4
    fp16_float_ops: bool = True

    def __post_init__(self) -> None:
        if self.ranges not in ("mean-minmax", "minmax"):
            raise ValueError(f"unknown range estimator {self.ranges!r}: use 'mean-minmax' or 'minmax'")

    def weights_text(self, dense: str) -> str:
        """How weights are quantized, for the metadata; ``dense`` names the format's linear layers."""
        return ("int8 symmetric; convolutions " + ("per output channel" if self.per_channel else "per tensor")
                + f", {dense} " + ("per output channel" if self.per_channel_dense else "per tensor"))

    def ranges_text(self) -> str:
        """How activation ranges are estimated, for the metadata."""
        return ("the per-image min/max averaged over the calibration images" if self.ranges == "mean-minmax"
                else "the global min/max over the calibration images")


INT8_RECIPE = Int8Recipe()


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
    # tflite.calibration.PADDING_SENTINEL).
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
