"""``hierattn-profile``: op census and per-op-type time of exported ONNX, TFLite and Core ML files.

Only parses options, calls ``hierattn.benchmarks.profile`` and prints: rich tables, or exactly one
JSON document on stdout with ``--json``. Exit 0 on success, 2 on usage errors (bad path or suffix).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from hierattn.runtime.cli_support import run_or_exit

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])


@app.command()
def main(
    artifacts: list[Path] = typer.Argument(..., help="Exported files: .onnx, .tflite or .mlpackage."),
    iters: int = typer.Option(50, "--iters", min=1, help="ONNX: profiled inferences (after one warm-up)."),
    threads: int = typer.Option(1, "--threads", min=1, help="ONNX: intra-op threads of the profiled session."),
    top: int = typer.Option(15, "--top", min=1, help="Op types shown per table (JSON always has all)."),
    json_output: bool = typer.Option(False, "--json", help="Print exactly one JSON document on stdout."),
) -> None:
    """Count ops (total, transposes, data movement, XNNPACK partitions) and time ONNX ops per type."""
    from hierattn.benchmarks.profile import profile_artifact

    profiles = run_or_exit(lambda: [profile_artifact(p, iters=iters, threads=threads) for p in artifacts])
    if json_output:
        sys.stdout.write(json.dumps({"artifacts": [p.to_dict() for p in profiles]}, indent=2) + "\n")
        return
    from rich.console import Console

    console = Console(width=160)
    for profile in profiles:
        _print_profile(console, profile, top)


def _print_profile(console, profile, top: int) -> None:  # noqa: ANN001 - rich Console, Profile
    from rich.table import Table

    census = profile.census
    summary = f"{census.total} ops, {census.transposes} transposes, {census.data_movement} data-movement ops"
    if profile.runtime_census is not None:
        rc = profile.runtime_census
        summary += f"; as ONNX Runtime runs it: {rc.total} ops, {rc.transposes} transposes"
    if profile.delegation:
        d = profile.delegation
        summary += f"; XNNPACK partitions {d['partitions']}, undelegated {d['undelegated_ops'] or 'none'}"
    console.print(f"[bold]{profile.path}[/bold] ({profile.format}): {summary}")
    ops = Table("op", "count", title="op census (file)")
    for op, count in list(census.to_dict()["ops"].items())[:top]:
        ops.add_row(op, str(count))
    console.print(ops)
    if profile.op_times:
        times = Table("op", "ms / inference", "share", "nodes",
                      title=f"ONNX Runtime kernel time, {profile.threads} thread(s), {profile.iters} runs")
        for t in profile.op_times[:top]:
            times.add_row(t.op, f"{t.ms:.3f}", f"{100 * t.share:.1f}%", str(t.nodes))
        total = sum(t.ms for t in profile.op_times)
        times.add_row("total", f"{total:.3f}", "100%", str(sum(t.nodes for t in profile.op_times)))
        console.print(times)


if __name__ == "__main__":
    app()
