"""Benchmark ONNX files in local headless Chromium (ONNX Runtime Web, WASM), as a phone's browser runs them.

Each (file, threads) row loads the web demo in a fresh headless Chromium with ``?threads=N`` (ONNX
Runtime Web fixes its thread count at the first session), runs the page's benchmark mode (the same
warm-up / timed-runs protocol and statistics as the CPU harness) and checks the threads: the page
reports what ORT kept and how many pool workers it started. The timed input also runs through native
ONNX Runtime on the same file, which gives the row's fidelity columns. Rows run one after another,
not interleaved like the CPU harness.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hierattn.runtime.errors import UsageError

Log = Callable[[str], None]
FORMAT = "onnx-web"
DEFAULT_PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class BrowserOptions:
    """What ``--device browser`` needs."""

    models: tuple[str, ...]
    model_files: tuple[Path, ...]
    precisions: tuple[str, ...] | None
    threads: tuple[int, ...]
    warmup: int
    iters: int
    out_dir: Path


def onnx_files(options: BrowserOptions, log: Log) -> list[tuple[str, str, Path]]:
    """(model, precision, .onnx with sidecar) for every zoo model (exported, cached) and --model file."""
    from hierattn.runtime.spec import ModelSpec, sidecar_path

    files = []
    for path in options.model_files:
        if path.suffix != ".onnx" or not path.is_file() or not sidecar_path(path).is_file():
            raise UsageError(f"--model {path}: the browser runs .onnx files that have their .onnx.json sidecar beside them.")
        files.append((path.stem, ModelSpec.from_json(sidecar_path(path).read_text()).precision, path))
    if options.models:
        from hierattn.benchmarks.artifacts import cached_artifact
        from hierattn.benchmarks.zoo import build_model

        for name in options.models:
            model = build_model(name)
            for precision in options.precisions or DEFAULT_PRECISIONS:
                artifact = cached_artifact(model, ModelSpec(arch=name), "onnx", precision, options.out_dir / "artifacts", log)
                files.append((name, precision, artifact.path))
    return files


def threads_check(requested: int, facts: dict[str, Any]) -> tuple[int | None, str]:
    """Observed threads (ORT's pool workers plus the calling thread) and a verdict for the row."""
    if not facts.get("crossOriginIsolated"):
        return 1, "page not cross-origin isolated: ORT runs 1 thread"
    observed = int(facts["workers"]) + 1
    if int(facts["effective"]) == requested == observed:
        return observed, f"verified: ORT kept {requested}, {facts['workers']} pool worker(s) started"
    return observed, f"MISMATCH: requested {requested}, ORT kept {facts['effective']}, {facts['workers']} worker(s)"


def _native_logits(path: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, {session.get_inputs()[0].name: x})[0], dtype=np.float64).reshape(-1)


def _row(model: str, precision: str, path: Path, threads: int, options: BrowserOptions,
         out: dict[str, Any], native: np.ndarray) -> dict[str, Any]:
    from hierattn.benchmarks.zoo import ZOO

    entry = ZOO.get(model)
    stats = out["stats"]
    observed, check = threads_check(threads, out["threads"])
    web = np.asarray(out["logits"], dtype=np.float64)
    version = out["runtime"].split()[1] if len(out["runtime"].split()) > 1 else None
    return {
        "device": f"browser:chromium-{out['browser']}", "model": model, "label": entry.label if entry else path.name,
        "family": ("hierattn" if entry.is_hierattn else "baseline") if entry else "file",
        "format": FORMAT, "precision": precision, "backend": "onnxruntime-web wasm", "backend_version": version,
        "threads": threads, "threads_observed": observed, "threads_check": check,
        "batch": 1, "warmup": out["warmup"], "iters": int(stats["count"]),
        **{k: stats[k] for k in ("median_ms", "p90_ms", "mean_ms", "min_ms", "max_ms", "std_ms")},
        "throughput_ips": 1000.0 / stats["median_ms"],
        "cold_start_ms": out["load_ms"] + out["first_ms"], "load_ms": out["load_ms"], "first_ms": out["first_ms"],
        "peak_rss_mb": None, "size_mb": path.stat().st_size / 1e6, "params_m": None, "macs_g": None,
        # against native ONNX Runtime on the same file and input; the native row compares that file with PyTorch
        "fidelity_max_abs_diff": float(np.abs(web - native).max()),
        "fidelity_top1_agreement": float(np.argmax(web) == np.argmax(native)),
        "paper_ms": entry.paper_ms if entry else None, "artifact": str(path),
    }


def run_browser(options: BrowserOptions, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Time every ONNX file in headless Chromium at each thread count; returns (rows, skipped, facts)."""
    from hierattn.runtime.spec import ModelSpec, sidecar_path
    from hierattn.runtime.web_assets import browser_ready
    from hierattn.runtime.web_browser import run_job

    browser_ready()
    files = onnx_files(options, log)
    if not files:
        raise UsageError("Nothing to run in the browser: give --models or --model FILE.onnx.")
    rows: list[dict[str, Any]] = []
    facts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hierattn-webbench-") as tmp:
        for model, precision, path in files:
            height, width = ModelSpec.from_json(sidecar_path(path).read_text()).input_size
            x = np.random.default_rng(0).random((1, 3, height, width), dtype=np.float32)
            raw = Path(tmp) / "input.f32"
            raw.write_bytes(x.tobytes())
            native = _native_logits(path, x)
            for threads in options.threads:
                log(f"browser {path.name} threads={threads}")
                out = run_job(path, {"job": "bench", "warmup": options.warmup, "iters": options.iters, "input": str(raw)},
                              query=f"threads={threads}")
                rows.append(_row(model, precision, path, threads, options, out, native))
                facts = {"browser": f"chromium {out['browser']}", "user_agent": out["userAgent"], "runtime": out["runtime"]}
    return rows, [], facts
