"""The terminal table of an export run (the JSON form is ``ExportReport.to_dict``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hierattn.export.options import ExportReport, Status

STATUS_STYLE = {Status.OK: "green", Status.VALIDATION_FAILED: "yellow", Status.EXPORT_FAILED: "red"}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(report: ExportReport, console: Console | None = None) -> None:
    """One row per artifact: format, precision, size, max diff, top-1 agreement, flip rate, status, path."""
    console = console or Console()
    table = Table(title=f"hierattn-export ({report.validation_images})")
    for column in ("format", "precision", "size MB", "max |diff|", "top-1 agree", "flip rate", "status", "path / error"):
        table.add_column(column)
    for a in report.artifacts:
        v = a.validation
        table.add_row(
            a.format.value,
            a.precision.value,
            _fmt(a.size_mb, ".2f"),
            _fmt(v.max_abs_diff if v else None, ".2e"),
            _fmt(v.top1_agreement if v else None, ".1%"),
            _fmt(v.referral_flip_rate if v else None, ".1%"),
            f"[{STATUS_STYLE[a.status]}]{a.status.value}[/]",
            str(a.path) if a.path else (a.error or ""),
        )
    console.print(table)
