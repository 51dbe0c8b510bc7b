"""Where a TFLite file's time goes on this machine's CPU: sampled milliseconds per XNNPACK microkernel.

The ARM profile (``emulated.kernels``) counts emulated instructions; this is its x86 counterpart for the
host that runs the benchmark. Linux ``perf record`` samples the CPU clock of a child process that
runs the file with LiteRT; the child switches sampling on after loading and warm-up and off after
its timed inferences (``perf record -D -1 --control``), so only inference is sampled. LiteRT's
x86 wheel keeps XNNPACK's symbols, so the samples name the microkernels, and the same
classification as the ARM profile splits integer from float work (``arm_kernels.kernel_kind``).

Sampling needs ``perf`` (Debian's ``linux-perf``) and ``kernel.perf_event_paranoid`` <= 2, which
lets a user sample their own processes' CPU clock. Hardware counters are not needed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...runtime.errors import HierAttnError, UsageError
from ..emulated.kernels import kernel_kind, kernel_operation

SAMPLE_HZ = 2000
TIMEOUT_S = 900
PERF_HINT = "install Debian's linux-perf (run 'bash scripts/bootstrap.sh' as root)"
_REPORT_LINE = re.compile(r"^\s*([\d.]+)%\s+(\d+)\s+(\S+)\s+\[[.k]\]\s+(\S.*?)\s*$")


@dataclass(frozen=True)
class KernelTime:
    """Sampled milliseconds per inference in one symbol."""

    symbol: str
    library: str
    ms: float

    @property
    def kind(self) -> str:
        """``int8``, ``float``, ``convert``, ``data movement`` or ``other``, as in the ARM profile."""
        return kernel_kind(self.symbol)

    @property
    def operation(self) -> str:
        return kernel_operation(self.symbol)


@dataclass(frozen=True)
class HostKernelProfile:
    """One TFLite file's sampled time per inference on this CPU, by kernel."""

    threads: int
    inferences: int
    ms_per_inference: float
    samples: int
    kernels: tuple[KernelTime, ...]

    def by_kind(self) -> dict[str, float]:
        return self._totals(kernel_kind)

    def by_operation(self) -> dict[str, float]:
        return self._totals(kernel_operation)

    def _totals(self, group: Callable[[str], str]) -> dict[str, float]:
        """ms per inference summed per ``group(symbol)``, costliest first."""
        totals: dict[str, float] = defaultdict(float)
        for kernel in self.kernels:
            totals[group(kernel.symbol)] += kernel.ms
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def to_dict(self) -> dict[str, object]:
        return {
            "threads": self.threads,
            "inferences": self.inferences,
            "ms_per_inference": round(self.ms_per_inference, 4),
            "samples": self.samples,
            "by_kind_ms": {k: round(v, 4) for k, v in self.by_kind().items()},
            "by_operation_ms": {k: round(v, 4) for k, v in self.by_operation().items()},
            "kernels": [{"symbol": k.symbol, "library": k.library, "ms": round(k.ms, 4), "kind": k.kind}
                        for k in self.kernels],
        }


def parse_report(text: str) -> list[tuple[int, str, str]]:
    """(samples, library, symbol) rows of ``perf report -n --sort dso,sym --stdio -q``."""
    rows = []
    for line in text.splitlines():
        match = _REPORT_LINE.match(line)
        if match:
            rows.append((int(match.group(2)), match.group(3), match.group(4)))
    return rows


def host_kernel_profile(path: Path, inferences: int = 200, threads: int = 1) -> HostKernelProfile:
    """Sample ``inferences`` LiteRT runs of the TFLite file ``path`` with perf; see the module doc."""
    if path.suffix != ".tflite":
        raise UsageError(f"--host-kernels profiles .tflite files only; {path.name} is not one.")
    perf = shutil.which("perf")
    if perf is None:
        raise UsageError(f"Linux perf is not on PATH: {PERF_HINT}.")
    with tempfile.TemporaryDirectory(prefix="hierattn-host-profile-") as tmp:
        work = Path(tmp)
        control, ack, data, timing = (work / n for n in ("control", "ack", "perf.data", "timing.txt"))
        os.mkfifo(control)
        os.mkfifo(ack)
        child = [sys.executable, "-m", "hierattn.benchmarks.profiling.host_kernels", str(path.resolve()), str(inferences),
                 str(threads), str(control), str(ack), str(timing)]
        command = [perf, "record", "-q", "-F", str(SAMPLE_HZ), "-e", "cpu-clock", "-D", "-1",
                   "--control", f"fifo:{control},{ack}", "-o", str(data), "--", *child]
        # One BLAS thread: numpy's OpenBLAS pool otherwise spins in the sampled process.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=env)
        if done.returncode != 0 or not timing.is_file():
            tail = (done.stderr or "").strip()[-600:]
            raise HierAttnError(
                f"perf could not sample {path.name} (exit code {done.returncode}). If it reports "
                "perf_event_paranoid, run 'sysctl kernel.perf_event_paranoid=2' as root.\n" + tail
            )
        ms = float(timing.read_text())
        report = subprocess.run(
            [perf, "report", "-i", str(data), "-n", "--no-children", "--sort", "dso,sym", "--stdio", "-q"],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        )
    rows = parse_report(report.stdout)
    if not rows:
        raise HierAttnError(f"perf recorded no samples of {path.name}; its report said: {report.stderr[-300:]}")
    samples = sum(count for count, _, _ in rows)
    # Each sample stands for the same slice of CPU time: shares of samples are shares of time.
    kernels = tuple(KernelTime(symbol, library, count / samples * ms) for count, library, symbol in rows)
    return HostKernelProfile(threads, inferences, ms, samples, kernels)


def _run_child(argv: list[str] | None = None) -> None:
    """The sampled process: load, warm up, switch sampling on, run, switch it off, write ms/inference."""
    parser = argparse.ArgumentParser(description="Internal: the process host_kernel_profile samples.")
    for name in ("model", "inferences", "threads", "control", "ack", "timing"):
        parser.add_argument(name)
    args = parser.parse_args(argv)
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=args.model, num_threads=int(args.threads))
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    interpreter.set_tensor(inp["index"], np.random.default_rng(0).random(inp["shape"], dtype=np.float32))
    for _ in range(5):
        interpreter.invoke()
    n = int(args.inferences)
    with open(args.control, "w") as control, open(args.ack) as ack:
        control.write("enable\n")
        control.flush()
        ack.readline()
        started = time.perf_counter()
        for _ in range(n):
            interpreter.invoke()
        elapsed = time.perf_counter() - started
        control.write("disable\n")
        control.flush()
        ack.readline()
    Path(args.timing).write_text(f"{elapsed / n * 1e3:.6f}")


if __name__ == "__main__":
    _run_child()
