"""The terminal table of an export run (the JSON form is ``ExportReport.to_dict``)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..runtime.spec import class_names_line
from .options import ExportReport, Status

STATUS_STYLE = {Status.OK: "green", Status.VALIDATION_FAILED: "yellow", Status.EXPORT_FAILED: "red"}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(report: ExportReport, console: Console | None = None) -> None:
    """One row per artifact (format, precision, size, max diff, top-1 agreement, flip rate, share of
    nodes delegated to XNNPACK for ExecuTorch, status), then each artifact's path or error on its own
    line (and any ops left to portable kernels) so long paths never squeeze the table."""
    console = console or Console(width=None if sys.stdout.isatty() else 120)  # piped: no 80-column squeeze
    table = Table(title=f"hierattn-export (validation: {escape(report.validation_images)})")
    for column in ("format", "precision", "MB", "max |diff|", "top-1", "flips", "delegated"):
        table.add_column(column, no_wrap=True)
    table.add_column("status", no_wrap=True)
    for a in report.artifacts:
        v = a.validation
        table.add_row(
            a.format.value,
            a.precision.value,
            _fmt(a.size_mb, ".2f"),
            _fmt(v.max_abs_diff if v else None, ".2e"),
            _fmt(v.top1_agreement if v else None, ".1%"),
            _fmt(v.referral_flip_rate if v else None, ".1%"),
            _fmt(a.notes.get("delegation", {}).get("delegated_share"), ".1%"),
            f"[{STATUS_STYLE[a.status]}]{a.status.value}[/]",
        )
    console.print(table)
    if report.class_names:
        console.print(f"classes: {escape(class_names_line(report.class_names, report.class_names_source))}", soft_wrap=True)
        console.print(f"referral classes: {' '.join(report.referral_classes) or 'none'}", soft_wrap=True)
    for a in report.artifacts:
        where = str(a.path) if a.path else f"error: {a.error}"
        console.print(f"{a.format.value} {a.precision.value}: {escape(where)}", soft_wrap=True)
        portable = a.notes.get("delegation", {}).get("portable_ops")
        if portable:
            ops = ", ".join(f"{op} x{n}" for op, n in portable.items())
            console.print(f"  not delegated (portable kernels): {escape(ops)}", soft_wrap=True)

