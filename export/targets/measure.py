"""Run candidate files on a target's kernels: logits for the fidelity gate, and the per-inference cost.

Emulated targets run the file in LiteRT under qemu-user (``benchmarks.emulated``): numerics in
chunks of ``CHUNK`` images, each chunk one guest process, and the cost as the difference of two
counted runs of N and 2N inferences (docs/arm.md). One emulated inference takes seconds, so every
result is cached under ``$HIERATTN_CACHE/targets`` (default ``~/.cache/hierattn``) by the model's
digest, the core and the digest of the input tensors: a repeat export of the same checkpoint is
instant. The model digest of a TFLite file is ``canonical_digest`` (what the file computes), since
the int8 converter orders independent operators differently from run to run.
The host target runs the same files natively and times them in interleaved rounds.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ...runtime.backends import open_backend
from .table import Runner, Target

if TYPE_CHECKING:
    from ...benchmarks.emulated.arm import EmulatedGuest

Log = Callable[[str], None]
CHUNK = 25
COUNT_REPEATS = 1
HOST_ROUNDS = 5
HOST_RUNS = 20


def model_digest(path: Path) -> str:
    """The cache key of a model file: its canonical digest for TFLite, its sha256 otherwise."""
    if path.suffix == ".tflite":
        from ..tflite.canonical import canonical_digest

        return canonical_digest(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_dir() -> Path:
    from ...benchmarks.emulated.userland import cache_root

    folder = cache_root() / "targets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class TargetKernels:
    """One target's kernels: run files there for logits and for their cost."""

    def __init__(self, target: Target, log: Log) -> None:
        self.target = target
        self.log = log
        self._guest: EmulatedGuest | None = None

    @property
    def guest(self) -> EmulatedGuest:
        """The emulator, built (userland, plugin) on first use."""
        if self._guest is None:
            if self.target.runner is Runner.ARM_EMULATED:
                from ...benchmarks.emulated.arm import Guest

                self._guest = Guest(self.log)
            else:
                from ...benchmarks.emulated.x86 import X86Guest

                self._guest = X86Guest()
        return self._guest

    def logits(self, path: Path, layout: str, images: np.ndarray) -> np.ndarray:
        """Logits of ``path`` for the NCHW ``images`` computed by the target's kernels."""
        backend = open_backend(path, threads=1)
        backend.bind_layout(layout)
        if not self.target.emulated:
            return backend.run(images)
        prepared = backend.prepare_input(images)
        digest = model_digest(path)[:20]
        raw = []
        started = time.monotonic()
        for start in range(0, len(prepared), CHUNK):
            chunk = np.ascontiguousarray(prepared[start : start + CHUNK, None])  # one batch-1 tensor per row
            key = cache_dir() / f"{digest}-{self.target.cpu}-out-{hashlib.sha256(chunk.tobytes()).hexdigest()[:16]}.npy"
            if not key.is_file():
                with tempfile.TemporaryDirectory(prefix="hierattn-target-") as tmp:
                    inputs, outputs = Path(tmp) / "inputs.npy", Path(tmp) / "outputs.npy"
                    np.save(inputs, chunk)
                    self.guest.run(str(self.target.cpu), path, inputs, 0, outputs)
                    np.save(key, np.load(outputs))
                note = f"{time.monotonic() - started:.0f} s so far"
            else:
                note = "cached"
            raw.append(np.load(key))
            done = min(start + CHUNK, len(prepared))
            self.log(
                f"[{self.target.name}] {path.name}: {done}/{len(prepared)} images on the emulated kernels ({note})"
            )
        out = np.concatenate(raw)
        return backend.finish_output(out.reshape(len(images), *out.shape[2:]))

    def costs(self, paths: list[Path], layout: str, image: np.ndarray) -> dict[Path, dict[str, Any]]:
        """Per-inference cost of each file in the target's unit, with how it was measured."""
        if not self.target.emulated:
            return host_costs(paths, layout, image, self.log)
        return {path: self._count(path, layout, image) for path in paths}

    def _count(self, path: Path, layout: str, image: np.ndarray) -> dict[str, Any]:
        key = cache_dir() / f"{model_digest(path)[:20]}-{self.target.cpu}-count-{COUNT_REPEATS}.json"
        if key.is_file():
            self.log(f"[{self.target.name}] {path.name}: instruction count (cached)")
            return dict(json.loads(key.read_text()))
        backend = open_backend(path, threads=1)
        backend.bind_layout(layout)
        prepared = backend.prepare_input(image[None])
        self.log(f"[{self.target.name}] {path.name}: counting {COUNT_REPEATS} and {2 * COUNT_REPEATS} inferences")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="hierattn-target-") as tmp:
            one = Path(tmp) / "one.npy"
            np.save(one, prepared[:1, None])
            count, xnnpack = self.guest.count(str(self.target.cpu), path, one, COUNT_REPEATS)
        result = {
            "cost": count.per_inference / 1e6,
            "insns_per_inference": count.per_inference,
            "setup_insns": count.setup,
            "xnnpack": xnnpack,
            "cpu": self.target.cpu,
        }
        key.write_text(json.dumps(result))
        self.log(
            f"[{self.target.name}] {path.name}: {result['cost']:.2f} M insns per inference "
            f"({time.monotonic() - started:.0f} s under emulation)"
        )
        return result

    def facts(self) -> dict[str, Any]:
        """What the metadata records about the kernels: emulator and LiteRT versions, or the host CPU."""
        if not self.target.emulated:
            import platform

            from ...runtime.cpu import cpu_isa

            return {"host_machine": platform.machine(), "host_isa": cpu_isa()}
        facts = self.guest.facts()
        return {"qemu": facts.get("qemu"), "litert": self.guest.litert_version}


def host_costs(paths: list[Path], layout: str, image: np.ndarray, log: Log) -> dict[Path, dict[str, Any]]:
    """Median ms per inference of each file at 1 thread, in interleaved rounds (the host drifts)."""
    backends = {}
    for path in paths:
        backend = open_backend(path, threads=1)
        backend.bind_layout(layout)
        backends[path] = backend
        for _ in range(3):
            backend.run(image[None])
    medians: dict[Path, list[float]] = {p: [] for p in paths}
    for round_index in range(HOST_ROUNDS):
        for path, backend in backends.items():
            times = []
            for _ in range(HOST_RUNS):
                started = time.perf_counter()
                backend.run(image[None])
                times.append((time.perf_counter() - started) * 1e3)
            medians[path].append(statistics.median(times))
        log(f"[host] timing round {round_index + 1}/{HOST_ROUNDS}")
    return {p: {"cost": statistics.median(m), "round_medians_ms": m} for p, m in medians.items()}
