"""Measure which parts of the ONNX graph tolerate int8: the table behind the int8 recipes.

Each candidate recipe is applied to the same fp32 graph, run with ONNX Runtime on held-out images,
and compared with PyTorch fp32 logits (top-1 agreement, referral flips, max |logit diff|, latency).
Quantizing one op type at a time shows which ops carry the error; the recipe that keeps agreement
>= 98% with the fewest float ops wins. docs/quantization.md records the table.

Usage: python -m hierattn.export.onnx.sensitivity CHECKPOINT CALIBRATION_DIR VALIDATION_DIR [OP:GROUPS]
(with OP:GROUPS, e.g. Conv:7, only that op type is measured, one group of consecutive nodes at a time)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ...runtime.errors import ModelFileError
from ...runtime.spec import ModelSpec
from ..base import Precision
from ..int8_profiles import QuantRecipe
from ..validation import DEFAULT_TOLERANCES, compare_logits
from .quant import apply_recipe


@dataclass(frozen=True)
class Row:
    name: str
    top1: float
    flips: float
    max_diff: float
    kl: float
    ms_1t: float
    ms_2t: float
    size_mb: float


def ort_logits(path: Path, images: np.ndarray, threads: int) -> tuple[np.ndarray, float]:
    """Logits one image at a time (the app's batch size) and the median latency in ms."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    outs, times = [], []
    for i in range(len(images)):
        start = time.perf_counter()
        outs.append(session.run(None, {"image": images[i : i + 1]})[0])
        times.append(time.perf_counter() - start)
    return np.concatenate(outs), float(np.median(times[1:] if len(times) > 1 else times) * 1e3)


def latency_ms(path: Path, image: np.ndarray, threads: int, runs: int = 30) -> float:
    _, ms = ort_logits(path, np.repeat(image[:1], runs, axis=0), threads)
    return ms


def measure(
    fp32: Path,
    recipes: Mapping[str, QuantRecipe | None],
    calibration: np.ndarray,
    images: np.ndarray,
    reference: np.ndarray,
    spec: ModelSpec,
) -> list[Row]:
    """One row per recipe (None = the fp32 graph itself)."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as work:
        for name, recipe in recipes.items():
            path = fp32 if recipe is None else Path(work) / f"{len(rows)}.onnx"
            if recipe is not None:
                apply_recipe(fp32, path, recipe, calibration)
            logits, _ = ort_logits(path, images, threads=2)
            result = compare_logits(reference, logits, spec, DEFAULT_TOLERANCES[Precision.INT8])
            top1, flips, max_diff, kl = result.top1_agreement, result.referral_flip_rate, result.max_abs_diff, result.kl_divergence
            if top1 is None or flips is None or max_diff is None or kl is None:  # no metrics: the logits' shape differs
                failed = "; ".join(c.message for c in result.checks if not c.passed)
                raise ModelFileError(f"recipe {name!r} gives a graph that cannot be compared with PyTorch: {failed}.")
            rows.append(
                Row(
                    name=name,
                    top1=top1,
                    flips=flips,
                    max_diff=max_diff,
                    kl=kl,
                    ms_1t=latency_ms(path, images, 1),
                    ms_2t=latency_ms(path, images, 2),
                    size_mb=path.stat().st_size / 1e6,
                )
            )
            print(_format(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _format(row: Row) -> str:
    return (
        f"| {row.name} | {row.top1:.1%} | {row.flips:.1%} | {row.max_diff:.3f} | {row.kl:.4f} | "
        f"{row.ms_1t:.1f} | {row.ms_2t:.1f} | {row.size_mb:.2f} |"
    )


def candidate_recipes() -> dict[str, QuantRecipe | None]:
    """fp32, one op type at a time, then combinations and calibration methods."""
    static = QuantRecipe(mode="static", op_types=("Conv",), calibration="MinMax")
    dynamic = QuantRecipe(mode="dynamic", op_types=("MatMul",))
    all_ops = ("Conv", "MatMul", "Gemm", "Add", "Mul", "Sigmoid", "Softmax", "LayerNormalization", "Gelu",
               "Reshape", "Transpose", "Concat", "ReduceMean", "Abs", "Squeeze", "Slice")  # fmt: skip
    recipes: dict[str, QuantRecipe | None] = {"fp32": None}
    recipes["static whole graph, MinMax"] = replace(static, op_types=all_ops)
    for ops in (("Conv",), ("Gemm",), ("MatMul",)):
        recipes[f"static {'+'.join(ops)} only, MinMax"] = replace(static, op_types=ops)
    for method in ("MinMax", "Percentile", "Entropy"):
        recipes[f"static Conv+Gemm, {method}"] = replace(static, op_types=("Conv", "Gemm"), calibration=method)
    recipes["dynamic Gemm+MatMul"] = replace(dynamic, op_types=("Gemm", "MatMul"))
    recipes["dynamic Conv+Gemm+MatMul"] = replace(dynamic, op_types=("Conv", "Gemm", "MatMul"))
    return recipes


def chunk_recipes(fp32: Path, op_type: str, chunks: int, base: QuantRecipe) -> dict[str, QuantRecipe]:
    """Quantize only one run of consecutive ``op_type`` nodes at a time (graph order = forward order),
    to find where in the network the int8 error comes from."""
    import onnx

    names = [n.name for n in onnx.load(str(fp32)).graph.node if n.op_type == op_type]
    size = -(-len(names) // chunks)
    recipes = {}
    for start in range(0, len(names), size):
        keep = set(names[start : start + size])
        excluded = tuple(n for n in names if n not in keep)
        label = f"static {op_type} #{start}-{start + len(keep) - 1} of {len(names)} only"
        recipes[label] = replace(base, op_types=(op_type,), nodes_to_exclude=excluded)
    return recipes


def main(argv: list[str]) -> None:
    import torch  # noqa: F401  (imported before onnxruntime quantization tools, like the pipeline)

    from ..base import ConversionRequest
    from ..data import list_images, load_images
    from ..pipeline import load_source, torch_logits
    from .converter import export_fp32

    checkpoint, calibration_dir, validation_dir = (Path(a) for a in argv[:3])
    source = load_source(checkpoint, None)
    calibration = load_images(list_images(calibration_dir), source.spec)
    images = load_images(list_images(validation_dir), source.spec)
    reference = torch_logits(source.model, images)
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "fp32.onnx"
        request = ConversionRequest(model=source.model, spec=source.spec, precision=Precision.FP32, workdir=Path(work))
        export_fp32(request, fp32)
        print("| recipe | top-1 agreement | referral flips | max abs diff | mean KL | ms 1 thread | ms 2 threads | MB |")
        print("|---|---|---|---|---|---|---|---|")
        recipes: Mapping[str, QuantRecipe | None] = candidate_recipes()
        if len(argv) > 3:  # e.g. "Conv:7" -> seven consecutive groups of Conv nodes, one at a time
            op_type, chunks = argv[3].split(":")
            base = QuantRecipe(mode="static", op_types=(op_type,), calibration="MinMax")
            recipes = chunk_recipes(fp32, op_type, int(chunks), base)
        for row in measure(fp32, recipes, calibration, images, reference, source.spec):
            print(_format(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
