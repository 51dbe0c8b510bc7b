"""The CPU benchmark: plan rows, export or reuse artifacts, time them interleaved, build report rows.

Timing is interleaved: all runners are loaded first, then each round visits every row once in an
order shuffled with a fixed seed and takes a slice of its iterations, so slow drift of the machine
(thermal throttling, a neighbour's job) spreads over all rows instead of favouring whichever ran
first. Cold start and peak RSS come from a fresh child process per row (see ``probe``).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...runtime.errors import HierAttnError, UsageError
from ...runtime.spec import ModelSpec, sidecar_path
from .. import zoo
from ..artifacts import DEFAULT_PRECISIONS, Artifact, cached_artifact, supported_precisions
from . import runners
from .probe import run_probe
from .stats import LatencyStats

Log = Callable[[str], None]
FIDELITY_IMAGES = 8
SETTLE_S = 0.02
"""Pause between rows so the previous backend's spinning thread pool is idle before the next row's slice."""


@dataclass(frozen=True)
class BenchConfig:
    """What to run and how long; ``iters`` and ``seconds`` are per row, exactly one is set."""

    models: tuple[str, ...] = zoo.DEFAULT_MODELS
    model_files: tuple[Path, ...] = ()
    formats: tuple[str, ...] = runners.FORMATS
    precisions: tuple[str, ...] | None = None
    threads: tuple[int, ...] = (1, 2)
    batch: int = 1
    warmup: int = 10
    iters: int | None = 100
    seconds: float | None = None
    rounds: int = 10
    cold_start: bool = True
    fidelity: bool = True
    out_dir: Path = Path("bench-out")
    seed: int = 0
    optimize: bool = True

    def validate(self) -> None:
        if (self.iters is None) == (self.seconds is None):
            raise UsageError("Give exactly one of --iters and --seconds.")
        if (self.iters is not None and self.iters < 1) or (self.seconds is not None and self.seconds <= 0):
            raise UsageError("--iters must be at least 1 and --seconds positive.")
        if self.rounds < 1 or self.warmup < 0:
            raise UsageError("--rounds must be at least 1 and --warmup at least 0.")
        unknown = [f for f in self.formats if f not in runners.FORMATS]
        if unknown:
            raise UsageError(f"Unknown format(s) {', '.join(unknown)}; choose from: {', '.join(runners.FORMATS)}.")
        for name in self.models:
            zoo.get_entry(name)
        if not self.models and not self.model_files:
            raise UsageError("Nothing to benchmark: give --models or --model PATH.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": list(self.models), "model_files": [str(p) for p in self.model_files],
            "formats": list(self.formats), "precisions": list(self.precisions) if self.precisions else None,
            "threads": list(self.threads), "batch": self.batch, "warmup": self.warmup, "iters": self.iters,
            "seconds": self.seconds, "rounds": self.rounds, "cold_start": self.cold_start,
            "fidelity": self.fidelity, "seed": self.seed, "optimize": self.optimize,
        }


@dataclass(frozen=True)
class ModelInfo:
    """Static facts about the model behind an artifact (unknown for bare files)."""

    name: str
    label: str
    family: str
    params_m: float | None = None
    macs_g: float | None = None
    paper_ms: float | None = None
    weights: str | None = None
    """``demo`` (the bundled trained checkpoint) or ``random``; None for a bare file."""


@dataclass
class _Case:
    artifact: Artifact
    info: ModelInfo
    runner: runners.Runner
    fidelity: dict[str, float] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)


def _precisions_for(fmt: str, requested: tuple[str, ...] | None) -> tuple[str, ...]:
    if requested is None:
        return DEFAULT_PRECISIONS[fmt]
    return tuple(p for p in requested if p in supported_precisions(fmt))


def _model_info(name: str, model: Any, spec: ModelSpec) -> ModelInfo:
    from ...models.complexity import count_macs, count_parameters

    entry = zoo.ZOO[name]
    return ModelInfo(
        name=name, label=entry.label, family="hierattn" if entry.is_hierattn else "baseline",
        params_m=count_parameters(model) / 1e6, macs_g=count_macs(model, spec.input_size) / 1e9, paper_ms=entry.paper_ms,
        weights=zoo.weights_of(name),
    )


def _fidelity(reference: runners.Runner, candidate: runners.Runner, spec: ModelSpec) -> dict[str, float]:
    from ...export.data import synthetic_batch

    images = synthetic_batch(spec, count=FIDELITY_IMAGES)
    ref, cand = reference.infer(images), candidate.infer(images)
    if ref is None or cand is None or ref.shape != cand.shape:
        return {}
    return {
        "fidelity_max_abs_diff": float(np.abs(ref - cand).max()),
        "fidelity_top1_agreement": float((ref.argmax(1) == cand.argmax(1)).mean()),
    }


def _zoo_cases(config: BenchConfig, log: Log, skipped: list[dict[str, str]]) -> list[_Case]:
    cases = []
    for name in config.models:
        model = zoo.build_model(name)
        spec = zoo.model_spec(name)
        info = _model_info(name, model, spec)
        torch_runner = runners.TorchRunner(model, 1, 1, spec.input_size)
        for fmt in config.formats:
            try:
                precisions = _precisions_for(fmt, config.precisions)
            except HierAttnError as exc:
                skipped.append({"model": name, "format": fmt, "precision": "*", "reason": str(exc)})
                continue
            for precision in precisions:
                try:
                    artifact = cached_artifact(
                        model, spec, fmt, precision, config.out_dir / "artifacts", log, optimize=config.optimize
                    )
                    opened = [_open(artifact, model, t, config.batch, spec) for t in config.threads]
                except Exception as exc:  # one failed export must not sink the other rows
                    reason = str(exc) if isinstance(exc, HierAttnError) else f"{type(exc).__name__}: {exc}"
                    log(f"skipping {name} {fmt} {precision}: {reason}")
                    skipped.append({"model": name, "format": fmt, "precision": precision, "reason": reason})
                    continue
                fidelity = _fidelity(torch_runner, opened[0], spec) if config.fidelity and fmt != "pytorch" else {}
                cases += [_Case(artifact, info, r, fidelity) for r in opened]
    return cases


def _open(artifact: Artifact, model: Any, threads: int, batch: int, spec: ModelSpec) -> runners.Runner:
    if artifact.format == "pytorch":
        return runners.TorchRunner(model, threads, batch, spec.input_size)
    return runners.open_file_runner(artifact.path, threads, batch)


def _file_cases(config: BenchConfig) -> list[_Case]:
    cases = []
    for path in config.model_files:
        path = Path(path)
        fmt = {".onnx": "onnx", ".tflite": "tflite", ".pte": "executorch"}.get(path.suffix)
        if fmt is None or not path.is_file():
            raise UsageError(f"--model {path}: expected an existing .onnx, .tflite or .pte file.")
        spec = ModelSpec.from_json(sidecar_path(path).read_text()) if sidecar_path(path).is_file() else None
        precision = spec.precision if spec else "unknown"
        entry = zoo.ZOO.get(spec.arch) if spec else None
        info = ModelInfo(
            name=spec.arch if spec else path.stem, label=path.name, family="file",
            paper_ms=entry.paper_ms if entry else None,
        )
        artifact = Artifact(info.name, fmt, precision, path, spec)
        cases += [_Case(artifact, info, runners.open_file_runner(path, t, config.batch)) for t in config.threads]
    return cases


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal, nothing when stderr is piped."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("timing", total=total)
        yield lambda n: bar.advance(task, n)


def _time_interleaved(cases: list[_Case], config: BenchConfig) -> None:
    rng = random.Random(config.seed)
    for case in cases:
        case.runner.activate()
        for _ in range(config.warmup):
            case.runner.run()
    order = list(cases)
    with _progress(config.rounds * len(cases)) as advance:
        for _ in range(config.rounds):
            rng.shuffle(order)
            for case in order:
                time.sleep(SETTLE_S)
                case.runner.activate()
                if config.iters is not None:
                    slice_size = math.ceil(config.iters / config.rounds)
                    for _ in range(min(slice_size, config.iters - len(case.samples))):
                        case.samples.append(case.runner.time_once())
                else:
                    assert config.seconds is not None  # BenchConfig holds exactly one of iters / seconds
                    deadline = time.perf_counter() + config.seconds / config.rounds
                    case.samples.append(case.runner.time_once())
                    while time.perf_counter() < deadline:
                        case.samples.append(case.runner.time_once())
                advance(1)


def _row(case: _Case, config: BenchConfig, probe: dict[str, Any] | None) -> dict[str, Any]:
    from importlib import metadata

    stats = LatencyStats.from_samples(case.samples)
    runner, artifact, info = case.runner, case.artifact, case.info
    try:
        version = metadata.version(runner.backend)
    except metadata.PackageNotFoundError:
        version = None
    return {
        "device": "cpu", "model": info.name, "label": info.label, "family": info.family, "weights": info.weights,
        "format": artifact.format, "precision": artifact.precision, "graph": artifact.graph,
        "backend": runner.backend, "backend_version": version,
        "threads": runner.threads, "threads_observed": runner.threads_observed, "threads_check": runner.threads_check,
        "batch": runner.batch, "warmup": config.warmup, "iters": stats.count,
        "median_ms": stats.median_ms, "p90_ms": stats.p90_ms, "mean_ms": stats.mean_ms,
        "min_ms": stats.min_ms, "max_ms": stats.max_ms, "std_ms": stats.std_ms,
        "throughput_ips": stats.throughput(runner.batch),
        "cold_start_ms": probe["load_ms"] + probe["first_ms"] if probe else None,
        "load_ms": probe["load_ms"] if probe else None,
        "first_ms": probe["first_ms"] if probe else None,
        "peak_rss_mb": probe["peak_rss_mb"] if probe else None,
        "size_mb": artifact.size_mb, "params_m": info.params_m, "macs_g": info.macs_g,
        "fidelity_max_abs_diff": case.fidelity.get("fidelity_max_abs_diff"),
        "fidelity_top1_agreement": case.fidelity.get("fidelity_top1_agreement"),
        "paper_ms": info.paper_ms, "artifact": str(artifact.path),
    }


def run_cpu(config: BenchConfig, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Run the CPU benchmark; returns (rows, skipped (model, format, precision) with reasons)."""
    config.validate()
    skipped: list[dict[str, str]] = []
    cases = _file_cases(config)
    if config.models:
        cases = _zoo_cases(config, log, skipped) + cases
    if not cases:
        raise UsageError("No row could be prepared; see the skipped reasons above.")
    log(f"timing {len(cases)} rows interleaved over {config.rounds} rounds")
    _time_interleaved(cases, config)
    rows = []
    for case in cases:
        probe = None
        if config.cold_start:
            model = case.info.name if case.artifact.format == "pytorch" else None
            probe = run_probe(case.artifact.format, case.artifact.path, case.runner.threads, config.batch, model)
        rows.append(_row(case, config, probe))
    return rows, skipped
