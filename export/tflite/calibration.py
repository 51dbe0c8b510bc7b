"""Two measured corrections to the TFLite converter's full-integer calibration (docs/quantization.md).

- **Averaged ranges.** The converter's calibration keeps, for every activation tensor, the global
  minimum and maximum over all calibration images, so a single extreme image stretches the range
  and every other image loses resolution. ``average_ranges`` replaces each range with the mean over
  images of that image's own minimum and maximum (the estimator quantization-aware training uses
  as a moving average), measured on the calibrated float graph itself.
- **Float stem.** Quantization error that enters at the high-resolution start of the network is
  carried and amplified by every later layer. ``stem_nodes`` names the ops of the stem and the
  first downsampling block, up to and including the first CONV_2D that writes a map at 1/4 of the
  input resolution, which the int8 recipe keeps in float32 (they hold few weights, so the file
  barely grows).

Both work on the flatbuffer the converter writes with ``_experimental_calibrate_only`` (float ops,
ranges stored as ``quantization.min``/``max`` on each tensor), before ``mlir_quantize``.
"""

from __future__ import annotations

import numpy as np

from .schema import tflite_schema

PADDING_SENTINEL = 1e30
"""Values this large are padding, not activations: max pooling exported as PADV2 pads with -FLT_MAX,
and a range that includes it gives a step size of about 1e36, which XNNPACK refuses (ShuffleNetV2)."""


def average_ranges(calibrated: bytes, images: np.ndarray, reduce: str = "mean") -> bytes:
    """Return ``calibrated`` with each activation range set from the per-image min/max over ``images``.

    Args:
        calibrated: calibrate-only TFLite model (float ops with min/max statistics).
        images: the calibration inputs, shaped like the model input without the batch axis.
        reduce: "mean" averages the per-image minima and maxima; "extreme" takes the smallest
            minimum and the largest maximum (the converter's own global min/max, with max-pooling
            padding left out).
    """
    if reduce not in ("mean", "extreme"):
        raise ValueError(f"unknown range reduction {reduce!r}: use 'mean' or 'extreme'")
    low_of, high_of = (np.mean, np.mean) if reduce == "mean" else (np.min, np.max)
    import flatbuffers
    schema = tflite_schema()
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    model = schema.ModelT.InitFromPackedBuf(bytearray(calibrated), 0)
    graph = model.subgraphs[0]
    fixed = set(graph.inputs) | set(graph.outputs)  # the input's [0, 1] range is exact already
    targets = [i for i, t in enumerate(graph.tensors) if i not in fixed and _has_single_range(t)]
    interpreter = Interpreter(
        model_content=calibrated,
        experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interpreter.allocate_tensors()
    input_index = interpreter.get_input_details()[0]["index"]
    lows: dict[int, list[float]] = {i: [] for i in targets}
    highs: dict[int, list[float]] = {i: [] for i in targets}
    for image in images:
        interpreter.set_tensor(input_index, np.asarray(image, dtype=np.float32)[None])
        interpreter.invoke()
        for index in targets:
            try:
                values = interpreter.get_tensor(index)
            except ValueError:  # a tensor the runtime did not keep (not an op output)
                continue
            if values.dtype != np.float32:
                continue
            values = values[np.abs(values) < PADDING_SENTINEL]
            if values.size:
                lows[index].append(float(values.min()))
                highs[index].append(float(values.max()))
    for index in targets:
        if lows[index]:
            quantization = graph.tensors[index].quantization
            quantization.min = [min(float(low_of(lows[index])), 0.0)]
            quantization.max = [max(float(high_of(highs[index])), 0.0)]
    builder = flatbuffers.Builder(len(calibrated) + 65536)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _has_single_range(tensor: object) -> bool:
    quantization = getattr(tensor, "quantization", None)
    return quantization is not None and quantization.min is not None and len(quantization.min) == 1


def stem_nodes(calibrated: bytes, stride: int = 4) -> list[str]:
    """Output tensor names of every op up to the first CONV_2D writing a map at ``1/stride`` resolution.

    Returns an empty list when the model input is not an image (rank 4) or no such convolution exists.
    """
    schema = tflite_schema()

    root = schema.Model.GetRootAs(calibrated, 0)
    graph = root.Subgraphs(0)
    model_input = graph.Tensors(int(graph.InputsAsNumpy()[0]))
    if model_input.ShapeLength() != 4:
        return []
    limit = int(model_input.ShapeAsNumpy()[1]) // stride
    names: list[str] = []
    for o in range(graph.OperatorsLength()):
        operator = graph.Operators(o)
        code = root.OperatorCodes(operator.OpcodeIndex())
        outputs = [graph.Tensors(int(t)) for t in operator.OutputsAsNumpy()]
        names.extend(t.Name().decode("utf-8") for t in outputs)
        opcode = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        first = outputs[0] if outputs else None
        if (
            opcode == schema.BuiltinOperator.CONV_2D
            and first is not None
            and first.ShapeLength() == 4
            and int(first.ShapeAsNumpy()[1]) <= limit
        ):
            return names
    return []
