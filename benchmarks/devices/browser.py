"""Benchmark models in local headless Chromium, as a phone's browser runs them.

``.onnx`` files run with ONNX Runtime Web (format ``onnx-web``), ``.tflite`` files with LiteRT.js
(``tflite-web``), both WebAssembly on the CPU. Each (file, threads) row loads the web demo in a fresh
headless Chromium with ``?threads=N`` (a runtime fixes its thread count when it loads), runs the
page's benchmark mode (the same warm-up / timed-runs protocol and statistics as the CPU harness) and
checks the threads: the page reports what the runtime kept and how many pool workers it started.
The timed input also runs through the native runtime (ONNX Runtime, LiteRT) on the same file, which
gives the row's fidelity columns. Rows run one after another, not interleaved like the CPU harness.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...runtime.errors import UsageError

Log = Callable[[str], None]
DEFAULT_FORMATS = ("onnx", "tflite")
DEFAULT_PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class BrowserOptions:
    """What ``--device browser`` needs."""

    models: tuple[str, ...]
    model_files: tuple[Path, ...]
    formats: tuple[str, ...] | None  # of the zoo exports: onnx, tflite (pytorch is ignored: no browser runtime)
    precisions: tuple[str, ...] | None
    threads: tuple[int, ...]
    warmup: int
    iters: int
    out_dir: Path


def model_files(options: BrowserOptions, log: Log) -> list[tuple[str, str, Path]]:
    """(model, precision, file with sidecar) for every zoo model (exported, cached) and --model file."""
    from ...runtime.spec import ModelSpec
    from ...runtime.web.assets import model_with_sidecar

    files = []
    for path in options.model_files:
        _, sidecar = model_with_sidecar(path)
        files.append((path.stem, ModelSpec.from_json(sidecar.read_text()).precision, path))
    formats = [f for f in options.formats or DEFAULT_FORMATS if f in DEFAULT_FORMATS]
    if options.models and not formats:
        raise UsageError(f"--device browser runs the formats {', '.join(DEFAULT_FORMATS)}; --formats lists neither.")
    if options.models:
        from ..artifacts import cached_artifact, supported_precisions
        from ..zoo import build_model, model_spec

        for name in options.models:
            model = build_model(name)
            for fmt in formats:
                for precision in options.precisions or DEFAULT_PRECISIONS:
                    if precision not in supported_precisions(fmt):
                        continue
                    artifact = cached_artifact(model, model_spec(name), fmt, precision, options.out_dir / "artifacts", log)
                    files.append((name, precision, artifact.path))
    return files


def threads_check(requested: int, facts: dict[str, Any]) -> tuple[int | None, str]:
    """Observed threads (from the pool workers the page counted) and a verdict for the row."""
    if not facts.get("crossOriginIsolated"):
        return 1, "page not cross-origin isolated: the runtime runs 1 thread"
    observed = int(facts["observed"])
    if int(facts["effective"]) == requested == observed:
        return observed, f"verified: runtime kept {requested}, {facts['workers']} pool worker(s) started"
    return observed, f"MISMATCH: requested {requested}, runtime kept {facts['effective']}, {facts['workers']} worker(s)"


def _native_logits(path: Path, x: np.ndarray) -> np.ndarray:
    """Logits of the native runtime (ONNX Runtime or LiteRT) for the NCHW input ``x``."""
    from ...runtime.classifier import Classifier

    return np.asarray(Classifier.load(path).predict_tensor(x), dtype=np.float64).reshape(-1)


def _row(model: str, precision: str, path: Path, threads: int, options: BrowserOptions,
         out: dict[str, Any], native: np.ndarray) -> dict[str, Any]:
    from ...runtime.web.assets import WEB_SUFFIXES
    from ..zoo import ZOO, weights_of

    entry = ZOO.get(model)
    stats = out["stats"]
    observed, check = threads_check(threads, out["threads"])
    web = np.asarray(out["logits"], dtype=np.float64)
    name, _, rest = out["runtime"].partition(" ")
    version, _, engine = rest.partition(" ")
    return {
        "device": f"browser:chromium-{out['browser']}", "model": model, "label": entry.label if entry else path.name,
        "family": ("hierattn" if entry.is_hierattn else "baseline") if entry else "file",
        "weights": weights_of(model) if entry else None,
        "format": WEB_SUFFIXES[path.suffix.lower()], "precision": precision, "backend": f"{name} {engine}".strip(),
        "backend_version": version or None,
        "threads": threads, "threads_observed": observed, "threads_check": check,
        "batch": 1, "warmup": out["warmup"], "iters": int(stats["count"]),
        **{k: stats[k] for k in ("median_ms", "p90_ms", "mean_ms", "min_ms", "max_ms", "std_ms")},
        "throughput_ips": 1000.0 / stats["median_ms"],
        "cold_start_ms": out["load_ms"] + out["first_ms"], "load_ms": out["load_ms"], "first_ms": out["first_ms"],
        "peak_rss_mb": None, "size_mb": path.stat().st_size / 1e6, "params_m": None, "macs_g": None,
        # against the native runtime on the same file and input; the native row compares that file with PyTorch
        "fidelity_max_abs_diff": float(np.abs(web - native).max()),
        "fidelity_top1_agreement": float(np.argmax(web) == np.argmax(native)),
        "paper_ms": entry.paper_ms if entry else None, "artifact": str(path),
    }


def run_browser(options: BrowserOptions, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Time every file in headless Chromium at each thread count; returns (rows, skipped, facts)."""
    from ...runtime.spec import ModelSpec, sidecar_path
    from ...runtime.web.assets import browser_ready
    from ...runtime.web.browser import run_job

    browser_ready()
    files = model_files(options, log)
    if not files:
        raise UsageError("Nothing to run in the browser: give --models or --model FILE.onnx / FILE.tflite.")
    rows: list[dict[str, Any]] = []
    facts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hierattn-webbench-") as tmp:
        for model, precision, path in files:
            spec = ModelSpec.from_json(sidecar_path(path).read_text())
            height, width = spec.input_size
            x = np.random.default_rng(0).random((1, 3, height, width), dtype=np.float32)
            raw = Path(tmp) / "input.f32"  # in the file's own layout, as the page feeds it
            raw.write_bytes(np.ascontiguousarray(x.transpose(0, 2, 3, 1) if spec.layout == "NHWC" else x).tobytes())
            native = _native_logits(path, x)
            for threads in options.threads:
                log(f"browser {path.name} threads={threads}")
                out = run_job(path, {"job": "bench", "warmup": options.warmup, "iters": options.iters, "input": str(raw)},
                              query=f"threads={threads}")
                rows.append(_row(model, precision, path, threads, options, out, native))
                facts = {"browser": f"chromium {out['browser']}", "user_agent": out["userAgent"], "runtime": out["runtime"]}
    return rows, [], facts


