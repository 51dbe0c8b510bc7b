"""``hierattn-profile``: op census and per-op-type time of exported ONNX, TFLite and Core ML files.

Only parses options, calls ``hierattn.benchmarks.profiling.profile`` and prints: rich tables, or exactly one
JSON document on stdout with ``--json``. Exit 0 on success, 2 on usage errors (bad path or suffix).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ...runtime.console import CliApp, run_or_exit, split_list
from ...runtime.native_log import quiet_native_logs

app = CliApp(help=(__doc__ or "").partition("\n")[0])


@app.command()
def main(
    artifacts: list[Path] = typer.Argument(..., help="Exported files: .onnx, .tflite or .mlpackage."),
    iters: int = typer.Option(50, "--iters", min=1, help="ONNX, --host-kernels: profiled inferences (after warm-up)."),
    threads: int = typer.Option(1, "--threads", min=1, help="ONNX, --host-kernels: threads of the profiled session."),
    top: int = typer.Option(15, "--top", min=1, help="Op types shown per table (JSON always has all)."),
    arm: list[str] = typer.Option(
        [], "--arm", callback=split_list, help="TFLite: also count instructions per inference by kernel on these "
        "emulated cores (qemu CPU models, repeated or comma-separated, e.g. cortex-a76,cortex-a53; docs/arm.md), "
        "minutes per core.",
    ),
    x86: list[str] = typer.Option(
        [], "--x86", callback=split_list, help="TFLite: the same count by kernel on emulated AVX2-only x86 CPUs "
        "(qemu-x86_64 models, repeated or comma-separated, e.g. Haswell; docs/arm.md).",
    ),
    host_kernels: bool = typer.Option(
        False, "--host-kernels", help="TFLite: also sample this CPU's time per XNNPACK kernel with Linux perf "
        "(integer vs float work on x86, the counterpart of --arm).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print exactly one JSON document on stdout."),
) -> None:
    """Count ops (total, transposes, data movement, XNNPACK partitions) and time ONNX ops per type."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    from .profile import profile_artifact

    cpus = tuple(arm)
    x86_cpus = tuple(x86)

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    profiles = run_or_exit(
        lambda: [profile_artifact(p, iters=iters, threads=threads, arm_cpus=cpus, log=log, host_kernels=host_kernels,
                                  x86_cpus=x86_cpus)
                 for p in artifacts]
    )
    if json_output:
        sys.stdout.write(json.dumps({"artifacts": [p.to_dict() for p in profiles]}, indent=2) + "\n")
        return
    from rich.console import Console

    console = Console(width=160)
    for profile in profiles:
        _print_profile(console, profile, top)


def _print_profile(console, profile, top: int) -> None:
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
    if profile.macs is not None:
        _print_macs(console, profile.macs)
    if profile.op_times:
        times = Table("op", "ms / inference", "share", "nodes",
                      title=f"ONNX Runtime kernel time, {profile.threads} thread(s), {profile.iters} runs")
        for t in profile.op_times[:top]:
            times.add_row(t.op, f"{t.ms:.3f}", f"{100 * t.share:.1f}%", str(t.nodes))
        total = sum(t.ms for t in profile.op_times)
        times.add_row("total", f"{total:.3f}", "100%", str(sum(t.nodes for t in profile.op_times)))
        console.print(times)
    for arm in profile.arm_kernels:
        _print_arm(console, arm, top)
    if profile.host_kernels is not None:
        _print_host(console, profile.host_kernels, top)


def _print_macs(console, macs) -> None:
    from rich.table import Table

    total = macs.integer_macs + macs.float_macs
    console.print(f"multiply-accumulates: {total / 1e6:.1f} M, {100 * macs.integer_share:.1f}% in integer kernels")
    table = Table("op", "M MACs", "integer")
    for op, counts in sorted(macs.by_op.items()):
        op_total = counts["integer"] + counts["float"]
        table.add_row(op, f"{op_total / 1e6:.1f}", f"{100 * counts['integer'] / op_total:.1f}%" if op_total else "-")
    console.print(table)
    if macs.uncounted:
        console.print(f"{len(macs.uncounted)} MAC ops without inferred shapes are not counted")


def _print_arm(console, arm, top: int) -> None:
    from rich.table import Table

    data = arm.to_dict()
    total = data["insns_per_inference"]
    kinds = Table("kind", "M insns / inference", "share",
                  title=f"{arm.cpu} ({arm.device}), LiteRT XNNPACK 1 thread: {total / 1e6:.1f} M instructions per inference")
    for kind, insns in data["by_kind"].items():
        kinds.add_row(kind, f"{insns / 1e6:.2f}", f"{100 * insns / total:.1f}%")
    console.print(kinds)
    families = Table("kernel family", "M insns / inference", "share", title=f"{arm.cpu}: by microkernel family")
    for family, insns in list(data["by_operation"].items())[:top]:
        families.add_row(family, f"{insns / 1e6:.2f}", f"{100 * insns / total:.1f}%")
    console.print(families)


def _print_host(console, host, top: int) -> None:
    from rich.table import Table

    total = host.ms_per_inference
    console.print(f"this CPU, LiteRT XNNPACK {host.threads} thread(s): {total:.2f} ms per inference "
                  f"({host.inferences} runs, {host.samples} perf samples)")
    kinds = Table("kind", "ms / inference", "share")
    for kind, ms in host.by_kind().items():
        kinds.add_row(kind, f"{ms:.3f}", f"{100 * ms / total:.1f}%")
    console.print(kinds)
    families = Table("kernel family", "ms / inference", "share", title="this CPU: by microkernel family")
    for family, ms in list(host.by_operation().items())[:top]:
        families.add_row(family, f"{ms:.3f}", f"{100 * ms / total:.1f}%")
    console.print(families)


if __name__ == "__main__":
    app()
