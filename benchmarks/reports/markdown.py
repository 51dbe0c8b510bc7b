"""Report-ready Markdown: one latency table per thread count (models x format/precision), plus ratios.

``hierattn-bench ... --markdown PATH`` writes it after a run; ``python -m hierattn.benchmarks.reports.markdown
REPORT.json [MORE.json ...]`` renders it from saved JSON reports, so tables in a write-up always come
from measured rows, never from typing numbers over. Several reports (one model per run, as the slow
emulated-phone runs are done) become one set of tables; the head names every run's command, because
latencies of different runs were not interleaved (instruction counts are deterministic, so they merge
without that caveat).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..emulated import report as arm_report
from ..environment import int8_dot_product
from .report import ratios

Row = dict[str, Any]

COLUMN_ORDER = (
    ("pytorch", "fp32", "PyTorch"),
    ("onnx", "fp32", "ONNX fp32"),
    ("onnx", "fp16", "ONNX fp16"),
    ("onnx", "int8-dynamic", "ONNX int8-dyn"),
    ("onnx", "int8", "ONNX int8"),
    ("tflite", "fp32", "TFLite fp32"),
    ("tflite", "fp16", "TFLite fp16"),
    ("tflite", "int8-dynamic", "TFLite int8-dyn"),
    ("tflite", "int8", "TFLite int8"),
    ("executorch", "fp32", "ExecuTorch fp32"),
    ("executorch", "fp16", "ExecuTorch fp16"),
    ("executorch", "int8", "ExecuTorch int8"),
)


def _number(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _line(row: Row, zoo_models: set[str]) -> str:
    """Table line of a row: its model, or its file name for a --model file whose architecture is also a zoo row."""
    if row.get("family") == "file" and row["model"] in zoo_models:
        return f"{row['label']} ({row.get('graph') or 'graph unknown'})"
    return row["model"]


def latency_tables(rows: Sequence[Row]) -> str:
    """Median latency (ms) per model and format/precision, one table per (threads, batch)."""
    zoo_models = {r["model"] for r in rows if r.get("family") != "file"}
    rows = [{**r, "model": _line(r, zoo_models), "label": _line(r, zoo_models) if r.get("family") == "file" else r.get("label")}
            for r in rows]
    settings = sorted({(r["threads"], r["batch"]) for r in rows})
    present = {(r["format"], r["precision"]) for r in rows}
    columns = [c for c in COLUMN_ORDER if (c[0], c[1]) in present]
    columns += [(f, p, f"{f} {p}") for f, p in sorted(present) if (f, p) not in {(c[0], c[1]) for c in columns}]
    models: list[str] = []
    for row in rows:
        if row["model"] not in models:
            models.append(row["model"])
    parts = []
    for threads, batch in settings:
        cells = {(r["model"], r["format"], r["precision"]): r for r in rows if (r["threads"], r["batch"]) == (threads, batch)}
        header = ["model", "params (M)", "MACs (G)"] + [c[2] for c in columns] + ["paper"]
        lines = [f"{threads} thread{'s' if threads > 1 else ''}, batch {batch}, median ms:", "",
                 "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model in models:
            any_row = next((r for (m, _, _), r in cells.items() if m == model), None)
            if any_row is None:
                continue
            values = [_number((cells.get((model, f, p)) or {}).get("median_ms")) for f, p, _ in columns]
            lines.append("| " + " | ".join([any_row.get("label") or model, _number(any_row.get("params_m"), 2),
                                           _number(any_row.get("macs_g"), 2), *values,
                                           _number(any_row.get("paper_ms"), 0)]) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def ratio_lines(rows: Sequence[Row]) -> str:
    """HierAttn-xs over MobileNetV3-Large and over its own PyTorch eager row, per backend and threads."""
    items = ratios(rows)
    if not items:
        return "(no HierAttn-xs rows, so no ratios)\n"
    lines = ["| format | precision | threads | xs / MobileNetV3-Large | xs / xs PyTorch eager |", "|---|---|---|---|---|"]
    for item in items:
        lines.append(f"| {item['format']} | {item['precision']} | {item['threads']} | "
                     f"{_number(item['hierattn_xs_over_mobilenet_v3_large'], 2)} | "
                     f"{_number(item['hierattn_xs_over_pytorch'], 2)} |")
    return "\n".join(lines) + "\n"


def merge(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One document holding the rows and skips of several reports, and every run's environment."""
    merged = dict(documents[0])
    merged["rows"] = [row for document in documents for row in document["rows"]]
    merged["skipped"] = [skip for document in documents for skip in document.get("skipped") or []]
    merged["runs"] = [document.get("environment", {}) for document in documents]
    return merged


def _run_head(environment: dict[str, Any]) -> str:
    return (f"Command: `{environment.get('command', '?')}`  \n"
            f"CPU: {environment.get('cpu_model', '?')}, {environment.get('cpu_count', '?')} logical cores, "
            f"ISA {_isa(environment)}, "
            f"governor {environment.get('governor') or 'not readable'}; {environment.get('timestamp', '')}\n")


def _isa(environment: dict[str, Any]) -> str:
    """The ISA flags of a run, with whether int8 dot products exist (reports older than the field say so)."""
    if "cpu_isa" not in environment:
        return "not recorded"
    isa = environment["cpu_isa"]
    dot = "with" if int8_dot_product(isa) else "without"
    return f"{' '.join(isa) or 'none of the listed flags'} ({dot} int8 dot products)"


def render(document: dict[str, Any]) -> str:
    """The whole Markdown report of a JSON benchmark document (or of several, through ``merge``)."""
    runs = document.get("runs") or [document.get("environment", {})]
    head = "".join(_run_head(environment) for environment in runs)
    if len(runs) > 1:
        head = (f"Rows of {len(runs)} runs (latencies of different runs were not interleaved):\n\n"
                + "\n".join(f"{i}. " + _run_head(environment).replace("  \n", "  \n   ")
                             for i, environment in enumerate(runs, 1)))
    skipped = document.get("skipped") or []
    tail = "" if not skipped else "\nSkipped:\n\n" + "\n".join(
        f"- {s['model']} {s['format']} {s['precision']}: {s['reason']}" for s in skipped) + "\n"
    timed = [r for r in document["rows"] if r.get("insns_per_inference") is None]
    parts = [head]
    if timed or not document["rows"]:
        parts += [latency_tables(timed), ratio_lines(timed)]
    counted = arm_report.render(document["rows"])
    if counted:
        parts.append(counted)
    return "\n".join(parts) + tail


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m hierattn.benchmarks.reports.markdown REPORT.json [MORE.json ...]", file=sys.stderr)
        return 2
    documents = []
    for path in map(Path, args):
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"error: cannot read benchmark report {path}: {exc}", file=sys.stderr)
            return 2
        if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
            print(f"error: {path} is not a hierattn-bench JSON report (no 'rows' list); write one with --json", file=sys.stderr)
            return 2
        documents.append(document)
    print(render(merge(documents)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
