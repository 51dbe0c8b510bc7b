"""Render hierattn-predict results as JSON, CSV or a terminal table."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import text_table
from ..errors import HierAttnError
from ..prediction import DISCLAIMER, Prediction


@dataclass(frozen=True)
class Row:
    """One input's outcome: a prediction or the error that stopped it."""

    path: Path
    outcome: Prediction | HierAttnError

    def to_dict(self) -> dict[str, Any]:
        if isinstance(self.outcome, HierAttnError):
            return {"path": str(self.path), "label": None, "probabilities": None, "top_k": None,
                    "crop_box": None, "referral": None, "error": str(self.outcome), "warnings": []}
        data = self.outcome.to_dict()
        return {"path": str(self.path), "label": data["label"], "probabilities": data["probabilities"],
                "top_k": data["top_k"], "crop_box": data["crop_box"], "referral": data["referral"], "error": None,
                "warnings": data["warnings"]}

    @property
    def warnings(self) -> list[str]:
        return [] if isinstance(self.outcome, HierAttnError) else list(self.outcome.warnings)


def to_json(rows: list[Row], model_sha256: str = "") -> str:
    """``{"results": [...], "model_sha256": ..., "disclaimer": ...}`` with results in input order."""
    document = {"results": [row.to_dict() for row in rows], "model_sha256": model_sha256, "disclaimer": DISCLAIMER}
    return json.dumps(document, indent=2)


def csv_header(class_names: tuple[str, ...]) -> list[str]:
    return ["path", "label", "top_k", "crop_box", "referral", "error", "warnings", "model_sha256", *class_names]


def csv_fields(d: dict[str, Any], class_names: tuple[str, ...]) -> list[str]:
    """One CSV record from ``Row.to_dict()`` (plus ``model_sha256``); messages are single lines, so a
    record is one line."""
    model = d.get("model_sha256") or ""
    warnings = " | ".join(" ".join(w.splitlines()) for w in d.get("warnings") or [])
    if d["error"]:
        return [d["path"], "", "", "", "", " ".join(d["error"].splitlines()), warnings, model,
                *([""] * len(class_names))]
    top_k = ";".join(f"{label}:{p:.6f}" for label, p in d["top_k"])
    box = " ".join(map(str, d["crop_box"])) if d["crop_box"] else ""
    probs = [f"{d['probabilities'][name]:.6f}" for name in class_names]
    return [d["path"], d["label"], top_k, box, d["referral"]["message"], "", warnings, model, *probs]


def to_csv(rows: list[Row], class_names: tuple[str, ...], model_sha256: str = "") -> str:
    """One line per input: path, label, top-k, crop box, referral, error, warnings, model sha256, then one
    column per class."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(class_names))
    for row in rows:
        writer.writerow(csv_fields({**row.to_dict(), "model_sha256": model_sha256}, class_names))
    return buffer.getvalue()


TABLE_HEADERS = ("image", "label", "top-k", "crop box", "referral")


def _cells(row: Row) -> tuple[str, str, str, str, str]:
    """The table's five cells of one row; an error takes the label "error" and its message as top-k."""
    d = row.to_dict()
    if d["error"]:
        return d["path"], "error", d["error"], "", ""
    top_k = ", ".join(f"{label} {p:.2f}" for label, p in d["top_k"])
    box = ",".join(map(str, d["crop_box"])) if d["crop_box"] else "none"
    return d["path"], d["label"], top_k, box, d["referral"]["message"]


def to_table(rows: list[Row]) -> Any:
    """A rich Table for the terminal."""
    from rich.table import Table

    table = Table(title="HierAttn predictions", caption=DISCLAIMER)
    table.add_column("image", overflow="fold")
    for column in TABLE_HEADERS[1:]:
        table.add_column(column)
    for row in rows:
        path, label, *rest = _cells(row)
        table.add_row(path, "[red]error[/red]" if label == "error" else label, *rest)
    return table


def to_text(rows: list[Row]) -> str:
    """The same table as plain text for a log or a pipe: whole paths, one line per image, then the disclaimer."""
    return text_table.render(TABLE_HEADERS, [_cells(row) for row in rows]) + DISCLAIMER + "\n"
