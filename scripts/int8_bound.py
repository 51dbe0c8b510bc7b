"""How fast can int8 HierAttn be on this CPU? The speed bound of any int8 recipe (docs/quantization.md).

    .venv/bin/python scripts/int8_bound.py [--checkpoint PT] [--arch ARCH] [--out DIR]
        [--validation-dir DIR] [--threads 1,2] [--rounds 5] [--iters 40]

A recipe's speed depends on which ops run in integer kernels, not on the weights or the ranges it
picks. So the fastest int8 file any recipe could produce (post-training or quantization-aware, any
range estimator or equalisation) is bounded by the files that quantize everything a runtime runs
in integer kernels, whatever that costs in fidelity. This script exports those "bound" files next
to the fp32 file and the project's int8 recipe, validates them all against PyTorch (their fidelity
is reported, not gated), and times them in one interleaved ``hierattn-bench --device cpu`` run.

Bound candidates (no float stem, the classifier quantized), the fastest of which is the bound:
- TFLite: every op XNNPACK has an int8 kernel for (only the attention products, softmax, GELU, ABS
  and the LayerNorm decomposition float); and the same with LayerNorm's MEAN/SUB/MUL/ADD int8 too.
- ONNX Runtime (u8 activations, averaged ranges): Conv and Gemm; plus the SiLU gates and residual
  adds (Sigmoid, Mul, Add); every op type onnxruntime.quantization quantizes.
With ``--host-kernels`` (needs Linux perf) each TFLite file's time is also split by kernel kind
(``hierattn-profile --host-kernels``): the float kernels of the TFLite bound file are the ops XNNPACK
has no int8 kernel for, which no recipe can take off.
Prints markdown tables and writes ``bound.json`` in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from hierattn.export.base import ExportFormat, Precision
from hierattn.export.int8_profiles import HIERATTN_PROFILE, Int8Profile
from hierattn.export.options import ExportOptions, Status
from hierattn.export.pipeline import export_models
from hierattn.runtime.errors import HierAttnError

_NO_STEM_ONNX = replace(HIERATTN_PROFILE.onnx_static, float_stem_stride=0, float_classifier=False)
_NO_STEM_TFLITE = replace(HIERATTN_PROFILE.tflite, float_stem_stride=0)


def _bound(fmt: ExportFormat, **recipe: Any) -> tuple[ExportFormat, Int8Profile]:
    """HierAttn's profile with one format's recipe replaced, named "bound" in the metadata."""
    return fmt, replace(HIERATTN_PROFILE, name="bound", **recipe)


CANDIDATES: dict[str, tuple[ExportFormat, Int8Profile]] = {
    "tflite-xnnpack-int8": _bound(ExportFormat.TFLITE, tflite=_NO_STEM_TFLITE),
    "tflite-xnnpack-int8-ln": _bound(ExportFormat.TFLITE, tflite=replace(_NO_STEM_TFLITE, float_node_patterns=())),
    "onnx-conv-gemm": _bound(ExportFormat.ONNX, onnx_static=_NO_STEM_ONNX),
    "onnx-conv-gemm-silu-add": _bound(
        ExportFormat.ONNX, onnx_static=replace(_NO_STEM_ONNX, op_types=("Conv", "Gemm", "Sigmoid", "Mul", "Add"))
    ),
    "onnx-all-op-types": _bound(ExportFormat.ONNX, onnx_static=replace(_NO_STEM_ONNX, op_types=())),
}
RUNTIME = {ExportFormat.ONNX: "ONNX Runtime", ExportFormat.TFLITE: "LiteRT"}


def export(args: argparse.Namespace, out: Path, formats: tuple[ExportFormat, ...], precisions: tuple[Precision, ...],
           profile: Int8Profile | None) -> dict[str, dict[str, Any]]:
    """Export and validate; return {file path: artifact report} for every file written."""
    options = ExportOptions(
        formats=formats, precisions=precisions, output_dir=out, checkpoint=args.checkpoint, arch=args.arch,
        calibration_dir=args.calibration_dir, validation_dir=args.validation_dir, int8_profile=profile,
    )
    report = export_models(options)
    files: dict[str, dict[str, Any]] = {}
    for artifact in report.artifacts:
        if artifact.status is Status.EXPORT_FAILED or artifact.path is None:
            sys.exit(f"error: {artifact.format.value} {artifact.precision.value} export failed: {artifact.error}")
        files[str(artifact.path.resolve())] = artifact.to_dict()
    return files


def bench(args: argparse.Namespace, files: list[str], out: Path) -> dict[str, Any]:
    """One interleaved ``hierattn-bench --device cpu`` run over ``files``; return its JSON report."""
    report = out / "bench.json"
    command = [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "cpu", "--threads", args.threads,
               "--rounds", str(args.rounds), "--iters", str(args.iters), "--no-fidelity", "--json-out", str(report),
               "--markdown", str(out / "bench.md")]
    for path in files:
        command += ["--model", path]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads(report.read_text())


def table(files: dict[str, dict[str, Any]], names: dict[str, str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per runtime and thread count: each file's median and its speed-up over that runtime's fp32 file."""
    by_key = {(str(Path(row["artifact"]).resolve()), row["threads"]): row["median_ms"] for row in rows}
    lines = []
    for path, artifact in files.items():
        fmt = artifact["format"]
        fp32 = next(p for p, a in files.items() if a["format"] == fmt and a["precision"] == "fp32")
        for threads in sorted({t for _, t in by_key}):
            ms, base = by_key.get((path, threads)), by_key.get((fp32, threads))
            validation = artifact["validation"] or {}
            lines.append({
                "runtime": RUNTIME[ExportFormat(fmt)], "file": names[path], "threads": threads, "median_ms": ms,
                "speedup_over_fp32": base / ms if ms and base else None,
                "top1_agreement": validation.get("top1_agreement"),
                "referral_flip_rate": validation.get("referral_flip_rate"), "passes_gate": artifact["status"] == "ok",
            })
    return lines


