"""Turn benchmark rows into the report: JSON document, CSV, ratios, and the table (rich on a terminal, plain text elsewhere)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...runtime import text_table
from ..emulated.report import insn_ratios
from .schema import ROW_FIELDS, SCHEMA_VERSION, schema_errors

Row = dict[str, Any]
WEIGHTS_LEGEND = ("weights: demo = the bundled demo checkpoint (trained on synthetic images); random = seed-0 random "
                  "weights, whose max|diff| and top-1 check the conversion only")
TABLE_COLUMNS = (
    ("label", "model", ""), ("weights", "weights", ""), ("format", "format", ""), ("precision", "prec", ""),
    ("threads", "thr", "d"), ("median_ms", "median ms", ".2f"), ("p90_ms", "p90 ms", ".2f"), ("std_ms", "std", ".2f"),
    ("throughput_ips", "img/s", ".1f"), ("cold_start_ms", "cold ms", ".0f"), ("peak_rss_mb", "RSS MB", ".0f"),
    ("size_mb", "size MB", ".2f"), ("params_m", "params M", ".2f"), ("macs_g", "GMACs", ".3f"),
    ("fidelity_max_abs_diff", "max|diff|", ".1e"), ("fidelity_top1_agreement", "top-1", ".2f"),
    ("paper_ms", "paper ms", ".0f"),
)
ARM_COLUMNS = (
    ("device", "device", ""), ("label", "model", ""), ("precision", "prec", ""),
    ("insns_per_inference", "insns/inference", ",.0f"), ("setup_insns", "setup insns", ",.0f"),
    ("size_mb", "size MB", ".2f"), ("macs_g", "GMACs", ".3f"), ("numerics_images", "images", "d"),
    ("x86_max_abs_diff", "max|diff| x86", ".1e"), ("x86_top1_agreement", "top-1 x86", ".3f"),
    ("fidelity_max_abs_diff", "max|diff| torch", ".1e"), ("fidelity_top1_agreement", "top-1 torch", ".3f"),
)


def _key(row: Row) -> tuple[Any, ...]:
    return (row["format"], row["precision"], row["threads"], row["batch"])


def _ratio(row: Row, other: Row | None) -> float | None:
    if other is None or not row.get("median_ms") or not other.get("median_ms"):
        return None
    return row["median_ms"] / other["median_ms"]


def ratios(rows: Sequence[Row], model: str = "hierattn_xs", baseline: str = "mobilenet_v3_large") -> list[dict[str, Any]]:
    """Median-latency ratios for ``model``: vs ``baseline`` in the same setting, and vs its own PyTorch eager row."""
    by_model: dict[str, dict[tuple[Any, ...], Row]] = {}
    for row in rows:
        if row.get("insns_per_inference") is not None:
            continue  # arm-emulated rows compare instruction counts: see arm_report.insn_ratios
        slot = by_model.setdefault(row["model"], {})
        current = slot.get(_key(row))
        # A zoo row outranks a --model file of the same architecture (which may hold another graph).
        if current is None or current.get("family") == "file" or row.get("family") != "file":
            slot[_key(row)] = row
    mine, theirs = by_model.get(model, {}), by_model.get(baseline, {})
    result = []
    for key, row in sorted(mine.items(), key=lambda kv: str(kv[0])):
        eager = mine.get(("pytorch", "fp32", row["threads"], row["batch"]))
        other = theirs.get(key)
        result.append({
            "format": row["format"], "precision": row["precision"], "threads": row["threads"], "batch": row["batch"],
            f"{model}_over_{baseline}": _ratio(row, other),
            f"{model}_over_pytorch": _ratio(row, eager),
        })
    return result


def build_document(
    environment: dict[str, Any], config: dict[str, Any], rows: Sequence[Row], skipped: Sequence[dict[str, str]]
) -> dict[str, Any]:
    """The JSON report; raises ValueError if it does not conform to the documented schema."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "environment": environment,
        "config": config,
        "rows": [{name: row.get(name) for name in ROW_FIELDS} for row in rows],
        "skipped": list(skipped),
        "ratios": ratios(rows),
        "arm_ratios": insn_ratios(rows),
    }
    errors = schema_errors(document)
    if errors:
        raise ValueError("benchmark report does not match its schema: " + "; ".join(errors[:5]))
    return document


def write_json(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _csv_cell(value: Any) -> Any:
    """Empty for null, JSON for the list-valued fields (top1_differences), the value otherwise."""
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, list | dict) else value


def write_csv(rows: Sequence[Row], path: Path) -> None:
    """One line per row, columns in ROW_FIELDS order, empty cells for null."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROW_FIELDS))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in ROW_FIELDS})


def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    return format(value, fmt) if fmt else str(value)


E2E_COLUMNS = (
    ("device", "device", ""), ("format", "format", ""), ("end_to_end_image", "image", ""),
    ("preprocessing", "prep", "d"), ("decode_ms", "decode ms", ".1f"), ("preprocess_ms", "preprocess ms", ".1f"),
    ("inference_ms", "inference ms", ".1f"), ("median_ms", "total ms", ".1f"), ("p90_ms", "p90 ms", ".1f"),
    ("cpu_ms", "CPU ms", ".1f"), ("pixel_buffer_bytes", "pixel buffers", ""),
)
Columns = tuple[tuple[str, str, str], ...]


def _layout(rows: Sequence[Row], title: str) -> tuple[str, Columns, list[Row], str | None]:
    """Title, columns, ordered rows and the legend line (what the weights column means) of the table.

    End-to-end rows get one line per (device, image, preprocessing version) with each stage's median.
    """
    if bool(rows) and all(r.get("end_to_end_image") is not None for r in rows):
        ordered = sorted(rows, key=lambda r: (r["device"], r["format"], r["end_to_end_image"], r["preprocessing"]))
        return f"{title}: end to end (medians)", E2E_COLUMNS, ordered, None
    if bool(rows) and all(r.get("insns_per_inference") is not None for r in rows):
        ordered = sorted(rows, key=lambda r: (r["device"], r["precision"], r["insns_per_inference"]))
        return title, ARM_COLUMNS, ordered, None
    ordered = sorted(rows, key=lambda r: (r["format"], r["precision"], r["threads"], r["median_ms"] or r["mean_ms"]))
    return title, TABLE_COLUMNS, ordered, WEIGHTS_LEGEND if any(r.get("weights") for r in rows) else None


def _cells(row: Row, columns: Columns) -> list[str]:
    cells = [_cell(row.get(name), fmt) for name, _, fmt in columns]
    if columns is E2E_COLUMNS:
        size = row.get("pixel_buffer_bytes")
        cells[-1] = "-" if size is None else f"{size / 1e6:.2f} MB"
    return cells


def render_table(rows: Sequence[Row], title: str = "hierattn-bench") -> Any:
    """A rich Table of the rows, for a terminal (print it with a rich Console)."""
    from rich.table import Table

    title, columns, ordered, legend = _layout(rows, title)
    table = Table(title=title, caption=legend)
    for _, header, fmt in columns:
        table.add_column(header, justify="right" if fmt else "left")
    for row in ordered:
        table.add_row(*_cells(row, columns))
    return table


def render_text(rows: Sequence[Row], title: str = "hierattn-bench") -> str:
    """The table as plain text for logs and pipes: every column at full width, a line per row."""
    title, columns, ordered, legend = _layout(rows, title)
    body = text_table.render([header for _, header, _ in columns], [_cells(row, columns) for row in ordered],
                             [bool(fmt) for _, _, fmt in columns])
    return f"{title}\n{body}" + (f"{legend}\n" if legend else "")
