"""TFLite quantization of the onnx2tf SavedModel: dynamic range (int8-dynamic) and calibrated int8.

Runs the TensorFlow Lite converter in a child process (``python -m hierattn.export.tflite.quant``)
because TensorFlow and PyTorch in one process fight over threads and allocators, and a crash in the
converter must not take the export pipeline with it. The int8 recipe (which ops stay float, and
why) is data in ``INT8_RECIPE`` and is written into the artifact's spec; docs/quantization.md has
the measurements behind it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

import numpy as np

from ...runtime.errors import HierAttnError
from ..base import Precision
from ..int8_profiles import INT8_RECIPE, Int8Recipe
from .schema import tflite_schema

TIMEOUT_S = 1800
REDUCED_PRECISION_KEY = "reduced_precision_support"
FP16_INFERENCE = "fp16accfp16"
"""The metadata value with which XNNPACK hints fp16 inference: fp16 values, fp16 accumulation."""


def _dynamic_recipe() -> dict[str, Any]:
    return {
        "method": "dynamic range",
        "weights": "int8 symmetric, per output channel (convolutions and fully connected layers; "
        "depthwise filters float32 so XNNPACK takes them)",
        "activations": "float32, quantized to int8 on the fly inside hybrid kernels",
        "input": "float32 NHWC",
        "output": "float32 logits",
    }


def _int8_recipe(recipe: Int8Recipe, images: int, profile: str) -> dict[str, Any]:
    return {
        "method": "full integer, calibrated (post-training static)",
        "profile": profile,
        "weights": recipe.weights_text("fully connected"),
        "activations": "int8 asymmetric per tensor, ranges " + recipe.ranges_text(),
        "float_ops": list(recipe.float_ops),
        "float_nodes": [f"*{p}*" for p in recipe.float_node_patterns],
        "float_stem": (f"every op up to the first CONV_2D at 1/{recipe.float_stem_stride} of the input resolution "
                       "(stem and first downsampling block)" if recipe.float_stem_stride else "none"),
        "int8_tensors": ("after the float stem: " if recipe.float_stem_stride else "")
        + "weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and the activations between quantized ops",
        "float_ops_precision": "float16 on cores with fp16 arithmetic (model metadata "
        f"{REDUCED_PRECISION_KEY}={FP16_INFERENCE}), float32 elsewhere" if recipe.fp16_float_ops else "float32",
        "calibration_images": images,
        "input": "float32 NHWC in [0, 1] (quantized inside the model)",
        "output": "float32 logits (dequantized inside the model)",
    }


def quantize(
    saved_model: Path,
    destination: Path,
    precision: Precision,
    calibration: np.ndarray | None,
    workdir: Path,
    recipe_data: Int8Recipe = INT8_RECIPE,
    profile: str = "hierattn",
) -> dict[str, Any]:
    """Write a quantized TFLite file from ``saved_model`` and return the recipe that was applied.

    Args:
        calibration: NCHW float32 images in [0, 1] (required for ``int8``).
        recipe_data: the ``int8`` recipe (the model family's, ``export.int8_profiles``).
        profile: the family profile's name, recorded with the recipe.
    """
    # The child runs in ``workdir``: hand it absolute paths only.
    saved_model, destination, workdir = saved_model.resolve(), destination.resolve(), workdir.resolve()
    job: dict[str, Any] = {"saved_model": str(saved_model), "output": str(destination), "mode": precision.value}
    recipe: dict[str, Any]
    if precision is Precision.INT8_DYNAMIC:
        recipe = _dynamic_recipe()
    elif precision is Precision.INT8:
        assert calibration is not None  # checked by the converter
        images = np.transpose(np.asarray(calibration, dtype=np.float32), (0, 2, 3, 1))[: recipe_data.max_calibration]
        calib_path = workdir / "tflite_calibration.npy"
        np.save(calib_path, images)
        job["calibration"] = str(calib_path)
        job["recipe"] = asdict(recipe_data)
        recipe = _int8_recipe(recipe_data, len(images), profile)
    else:
        raise ValueError(f"not a quantized precision: {precision}")
    job_path = workdir / f"tflite_quant_{precision.value}.json"
    job_path.write_text(json.dumps(job))
    _run_child(job_path, workdir)
    if not destination.is_file():
        raise HierAttnError(f"The TFLite converter wrote no {precision.value} file; see the log in {workdir}.")
    if precision is Precision.INT8 and recipe_data.fp16_float_ops:
        from .metadata import embed_metadata

        embed_metadata(destination, REDUCED_PRECISION_KEY, FP16_INFERENCE.encode("ascii"))
    return recipe


def _run_child(job_path: Path, workdir: Path) -> None:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1")
    log_path = workdir / (job_path.stem + ".log")
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "hierattn.export.tflite.quant", str(job_path)],
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise HierAttnError(f"The TFLite converter timed out after {TIMEOUT_S} s; see {log_path}.") from exc
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace")[-1500:]
        raise HierAttnError(f"The TFLite converter failed (exit code {proc.returncode}):\n{tail}")


def convert_job(job: dict[str, Any]) -> bytes:
    """Run the TensorFlow Lite converter as described by ``job`` (executed in the child process)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(job["saved_model"])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if job["mode"] == Precision.INT8_DYNAMIC.value:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        return dequantize_hybrid_depthwise(converter.convert())
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in job["recipe"].items()}  # from JSON
    recipe = Int8Recipe(**fields)
    images = np.load(job["calibration"])

    def representative() -> Any:
        for image in images:
            yield [image[None]]

    converter.representative_dataset = representative
    # Calibrate once, then quantize with a denylist: the two steps tf.lite's QuantizationDebugger
    # uses, without its instrumented debug model.
    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True
    calibrated = converter.convert()
    from .calibration import average_ranges, stem_nodes

    calibrated = average_ranges(calibrated, images, reduce="mean" if recipe.ranges == "mean-minmax" else "extreme")
    nodes = _float_nodes(calibrated, recipe.float_node_patterns)
    if recipe.float_stem_stride:
        nodes = sorted(set(nodes) | set(stem_nodes(calibrated, recipe.float_stem_stride)))
    from tensorflow.lite.python import convert

    return cast(bytes, convert.mlir_quantize(
        calibrated,
        disable_per_channel=not recipe.per_channel,
        disable_per_channel_for_dense_layers=not recipe.per_channel_dense,
        fully_quantize=False,
        denylisted_ops=list(recipe.float_ops),
        denylisted_nodes=nodes,
    ))


