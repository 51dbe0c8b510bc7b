"""Plots of a report: latency vs parameters and vs MACs (like the paper's Fig. 7), and a per-format bar chart.

Every row is one marker (series = format/precision/threads) or one bar, so a plot can be checked
against the rows it was drawn from. The paper's Table II latencies are drawn as their own series,
labelled with the paper's CPU, at the same x as our counts so only the latency axis compares.
Images have a fixed size (``FIGSIZE`` at ``DPI``) so callers and tests know their pixel size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..zoo import PAPER_DEVICE

FIGSIZE = (10.0, 6.0)
DPI = 100
PAPER_LABEL = f"paper, {PAPER_DEVICE}"
Y_LABELS = {"median_ms": "median latency (ms), batch 1",
            "insns_per_inference": "guest instructions per inference, emulated aarch64 (docs/arm.md)"}


@dataclass(frozen=True)
class PlotResult:
    """What was drawn: the file and how many markers/bars came from rows (paper points excluded)."""

    path: Path
    row_points: int
    paper_points: int


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _series_name(row: dict[str, Any]) -> str:
    if row.get("insns_per_inference") is not None:
        return f"{row['device'].split(':', 1)[-1]} {row['precision']}"
    return f"{row['format']} {row['precision']} t{row['threads']}"


def scatter(rows: Sequence[dict[str, Any]], x_field: str, x_label: str, path: Path,
            y_field: str = "median_ms") -> PlotResult:
    """Median latency (or ``y_field``) against ``x_field`` (params_m or macs_g); HierAttn points highlighted."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    usable = [r for r in rows if r.get(x_field) is not None and r.get(y_field) is not None]
    series: dict[str, list[dict[str, Any]]] = {}
    for row in usable:
        series.setdefault(_series_name(row), []).append(row)
    colours = plt.get_cmap("tab20")  # tab10 repeats colours beyond 10 series (a full run has 12+)
    markers = ("o", "s", "^", "D", "v")  # one marker per thread count
    for index, (name, members) in enumerate(sorted(series.items())):
        xs = [r[x_field] for r in members]
        ys = [r[y_field] for r in members]
        marker = markers[(int(members[0]["threads"]) - 1) % len(markers)]
        line = ax.scatter(xs, ys, label=name, s=30, alpha=0.85, color=colours(index % 20), marker=marker)
        hier = [r for r in members if r["family"] == "hierattn"]
        if hier:
            ax.scatter([r[x_field] for r in hier], [r[y_field] for r in hier], s=120,
                       facecolors="none", edgecolors=line.get_facecolor()[:1], linewidths=1.8)
    paper = {r["model"]: (r[x_field], r["paper_ms"], r["label"]) for r in usable
             if r.get("paper_ms") is not None and y_field == "median_ms"}  # the paper's ms share only a latency axis
    if paper:
        ax.scatter([v[0] for v in paper.values()], [v[1] for v in paper.values()], marker="x", c="black",
                   s=50, label=PAPER_LABEL)
    labelled = {r["model"]: r for r in usable}
    for row in labelled.values():
        ax.annotate(row["label"], (row[x_field], row[y_field]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(x_label)
    latencies = [r[y_field] for r in usable]
    if latencies and max(latencies) > 10 * min(latencies):
        ax.set_yscale("log")  # keeps the fast rows readable next to oversubscribed ones
    ax.set_ylabel(Y_LABELS[y_field])
    ax.set_title(f"{Y_LABELS[y_field].split(',')[0].capitalize()} vs {x_label} (circled: HierAttn)")
    ax.grid(True, alpha=0.3)
    if usable:
        ax.legend(fontsize=7, loc="best")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return PlotResult(path, len(usable), len(paper))


def whiskers(row: dict[str, Any]) -> tuple[float, float]:
    """(down, up) lengths from the median to the fastest and the slowest iteration (0 where unknown).

    Quantiles, never mean +/- std: latencies are skewed (a few slow iterations), so a std whisker
    can reach below zero while no iteration took less than ``min_ms``.
    """
    median = row["median_ms"]
    low = row.get("min_ms")
    high = row.get("max_ms")
    return (median - low if low is not None else 0.0, high - median if high is not None else 0.0)


def bars(rows: Sequence[dict[str, Any]], path: Path) -> PlotResult:
    """Median latency per model, one bar per format/precision/threads; whiskers span min to max."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    rows = [r for r in rows if r.get("median_ms") is not None]
    models = list(dict.fromkeys(r["label"] for r in rows))
    series = sorted({_series_name(r) for r in rows})
    width = 0.8 / max(len(series), 1)
    drawn = 0
    for i, name in enumerate(series):
        members = {r["label"]: r for r in rows if _series_name(r) == name}
        xs = [j + i * width for j, m in enumerate(models) if m in members]
        ys = [members[m]["median_ms"] for m in models if m in members]
        spans = [whiskers(members[m]) for m in models if m in members]
        ax.bar(xs, ys, width=width, yerr=[[d for d, _ in spans], [u for _, u in spans]], label=name, capsize=2)
        drawn += len(xs)
    highest = [r["max_ms"] or r["median_ms"] for r in rows]
    if highest and max(highest) > 10 * min(r["median_ms"] for r in rows):
        ax.set_yscale("log")  # a slow row's whisker would flatten every other bar
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(models))], models, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("median latency (ms), batch 1; whiskers: fastest to slowest iteration")
    ax.set_title("Latency per model and format")
    ax.grid(True, axis="y", alpha=0.3)
    if series:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return PlotResult(path, drawn, 0)


def write_plots(rows: Sequence[dict[str, Any]], prefix: Path) -> list[PlotResult]:
    """Write ``<prefix>_params.png``, ``<prefix>_macs.png`` and ``<prefix>_formats.png``."""
    prefix = Path(prefix)
    if prefix.suffix.lower() == ".png":
        prefix = prefix.with_suffix("")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    if any(r.get("insns_per_inference") is not None for r in rows):
        return [scatter(rows, "macs_g", "MACs (G)", prefix.with_name(prefix.name + "_insns.png"), "insns_per_inference")]
    return [
        scatter(rows, "params_m", "parameters (M)", prefix.with_name(prefix.name + "_params.png")),
        scatter(rows, "macs_g", "MACs (G)", prefix.with_name(prefix.name + "_macs.png")),
        bars(rows, prefix.with_name(prefix.name + "_formats.png")),
    ]
