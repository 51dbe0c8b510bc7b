"""Benchmark TFLite models on an Android phone over adb.

Two ways to time a model on the phone: LiteRT's ``benchmark_model`` binary (the user supplies it
for the phone's ABI; it cannot be downloaded here) or the sample app's ``BenchmarkActivity``
(docs/android.md). Both end as the same report rows as the CPU harness. Command lines are built by
pure functions so they can be tested without a phone. Rows on the phone are run one after the other
(benchmark_model does its own warm-up), not interleaved like the CPU harness.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...runtime.errors import HierAttnError, UsageError
from .android_parse import parse_app_logcat, parse_benchmark_model

REMOTE_DIR = "/data/local/tmp/hierattn"
APP_PACKAGE = "org.hierattn.demo"
APP_ACTIVITY = ".BenchmarkActivity"
APP_TAG = "HierAttnBench"
FREQ_COMMAND = "for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/cpuinfo_max_freq; do echo $f $(cat $f); done"
_FREQ_LINE = re.compile(r"/cpu(\d+)/cpufreq/cpuinfo_max_freq\s+(\d+)")
Log = Callable[[str], None]


@dataclass(frozen=True)
class AndroidOptions:
    """What the ``--device android`` run needs."""

    serial: str | None
    runner: str  # "benchmark_model" or "app"
    benchmark_binary: Path | None
    big_cores: bool
    models: tuple[str, ...]
    model_files: tuple[Path, ...]
    precisions: tuple[str, ...] | None
    threads: tuple[int, ...]
    warmup: int
    iters: int
    out_dir: Path


def parse_devices(output: str) -> list[str]:
    """Serials in state ``device`` from ``adb devices`` output (offline/unauthorized ones excluded)."""
    serials = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "device" and not line.startswith("List of devices"):
            serials.append(parts[0])
    return serials


def big_cores(max_freqs: dict[int, int]) -> list[int]:
    """The cores with the highest maximum frequency (the "big" or "prime" cluster)."""
    if not max_freqs:
        return []
    top = max(max_freqs.values())
    return sorted(cpu for cpu, freq in max_freqs.items() if freq == top)


def parse_max_freqs(output: str) -> dict[int, int]:
    return {int(cpu): int(freq) for cpu, freq in _FREQ_LINE.findall(output)}


def cpu_mask(cores: Sequence[int]) -> str:
    """Hex affinity mask for ``taskset``: cores 4-7 -> ``f0``."""
    return format(sum(1 << c for c in cores), "x")


def benchmark_model_command(
    binary: str, graph: str, threads: int, warmup: int, iters: int, mask: str | None = None
) -> list[str]:
    """The shell command that runs ``benchmark_model`` on the phone (XNNPACK, fixed run counts)."""
    cmd = ["taskset", mask] if mask else []
    return [*cmd, binary, f"--graph={graph}", f"--num_threads={threads}", f"--warmup_runs={warmup}",
            f"--num_runs={iters}", "--use_xnnpack=true", "--report_peak_memory_footprint=true"]


def app_command(model: str, threads: int, warmup: int, iters: int, run_id: str) -> list[str]:
    """The ``am start`` command that runs the sample app's benchmark mode (docs/android.md)."""
    return ["am", "start", "-W", "-n", f"{APP_PACKAGE}/{APP_ACTIVITY}", "--es", "model", model,
            "--ei", "threads", str(threads), "--ei", "warmup", str(warmup), "--ei", "iterations", str(iters),
            "--es", "delegate", "cpu", "--es", "run_id", run_id]


