"""Cold start and peak memory of one row, measured in a fresh child process.

Run as ``python -m hierattn.benchmarks.timing.probe FORMAT PATH THREADS BATCH [MODEL]``; prints one JSON
object. ``import_ms`` is importing the backend library, ``load_ms`` creating the session (or building
the PyTorch module and loading its state dict), ``first_ms`` the first inference; cold start is
``load_ms + first_ms``. ``peak_rss_mb`` is the child's maximum resident set size after the load, the
first inference and a few more, so it includes the interpreter and the backend library: it is what
an app process running only this model would hold.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROBE_RUNS = 3


def _peak_rss_mb() -> float:
    # Linux: VmHWM, because ru_maxrss survives fork+exec and would report the parent's peak.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1.0 if sys.platform == "darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def measure(fmt: str, path: Path, threads: int, batch: int, model: str | None) -> dict[str, Any]:
    """Import, load, first inference and peak RSS of one artifact in the current (fresh) process."""
    t0 = time.perf_counter()
    if fmt == "pytorch":
        import torch

        from .. import zoo
    from . import runners

    if fmt == "onnx":
        import onnxruntime  # noqa: F401
    elif fmt == "tflite":
        import ai_edge_litert.interpreter  # noqa: F401
    elif fmt == "executorch":
        import executorch.runtime  # noqa: F401
    t1 = time.perf_counter()
    if fmt == "pytorch":
        if model is None:
            raise SystemExit("the pytorch probe needs the model name")
        import torch  # already loaded above: the import was timed there

        from .. import zoo

        module = zoo.build_model(model, demo=False)  # the saved state dict below holds the weights
        module.load_state_dict(torch.load(path, weights_only=True))
        runner: runners.Runner = runners.TorchRunner(module, threads, batch, (256, 256))
    else:
        runner = runners.open_file_runner(path, threads, batch)
    t2 = time.perf_counter()
    first_ms = runner.time_once()
    for _ in range(PROBE_RUNS):
        runner.run()
    return {
        "import_ms": (t1 - t0) * 1000.0,
        "load_ms": (t2 - t1) * 1000.0,
        "first_ms": first_ms,
        "peak_rss_mb": _peak_rss_mb(),
        "threads_observed": runner.threads_observed,
    }


def run_probe(
    fmt: str, path: Path, threads: int, batch: int, model: str | None = None, timeout: float = 300.0
) -> dict[str, Any] | None:
    """Run ``measure`` in a child process; None (and the reason on stderr) if the child failed."""
    cmd = [sys.executable, "-m", "hierattn.benchmarks.timing.probe", fmt, str(path), str(threads), str(batch)]
    if model is not None:
        cmd.append(model)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"cold-start probe timed out for {path}", file=sys.stderr)
        return None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        print(f"cold-start probe failed for {path}: {tail[0]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def main(argv: list[str]) -> None:
    fmt, path, threads, batch = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    model = argv[4] if len(argv) > 4 else None
    print(json.dumps(measure(fmt, path, threads, batch, model)))


if __name__ == "__main__":
    main(sys.argv[1:])