def _float_nodes(model: bytes, patterns: tuple[str, ...]) -> list[str]:
    """Output tensor names of the ops whose names contain one of ``patterns``."""
    schema = tflite_schema()

    root = schema.Model.GetRootAs(model, 0)
    names: list[str] = []
    op_codes: set[int] = set()
    for s in range(root.SubgraphsLength()):
        graph = root.Subgraphs(s)
        for o in range(graph.OperatorsLength()):
            operator = graph.Operators(o)
            code = root.OperatorCodes(operator.OpcodeIndex())
            op_codes.add(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
            for t in operator.OutputsAsNumpy():
                names.append(graph.Tensors(int(t)).Name().decode("utf-8"))
    has_layer_norm = bool({schema.BuiltinOperator.RSQRT, schema.BuiltinOperator.SQUARED_DIFFERENCE} & op_codes)
    selected = []
    for pattern in patterns:
        hits = [n for n in names if pattern in n]
        if not hits and has_layer_norm:
            raise HierAttnError(
                f"The int8 recipe keeps ops named '*{pattern}*' in float but the graph has none; "
                "the onnx2tf naming changed: update INT8_RECIPE in export/int8_profiles.py."
            )
        selected.extend(hits)
    return sorted(set(selected))


def dequantize_hybrid_depthwise(model: bytes) -> bytes:
    """Store int8 depthwise filters of float depthwise convolutions back as float32.

    Dynamic-range quantization turns every depthwise filter with >= 1024 weights into a hybrid
    (float input, int8 filter) op, which XNNPACK does not take: on HierAttn-xs one such op split the
    graph into two XNNPACK partitions around a builtin kernel. Its 1152 weights cost 3.4 KB as float.
    """
    import flatbuffers
    schema = tflite_schema()

    root = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    depthwise = {
        i
        for i, code in enumerate(root.operatorCodes)
        if max(code.builtinCode, code.deprecatedBuiltinCode) == schema.BuiltinOperator.DEPTHWISE_CONV_2D
    }
    for graph in root.subgraphs:
        for op in graph.operators:
            if op.opcodeIndex not in depthwise:
                continue
            data, weights = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
            if data.type != schema.TensorType.FLOAT32 or weights.type != schema.TensorType.INT8:
                continue
            q = weights.quantization
            axis = q.quantizedDimension
            stored = np.asarray(root.buffers[weights.buffer].data, dtype=np.uint8).view(np.int8)
            values = stored.reshape(weights.shape).astype(np.float32)
            scale_shape = [1] * values.ndim
            scale_shape[axis] = -1
            values *= np.asarray(q.scale, dtype=np.float32).reshape(scale_shape)
            root.buffers[weights.buffer].data = np.frombuffer(values.tobytes(), dtype=np.uint8)
            weights.type, weights.quantization = schema.TensorType.FLOAT32, None
    builder = flatbuffers.Builder(len(model) + 65536)
    builder.Finish(root.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Internal: run one TFLite quantization job (JSON file).")
    parser.add_argument("job", type=Path)
    args = parser.parse_args(argv)
    job = json.loads(args.job.read_text())
    Path(job["output"]).write_bytes(convert_job(job))


if __name__ == "__main__":
    main()