def host_kernels(files: list[str], iters: int) -> dict[str, dict[str, float]]:
    """Each TFLite file's ms per inference by kernel kind (float, int8, convert, ...), 1 thread."""
    kinds = {}
    for path in files:
        command = [sys.executable, "-m", "hierattn.benchmarks.profiling.cli", path, "--host-kernels", "--iters",
                   str(iters), "--json"]
        document = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        profile = document["artifacts"][0]["host_kernels"]
        kinds[path] = {"total": profile["ms_per_inference"], **profile["by_kind_ms"]}
    return kinds


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def kinds_markdown(kinds: dict[str, dict[str, float]], names: dict[str, str]) -> str:
    columns = ["total", "float", "int8", "convert", "data movement", "other"]
    rows = [[names[path], *(f"{kind.get(c, 0.0):.2f}" for c in columns)] for path, kind in kinds.items()]
    return _markdown_table(["LiteRT file, 1 thread", *(f"{c} ms" for c in columns)], rows)


def markdown(lines: list[dict[str, Any]]) -> str:
    header = ["runtime", "file", "threads", "median ms", "speed-up over fp32", "top-1 agreement", "referral flips", "gate"]
    rows = [
        [line["runtime"], line["file"], str(line["threads"]), f"{line['median_ms']:.2f}",
         f"{line['speedup_over_fp32']:.2f}", f"{100 * line['top1_agreement']:.2f}%",
         f"{100 * line['referral_flip_rate']:.2f}%", "passes" if line["passes_gate"] else "fails"]
        for line in sorted(lines, key=lambda x: (x["runtime"], x["threads"], -(x["speedup_over_fp32"] or 0)))
    ]  # fmt: skip
    return _markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="PyTorch checkpoint (default: the bundled demo model)")
    parser.add_argument("--arch", help="architecture the checkpoint must be (default: inferred)")
    parser.add_argument("--out", type=Path, default=Path("int8_bound"))
    parser.add_argument("--calibration-dir", type=Path)
    parser.add_argument("--validation-dir", type=Path)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iters", type=int, default=40)
    parser.add_argument("--host-kernels", action="store_true", help="also split TFLite time by kernel kind (perf)")
    args = parser.parse_args()
    try:
        run(args)
    except HierAttnError as exc:  # a bad checkpoint or image folder: one line, no traceback
        sys.exit(f"error: {exc}")
    except subprocess.CalledProcessError as exc:
        sys.exit(f"error: {' '.join(exc.cmd[1:4])} failed with exit code {exc.returncode} (its message is above)")


def run(args: argparse.Namespace) -> None:
    """Export the fp32, recipe and bound files, time them, print the tables."""
    both = (ExportFormat.ONNX, ExportFormat.TFLITE)
    files = export(args, args.out / "recipe", both, (Precision.FP32, Precision.INT8), None)
    names = {path: f"{a['precision']} (the recipe)" if a["precision"] == "int8" else "fp32" for path, a in files.items()}
    for name, (fmt, profile) in CANDIDATES.items():
        written = export(args, args.out / name, (fmt,), (Precision.INT8,), profile)
        files.update(written)
        names.update(dict.fromkeys(written, f"bound: {name}"))
    rows = bench(args, list(files), args.out)["rows"]
    lines = table(files, names, rows)
    tflite = [path for path, artifact in files.items() if artifact["format"] == "tflite"]
    kinds = host_kernels(tflite, 300) if args.host_kernels else {}
    (args.out / "bound.json").write_text(json.dumps({"files": files, "lines": lines, "host_kernels": kinds}, indent=1))
    print(markdown(lines))
    if kinds:
        print("\n" + kinds_markdown(kinds, names))


if __name__ == "__main__":
    main()
