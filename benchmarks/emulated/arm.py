"""``--device arm-emulated``: TFLite artifacts on LiteRT's aarch64 build under qemu-user, counted.

For every artifact and every emulated core (``-cpu cortex-a76``, ``cortex-a53``, ...):

- numerics: one guest run feeds the numerics images through the ARM kernels and returns the raw
  outputs, compared with the same file on x86 LiteRT and with PyTorch;
- cost: two guest runs that differ only in the number of extra inferences on one image (N and 2N);
  their instruction counts, differenced and divided by N, give guest instructions per inference
  with interpreter start-up, model load, XNNPACK setup and the numerics work removed.

The instruction count is exact and independent of the host (docs/arm.md says what it does and
does not model). Rows share the report's schema: ``insns_per_inference`` is their metric and the
latency columns are null.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...runtime.errors import HierAttnError, UsageError
from ...runtime.spec import ModelSpec, sidecar_path
from . import qemu as arm_emulator
from . import sysroot as arm_sysroot
from . import userland as arm_userland

Log = Callable[[str], None]
GUEST_SCRIPT = Path(__file__).parent / "guest.py"
DEFAULT_CPUS: tuple[str, ...] = ("cortex-a76", "cortex-a53")
DEFAULT_PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "int8")
XNNPACK_LINE = re.compile(r"Created TensorFlow Lite XNNPACK delegate")


@dataclass(frozen=True)
class ArmOptions:
    """What the ``--device arm-emulated`` run needs."""

    cpus: tuple[str, ...] = DEFAULT_CPUS
    models: tuple[str, ...] = ()
    model_files: tuple[Path, ...] = ()
    precisions: tuple[str, ...] | None = None
    repeats: int = 4
    images: int = 8
    validation_dir: Path | None = None
    reference_checkpoint: Path | None = None
    out_dir: Path = Path("bench-out")
    formats: tuple[str, ...] = ("tflite",)  # what --models exports (x86-emulated: also onnx)
    runnable: tuple[str, ...] = ("tflite",)  # the --model files the guest can run (x86-emulated: also .onnx)

    def validate(self) -> None:
        if self.repeats < 1 or self.images < 1:
            raise UsageError("--iters (inferences per counted run) and --arm-images must be at least 1.")
        if not self.models and not self.model_files:
            raise UsageError("Nothing to run: give --models or --model FILE.tflite.")
        suffixes = " or ".join(f".{f}" for f in self.runnable)
        unrunnable = [f for f in self.formats if f not in self.runnable]
        if unrunnable:
            raise UsageError(f"--formats {', '.join(unrunnable)}: this emulated device runs {suffixes} files only.")
        for path in self.model_files:
            if path.suffix.lstrip(".") not in self.runnable or not path.is_file():
                raise UsageError(f"--model {path}: this emulated device runs existing {suffixes} files only.")
        if self.reference_checkpoint is not None and not self.reference_checkpoint.is_file():
            raise UsageError(f"--reference-checkpoint {self.reference_checkpoint} does not exist.")
        unknown = [p for p in self.precisions or () if p not in ("fp32", "fp16", "int8-dynamic", "int8")]
        if unknown:
            raise UsageError(f"Unknown precision(s) {', '.join(unknown)}; choose from fp32, fp16, int8-dynamic, int8.")


@dataclass
class _Job:
    """One .tflite (or .onnx) file, its model facts, the NCHW numerics images and their PyTorch logits (if any)."""

    model: str
    precision: str
    path: Path
    spec: ModelSpec
    info: Any
    images: np.ndarray
    torch_logits: np.ndarray | None
    image_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Count:
    """Instructions of the N and 2N runs and what they give per inference."""

    repeats: int
    insns_n: int
    insns_2n: int

    @property
    def per_inference(self) -> float:
        return (self.insns_2n - self.insns_n) / self.repeats

    @property
    def setup(self) -> float:
        """Everything but the N extra inferences: start-up, load, XNNPACK setup, the first inference."""
        return self.insns_n - self.repeats * self.per_inference


class EmulatedGuest:
    """LiteRT under qemu-user with a plugin; subclasses say which qemu, CPU models, Python and libraries."""

    device_prefix = "emulated"
    backend = "litert"
    qemu = arm_emulator.QEMU
    plugin: Path

    def launch(self, plugin: Path, cpu: str, model: Path, inputs: Path, repeats: int, outputs: Path | None,
               extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[bytes], str | None]:
        """Run the guest script under ``plugin``; returns the process and the plugin's output."""
        raise NotImplementedError

    @property
    def litert_version(self) -> str | None:
        raise NotImplementedError

    def facts(self) -> dict[str, Any]:
        """What the report's environment block records about the emulated side."""
        raise NotImplementedError

    def backend_of(self, model: Path, xnnpack: bool) -> dict[str, str | None]:
        """The row's ``backend`` and ``backend_version`` for a file run in this guest."""
        return {"backend": f"{self.backend}+xnnpack" if xnnpack else self.backend, "backend_version": self.litert_version}

    def run(self, cpu: str, model: Path, inputs: Path, repeats: int, outputs: Path | None) -> arm_emulator.CountedRun:
        done = arm_emulator.counted(*self.launch(self.plugin, cpu, model, inputs, repeats, outputs), self.qemu)
        if done.returncode != 0:
            raise HierAttnError(f"{model.name} failed under {self.qemu} -cpu {cpu}: {done.stderr.strip()[-400:]}")
        return done

    def count(self, cpu: str, model: Path, one_input: Path, repeats: int) -> tuple[Count, bool]:
        """Instructions per inference by differencing; also whether LiteRT reported the XNNPACK delegate."""
        first = self.run(cpu, model, one_input, repeats, None)
        second = self.run(cpu, model, one_input, 2 * repeats, None)
        return Count(repeats, first.insns, second.insns), bool(XNNPACK_LINE.search(first.stderr))


