"""Ratios and Markdown tables of ``arm-emulated`` rows (guest instructions per inference).

Like ``markdown``, everything here is computed from the rows of a report, so a table in docs/arm.md
is rendered from a saved JSON report, never typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Row = dict[str, Any]
PRECISION_ORDER = ("fp32", "fp16", "int8-dynamic", "int8")
MODEL = "hierattn_xs"
BASELINE = "mobilenet_v3_large"


def arm_rows(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if r.get("insns_per_inference") is not None]


def _ratio(a: Row | None, b: Row | None) -> float | None:
    if a is None or b is None or not b["insns_per_inference"]:
        return None
    return a["insns_per_inference"] / b["insns_per_inference"]


def insn_ratios(rows: Sequence[Row], model: str = MODEL, baseline: str = BASELINE) -> list[dict[str, Any]]:
    """Per emulated core and format: every row over its own fp32 row, and ``model`` over ``baseline``."""
    cells = {(r["device"], r.get("format", "tflite"), r["model"], r["precision"]): r for r in arm_rows(rows)}
    result = []
    for (device, fmt, name, precision), row in sorted(cells.items()):
        item: dict[str, Any] = {"device": device, "format": fmt, "model": name, "precision": precision,
                                "over_fp32": _ratio(row, cells.get((device, fmt, name, "fp32")))}
        if name == model:
            item[f"{model}_over_{baseline}"] = _ratio(row, cells.get((device, fmt, baseline, precision)))
        result.append(item)
    return result


def _label(row: Row) -> str:
    """A model's label in a table whose columns are precisions: --model rows share their arch's name."""
    if row.get("family") == "file":
        return f"{row['model']} (--model files)"
    return row.get("label") or row["model"]


def _millions(row: Row | None) -> float | None:
    return None if row is None else row["insns_per_inference"] / 1e6


def _number(value: Any, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _precisions(rows: Sequence[Row]) -> list[str]:
    present = {r["precision"] for r in rows}
    return [p for p in PRECISION_ORDER if p in present] + sorted(present - set(PRECISION_ORDER))


def count_tables(rows: Sequence[Row]) -> str:
    """Per emulated core and runtime: M guest instructions per inference (models x precision) and int8/fp32."""
    rows = arm_rows(rows)
    if not rows:
        return ""
    precisions = _precisions(rows)
    parts = []
    for device, fmt in sorted({(r["device"], r.get("format", "tflite")) for r in rows}):
        group = [r for r in rows if r["device"] == device and r.get("format", "tflite") == fmt]
        cells = {(r["model"], r["precision"]): r for r in group}
        models = list(dict.fromkeys(r["model"] for r in group))
        ratio_cols = [p for p in precisions if p != "fp32"] if "fp32" in precisions else []
        header = ["model", "MACs (G)", *(f"{p} M insns" for p in precisions), *(f"{p} / fp32" for p in ratio_cols)]
        runtime = "ONNX Runtime" if fmt == "onnx" else "LiteRT XNNPACK"
        lines = [f"{device.split(':', 1)[-1]} (emulated), {runtime} 1 thread, "
                 "million guest instructions per inference:", "",
                 "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model in models:
            any_row = next(r for (m, _), r in cells.items() if m == model)
            counts = [_number(_millions(cells.get((model, p))), 1) for p in precisions]
            ratios = [_number(_ratio(cells.get((model, p)), cells.get((model, "fp32"))), 2) for p in ratio_cols]
            lines.append("| " + " | ".join([_label(any_row), _number(any_row.get("macs_g"), 2),
                                           *counts, *ratios]) + " |")
        xs = [(p, _ratio(cells.get((MODEL, p)), cells.get((BASELINE, p)))) for p in precisions]
        if any(v is not None for _, v in xs):
            lines += ["", "HierAttn-xs / MobileNetV3-Large: " + ", ".join(f"{p} {_number(v, 2)}" for p, v in xs)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def numerics_table(rows: Sequence[Row]) -> str:
    """Emulated-kernel outputs vs the same file on this host's LiteRT and vs PyTorch, per row."""
    rows = arm_rows(rows)
    if not rows:
        return ""
    lines = ["| core | model | precision | images | max abs diff vs x86 | top-1 vs x86 | max abs diff vs PyTorch | "
             "top-1 vs PyTorch |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['device'].split(':', 1)[-1]} | {r.get('label') or r['model']} | {r['precision']} | "
                     f"{r.get('numerics_images') or '-'} | {_fmt_diff(r.get('x86_max_abs_diff'))} | "
                     f"{_pct(r.get('x86_top1_agreement'))} | {_fmt_diff(r.get('fidelity_max_abs_diff'))} | "
                     f"{_pct(r.get('fidelity_top1_agreement'))} |")
    differences = [(r, d) for r in rows for d in r.get("top1_differences") or []]
    if differences:
        lines += ["", "Images whose top-1 under the emulated kernels differs from this host's LiteRT or PyTorch's:",
                  "", "| core | model | image | emulated | this host | PyTorch |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['device'].split(':', 1)[-1]} | {r.get('label') or r['model']} | {d['image']} | "
                  f"{d['arm']} | {d['x86']} | {d.get('pytorch') or '-'} |" for r, d in differences]
    return "\n".join(lines) + "\n"


def _fmt_diff(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def render(rows: Sequence[Row]) -> str:
    """Both tables, or an empty string when there are no emulated (instruction-count) rows."""
    counts = count_tables(rows)
    return "" if not counts else counts + "\nNumerics under the emulated kernels:\n\n" + numerics_table(rows)