class Adb:
    """A thin wrapper over the ``adb`` executable bound to one device."""

    def __init__(self, executable: str, serial: str) -> None:
        self.executable = executable
        self.serial = serial

    @classmethod
    def connect(cls, serial: str | None) -> Adb:
        """Find adb and the device; a missing adb or device is a UsageError (exit 2)."""
        executable = shutil.which("adb")
        if executable is None:
            raise UsageError("adb is not on PATH; install Android platform-tools and connect a phone with USB debugging.")
        done = subprocess.run([executable, "devices"], capture_output=True, text=True, timeout=30, check=False)
        serials = parse_devices(done.stdout)
        if not serials:
            raise UsageError("No Android device connected (adb devices lists none); connect one with USB debugging on.")
        if serial is None:
            if len(serials) > 1:
                raise UsageError(f"Several devices are connected ({', '.join(serials)}); choose one with --serial.")
            serial = serials[0]
        elif serial not in serials:
            raise UsageError(f"Device {serial} is not connected; adb devices lists: {', '.join(serials)}.")
        return cls(executable, serial)

    def command(self, *args: str) -> list[str]:
        return [self.executable, "-s", self.serial, *args]

    def run(self, *args: str, timeout: float = 600.0) -> str:
        done = subprocess.run(self.command(*args), capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise HierAttnError(f"adb {' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()[:200]}")
        return done.stdout

    def shell(self, command: Sequence[str] | str, timeout: float = 600.0) -> str:
        return self.run("shell", command if isinstance(command, str) else " ".join(command), timeout=timeout)

    def push(self, local: Path, remote: str) -> None:
        self.run("push", str(local), remote)


def _tflite_files(options: AndroidOptions, log: Log) -> list[tuple[str, str, Path]]:
    """(model, precision, local .tflite) for every requested zoo model and --model file."""
    files = []
    for path in options.model_files:
        if path.suffix != ".tflite" or not path.is_file():
            raise UsageError(f"--model {path}: the phone runs existing .tflite files only.")
        files.append((path.stem, "unknown", path))
    if options.models:
        from ..artifacts import cached_artifact
        from ..zoo import build_model, model_spec

        for name in options.models:
            model = build_model(name)
            for precision in options.precisions or ("fp32", "fp16", "int8"):
                artifact = cached_artifact(model, model_spec(name), "tflite", precision, options.out_dir / "artifacts", log)
                files.append((name, precision, artifact.path))
    return files


def _row(serial: str, backend: str, model: str, precision: str, path: Path, threads: int,
         options: AndroidOptions, timing: dict[str, Any]) -> dict[str, Any]:
    from ..zoo import ZOO, weights_of

    entry = ZOO.get(model)
    median = timing.get("median_ms")
    return {
        "device": f"android:{serial}", "model": model, "label": entry.label if entry else path.name,
        "family": ("hierattn" if entry.is_hierattn else "baseline") if entry else "file",
        "weights": weights_of(model) if entry else None,
        "format": "tflite", "precision": precision, "backend": backend, "backend_version": None,
        "threads": threads, "threads_observed": None, "threads_check": "requested (not observable over adb)",
        "batch": 1, "warmup": options.warmup, "iters": int(timing["iters"]),
        "median_ms": median, "p90_ms": timing.get("p90_ms"), "mean_ms": timing["mean_ms"],
        "min_ms": timing["min_ms"], "max_ms": timing["max_ms"], "std_ms": timing["std_ms"],
        "throughput_ips": 1000.0 / (median or timing["mean_ms"]),
        "cold_start_ms": (timing["init_ms"] + timing["first_ms"]) if timing.get("first_ms") is not None else None,
        "load_ms": timing.get("init_ms"), "first_ms": timing.get("first_ms"), "peak_rss_mb": timing.get("peak_mb"),
        "size_mb": path.stat().st_size / 1e6, "params_m": None, "macs_g": None,
        "fidelity_max_abs_diff": None, "fidelity_top1_agreement": None,
        "paper_ms": entry.paper_ms if entry else None, "artifact": str(path),
    }


def _run_benchmark_model(adb: Adb, options: AndroidOptions, files: list[tuple[str, str, Path]], log: Log) -> list[dict[str, Any]]:
    binary = options.benchmark_binary
    if binary is None or not binary.is_file():
        raise UsageError("--android-runner benchmark_model needs --benchmark-binary PATH (LiteRT's benchmark_model for the phone's ABI).")
    remote_binary = f"{REMOTE_DIR}/benchmark_model"
    adb.shell(["mkdir", "-p", REMOTE_DIR])
    adb.push(binary, remote_binary)
    adb.shell(["chmod", "755", remote_binary])
    mask = None
    if options.big_cores:
        cores = big_cores(parse_max_freqs(adb.shell(FREQ_COMMAND)))
        mask = cpu_mask(cores) if cores else None
        log(f"pinning to cores {cores} (mask {mask})")
    rows = []
    for model, precision, path in files:
        remote = f"{REMOTE_DIR}/{path.name}"
        adb.push(path, remote)
        for threads in options.threads:
            log(f"benchmark_model {path.name} threads={threads}")
            result = parse_benchmark_model(adb.shell(benchmark_model_command(
                remote_binary, remote, threads, options.warmup, options.iters, mask)))
            timing: dict[str, Any] = {**result.latency_ms(), "iters": result.inference.count,
                                      "init_ms": result.init_ms, "peak_mb": result.peak_memory_mb}
            if "First inference" in result.timings_us:
                timing["first_ms"] = result.timings_us["First inference"] / 1000.0
            rows.append(_row(adb.serial, "benchmark_model", model, precision, path, threads, options, timing))
    return rows


def _run_app(adb: Adb, options: AndroidOptions, files: list[tuple[str, str, Path]], log: Log,
             timeout: float = 600.0) -> list[dict[str, Any]]:
    rows = []
    for model, precision, path in files:
        for threads in options.threads:
            run_id = str(int(time.time() * 1000))
            adb.run("logcat", "-c")
            log(f"app benchmark {path.name} threads={threads} (the model must be in the app's assets)")
            adb.shell(app_command(path.name, threads, options.warmup, options.iters, run_id))
            deadline = time.monotonic() + timeout
            result = None
            while result is None:
                if time.monotonic() > deadline:
                    raise HierAttnError(f"The app did not finish run {run_id} within {timeout:.0f} s; check logcat.")
                time.sleep(1.0)
                result = parse_app_logcat(adb.run("logcat", "-d", "-s", f"{APP_TAG}:I", f"{APP_TAG}:E"), run_id)
            timing = {**result, "iters": result.get("iterations", options.iters)}
            rows.append(_row(adb.serial, "app", model, precision, path, threads, options, timing))
    return rows


def run_android(options: AndroidOptions, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Time every TFLite file on the phone; returns (rows, skipped, device facts)."""
    adb = Adb.connect(options.serial)
    device = {
        "serial": adb.serial,
        "model": adb.shell("getprop ro.product.model").strip(),
        "abi": adb.shell("getprop ro.product.cpu.abi").strip(),
        "sdk": adb.shell("getprop ro.build.version.sdk").strip(),
        "runner": options.runner,
    }
    files = _tflite_files(options, log)
    if not files:
        raise UsageError("Nothing to run on the phone: give --models or --model FILE.tflite.")
    run = _run_benchmark_model if options.runner == "benchmark_model" else _run_app
    return run(adb, options, files, log), [], device