def guest_argv(python: Path | str, model: Path, inputs: Path, repeats: int, outputs: Path | None) -> list[str]:
    return [str(python), str(GUEST_SCRIPT), str(model), str(inputs), str(repeats),
            str(outputs) if outputs is not None else "-"]


class Guest(EmulatedGuest):
    """The emulated aarch64 LiteRT: userland, plugin and guest script, run on one CPU model at a time."""

    device_prefix = "arm-emulated"
    backend = "litert-aarch64"

    def __init__(self, log: Log) -> None:
        self.userland = arm_userland.build_userland(log)
        self.plugin = arm_emulator.build_plugin(arm_userland.cache_root())

    def launch(self, plugin: Path, cpu: str, model: Path, inputs: Path, repeats: int, outputs: Path | None,
               extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[bytes], str | None]:
        argv = guest_argv(self.userland.python, model, inputs, repeats, outputs)
        sysroot = arm_sysroot.cpu_sysroot(self.userland, self.plugin, cpu)
        return arm_emulator.run_with_plugin(plugin, arm_sysroot.qemu_model(cpu), argv,
                                            {**self.userland.guest_env(), **(extra_env or {})}, sysroot)

    @property
    def litert_version(self) -> str | None:
        return self.userland.manifest["wheel_versions"].get("ai-edge-litert")

    def facts(self) -> dict[str, Any]:
        return {"qemu": arm_emulator.qemu_version(), "userland": str(self.userland.root), **self.userland.manifest}


def agreement(reference: np.ndarray | None, candidate: np.ndarray) -> tuple[float | None, float | None]:
    """(max |diff|, top-1 agreement) of two logit batches; (None, None) without a reference."""
    if reference is None or reference.shape != candidate.shape:
        return None, None
    return float(np.abs(reference - candidate).max()), float((reference.argmax(1) == candidate.argmax(1)).mean())


def top1_differences(arm: np.ndarray, x86: np.ndarray, torch_logits: np.ndarray | None,
                     class_names: tuple[str, ...], image_names: tuple[str, ...]) -> list[dict[str, str | None]]:
    """The numerics images whose ARM top-1 differs from x86's or PyTorch's, with the three classes."""
    def name(logits: np.ndarray | None, i: int) -> str | None:
        if logits is None:
            return None
        index = int(logits[i].argmax())
        return class_names[index] if index < len(class_names) else str(index)

    torch_logits = torch_logits if torch_logits is not None and torch_logits.shape == arm.shape else None
    differences = []
    for i in range(len(arm)):
        classes = {"arm": name(arm, i), "x86": name(x86, i), "pytorch": name(torch_logits, i)}
        if classes["arm"] != classes["x86"] or (classes["pytorch"] is not None and classes["arm"] != classes["pytorch"]):
            differences.append({"image": image_names[i] if i < len(image_names) else f"#{i}", **classes})
    return differences