def run_browser_end_to_end(model: Path, images: list[Any], iters: int, log: Log) -> list[dict[str, Any]]:
    """End-to-end rows in headless Chromium: the page decodes, preprocesses and runs each photo.

    The page reads the spec from the sidecar, so each preprocessing version runs from a copy of the
    model whose sidecar asks for it. ``pixel_buffer_bytes`` is what the page's JS held at once (one
    RGBA strip and the reduced image); the browser's own decoded bitmap is not JS memory.
    """
    import shutil

    from ...runtime.spec import ModelSpec, sidecar_path
    from ...runtime.web.assets import WEB_SUFFIXES, browser_ready
    from ...runtime.web.browser import run_job
    from ..timing.endtoend import VERSIONS, base_row, e2e_row

    browser_ready()
    spec = ModelSpec.from_json(sidecar_path(model).read_text())
    rows = []
    with tempfile.TemporaryDirectory(prefix="hierattn-webe2e-") as tmp:
        for version in VERSIONS:
            copy = Path(tmp) / f"v{version}" / model.name
            copy.parent.mkdir()
            shutil.copyfile(model, copy)
            sidecar_path(copy).write_text(spec.with_updates(preprocessing=version).to_json())
            for image in images:
                log(f"end-to-end browser {image.label} preprocessing {version}")
                out = run_job(copy, {"job": "endtoend", "image": str(image.path), "iters": iters})
                if "error" in out:
                    raise UsageError(f"the page failed on {image.path}: {out['error']}")
                stages = {s: out["stages_ms"][f"{s}_ms"] for s in ("decode", "preprocess", "inference")}
                base = base_row(f"browser:chromium-{out['browser']}", model, spec, WEB_SUFFIXES[model.suffix.lower()],
                                out["model"].get("format", "web"), 1)
                base["artifact"] = str(model)
                rows.append(e2e_row(base, image, version, stages, int(out["pixel_bytes"]), 1))
    return rows
