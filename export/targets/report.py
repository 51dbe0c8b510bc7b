"""The terminal table of ``hierattn-export --target``: cost against on-target fidelity, and the choice."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .run import TargetReport


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_target_table(report: TargetReport, console: Console | None = None) -> None:
    """One row per candidate: cost, cost / fp32, top-1 agreement, referral flips, max |diff| (all on the
    target's kernels against PyTorch) and the verdict; then each failing candidate's reason."""
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    target = report.target
    table = Table(title=f"hierattn-export --target {target.name} ({escape(target.features)}; "
                        f"{report.images} validation images on its kernels)")
    for column in ("precision", target.unit, "/ fp32", "top-1", "flips", "max |diff|", "gate", ""):
        table.add_column(column, no_wrap=True)
    ref = report.reference_cost
    for c in report.candidates:
        v = c.validation
        table.add_row(
            c.precision,
            _fmt(c.cost, ".2f"),
            _fmt(c.cost / ref if c.cost is not None and ref else None, ".3f"),
            _fmt(v.top1_agreement if v else None, ".2%"),
            _fmt(v.referral_flip_rate if v else None, ".2%"),
            _fmt(v.max_abs_diff if v else None, ".3g"),
            "[green]pass[/]" if c.failure is None else "[red]fail[/]",
            "[bold]selected[/]" if c is report.selected else "",
        )
    console.print(table)
    for c in report.candidates:
        if c.failure is not None:
            console.print(f"{c.precision}: not selectable: {escape(c.failure)}", soft_wrap=True)
    if report.selected is not None and report.selected.path is not None:
        console.print(f"selected: {escape(str(report.selected.path))}", soft_wrap=True)
    else:
        console.print("[red]no candidate passed its gate on this target[/]")