def _zoo_jobs(options: ArmOptions, log: Log) -> list[_Job]:
    from ...export.data import synthetic_batch
    from .. import zoo
    from ..artifacts import cached_artifact
    from ..timing.harness import _model_info
    from ..timing.runners import TorchRunner

    jobs = []
    for name in options.models:
        model = zoo.build_model(name)
        spec = zoo.model_spec(name)
        info = _model_info(name, model, spec)
        images = synthetic_batch(spec, count=options.images)
        logits = TorchRunner(model, 1, 1, spec.input_size).infer(images)
        for fmt in options.formats:
            for precision in options.precisions or DEFAULT_PRECISIONS:
                artifact = cached_artifact(model, spec, fmt, precision, options.out_dir / "artifacts", log)
                jobs.append(_Job(name, precision, artifact.path, artifact.spec or spec, info, images, logits))
    return jobs


class _Reference:
    """The PyTorch model the --model files came from: logits for the vs-PyTorch columns, params and MACs."""

    def __init__(self, checkpoint: Path) -> None:
        from ...models import load_checkpoint
        from ...models.complexity import count_macs, count_parameters

        self.model = load_checkpoint(checkpoint)
        self.params_m = count_parameters(self.model) / 1e6
        self.macs_g = count_macs(self.model, (256, 256)) / 1e9

    def logits(self, images: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return np.concatenate([self.model(torch.from_numpy(images[i:i + 16])).numpy()
                                   for i in range(0, len(images), 16)])


def _file_jobs(options: ArmOptions) -> list[_Job]:
    from ...export.data import validation_batch
    from ..timing.harness import ModelInfo
    from ..zoo import ZOO

    reference = _Reference(options.reference_checkpoint) if options.reference_checkpoint else None
    jobs = []
    for path in options.model_files:
        side = sidecar_path(path)
        spec = ModelSpec.from_json(side.read_text()) if side.is_file() else ModelSpec()
        images, _ = validation_batch(spec, options.validation_dir)
        chosen = np.linspace(0, len(images) - 1, min(options.images, len(images))).astype(int)  # all classes
        images = images[chosen]
        names = _image_names(options.validation_dir, chosen)
        entry = ZOO.get(spec.arch)
        info = ModelInfo(name=spec.arch, label=path.name, family="file", paper_ms=entry.paper_ms if entry else None,
                         params_m=reference.params_m if reference else None,
                         macs_g=reference.macs_g if reference else None)
        jobs.append(_Job(spec.arch, spec.precision if side.is_file() else "unknown", path, spec, info, images,
                         reference.logits(images) if reference else None, names))
    return jobs


def _image_names(directory: Path | None, chosen: np.ndarray) -> tuple[str, ...]:
    """class/file names of the chosen validation images (the order validation_batch loads them in)."""
    from ...export.data import bundled_image_dir, list_images

    folder = directory or bundled_image_dir("validation")
    paths = list_images(folder) if folder is not None else []
    if len(paths) <= int(chosen.max(initial=0)):
        return tuple(f"#{i}" for i in range(len(chosen)))
    return tuple(f"{paths[i].parent.name}/{paths[i].name}" for i in chosen)


def _row(job: _Job, guest: EmulatedGuest, cpu: str, count: Count, xnnpack: bool, n_images: int,
         vs_x86: tuple[float | None, float | None], vs_torch: tuple[float | None, float | None],
         differences: list[dict[str, str | None]]) -> dict[str, Any]:
    info = job.info
    return {
        "device": f"{guest.device_prefix}:{cpu}", "model": job.model, "label": info.label, "family": info.family,
        "weights": info.weights,
        "format": job.path.suffix.lstrip("."), "precision": job.precision,
        **guest.backend_of(job.path, xnnpack),
        "threads": 1, "threads_observed": None, "threads_check": "1 thread (the counter needs one guest thread)",
        "batch": 1, "warmup": 1, "iters": count.repeats,
        "insns_per_inference": count.per_inference, "setup_insns": count.setup,
        "numerics_images": n_images,
        "x86_max_abs_diff": vs_x86[0], "x86_top1_agreement": vs_x86[1],
        "fidelity_max_abs_diff": vs_torch[0], "fidelity_top1_agreement": vs_torch[1],
        "top1_differences": differences,
        "size_mb": job.path.stat().st_size / 1e6, "params_m": info.params_m, "macs_g": info.macs_g,
        "paper_ms": info.paper_ms, "artifact": str(job.path),
    }


def _run_job(guest: EmulatedGuest, job: _Job, cpus: tuple[str, ...], repeats: int, log: Log) -> list[dict[str, Any]]:
    from ...runtime.backends import open_backend

    backend = open_backend(job.path, threads=1)
    backend.bind_layout(job.spec.layout)
    x86 = backend.run(job.images)
    prepared = backend.prepare_input(job.images)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hierattn-arm-") as tmp:
        inputs, one_input, outputs = Path(tmp) / "inputs.npy", Path(tmp) / "one.npy", Path(tmp) / "outputs.npy"
        np.save(inputs, prepared[:, None])  # one batch-1 tensor per row
        np.save(one_input, prepared[:1, None])
        for cpu in cpus:
            log(f"{guest.device_prefix} {cpu}: {job.path.name} numerics on {len(job.images)} images")
            started = time.monotonic()
            guest.run(cpu, job.path, inputs, 0, outputs)
            log(f"  numerics run took {time.monotonic() - started:.0f} s under emulation")
            raw = np.load(outputs)
            arm = backend.finish_output(raw.reshape(len(job.images), *raw.shape[2:]))
            log(f"{guest.device_prefix} {cpu}: {job.path.name} counting {repeats} and {2 * repeats} inferences")
            started = time.monotonic()
            count, xnnpack = guest.count(cpu, job.path, one_input, repeats)
            log(f"  counting runs took {time.monotonic() - started:.0f} s under emulation")
            rows.append(_row(job, guest, cpu, count, xnnpack, len(job.images),
                             agreement(x86, arm), agreement(job.torch_logits, arm),
                             top1_differences(arm, x86, job.torch_logits, job.spec.class_names, job.image_names)))
            log(f"  {count.per_inference / 1e6:.1f} M insns/inference, setup {count.setup / 1e6:.0f} M")
    return rows


def run_arm(options: ArmOptions, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Count and check every TFLite artifact on every emulated core; returns (rows, skipped, environment facts)."""
    options.validate()
    # qemu first (a core it does not emulate at all gets that reason), then the guest's /proc/cpuinfo.
    arm_emulator.check_cpus([arm_sysroot.qemu_model(c) for c in options.cpus])
    unsupported = [c for c in options.cpus if c not in arm_sysroot.CORES]
    if unsupported:
        raise UsageError(f"--cpu {', '.join(unsupported)}: no /proc/cpuinfo model for it; choose from: "
                         f"{', '.join(arm_sysroot.CORES)}.")
    return run_emulated(options, Guest(log), log)


def run_emulated(options: ArmOptions, guest: EmulatedGuest, log: Log
                 ) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Every artifact of ``options`` on every CPU model through ``guest``: (rows, skipped, environment facts)."""
    jobs = _file_jobs(options) + (_zoo_jobs(options, log) if options.models else [])
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for job in jobs:
        try:
            rows += _run_job(guest, job, options.cpus, options.repeats, log)
        except HierAttnError as exc:
            log(f"skipping {job.model} {job.precision}: {exc}")
            skipped.append({"model": job.model, "format": job.path.suffix.lstrip("."), "precision": job.precision,
                            "reason": str(exc)})
    if not rows:
        raise HierAttnError("No artifact ran under emulation; see the skipped reasons above.")
    return rows, skipped, {"cpus": list(options.cpus), **guest.facts()}
