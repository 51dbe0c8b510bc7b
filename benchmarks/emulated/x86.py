"""``--device x86-emulated``: TFLite and ONNX files on this machine's own runtimes under ``qemu-x86_64 -cpu MODEL``.

x86 int8 speed depends on the host's instruction set: XNNPACK's int8 kernels gain most from
VNNI dot products and AMX tiles, and on an AVX2-only CPU they can be slower than fp32. A host
with AVX-512 cannot show what an AVX2-only one runs, but qemu can: its TCG translator emulates
x86 up to AVX2 and FMA (no AVX-512, VNNI or AMX), the guest's CPUID is the chosen model's, and
XNNPACK picks its kernels from that CPUID. So ``-cpu Haswell`` runs the kernels of an AVX2 host,
and the counting plugin gives their exact x86 instructions per inference, as ``arm-emulated``
does for phone cores (docs/arm.md). The guest is this machine's own Python and LiteRT wheel:
no userland to build.

Instructions are not time (docs/arm.md says what the count does and does not model); the ratio of
two files' counts on the same model is what this device is for.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from ...runtime.errors import UsageError
from . import qemu as arm_emulator
from . import userland as arm_userland
from .arm import ArmOptions, EmulatedGuest, Log, guest_argv, run_emulated

QEMU_X86 = "qemu-x86_64"
DEFAULT_CPUS: tuple[str, ...] = ("Haswell",)
FORMATS: tuple[str, ...] = ("tflite", "onnx")  # LiteRT + XNNPACK, and ONNX Runtime's CPU provider (MLAS)
# qemu warns "TCG doesn't support requested feature: CPUID.07H:EBX.avx512f [bit 16]" for each
# feature a model asks for that the translator lacks; vector ones would change the kernels.
_DROPPED_FEATURE = re.compile(r"TCG doesn't support requested feature: CPUID\.[0-9A-Fa-f]+H:E[A-D]X\.([\w-]+)")
VECTOR_FEATURES = ("avx512", "vnni", "amx", "avx-ifma", "avx-vnni", "fp16")


class X86Guest(EmulatedGuest):
    """This interpreter's LiteRT and ONNX Runtime under ``qemu-x86_64 -cpu CPU`` with the counting plugin."""

    device_prefix = "x86-emulated"
    backend = "litert-x86_64"
    qemu = QEMU_X86

    def __init__(self) -> None:
        self.plugin = arm_emulator.build_plugin(arm_userland.cache_root())

    def launch(self, plugin: Path, cpu: str, model: Path, inputs: Path, repeats: int, outputs: Path | None,
               extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[bytes], str | None]:
        env = {**guest_env(), **(extra_env or {})}
        return arm_emulator.run_with_plugin(plugin, cpu, guest_argv(sys.executable, model, inputs, repeats, outputs),
                                            env, qemu=QEMU_X86)

    @property
    def litert_version(self) -> str | None:
        return _version("ai-edge-litert")

    def facts(self) -> dict[str, Any]:
        return {"qemu": arm_emulator.qemu_version(QEMU_X86), "python": sys.executable,
                "wheel_versions": {"ai-edge-litert": self.litert_version, "onnxruntime": _version("onnxruntime")}}

    def backend_of(self, model: Path, xnnpack: bool) -> dict[str, str | None]:
        if model.suffix == ".onnx":
            return {"backend": "onnxruntime-x86_64", "backend_version": _version("onnxruntime")}
        return super().backend_of(model, xnnpack)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def guest_env() -> dict[str, str]:
    """A fixed environment, so that two guest runs differ only in their number of inferences."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/"), "PYTHONHASHSEED": "0",
            "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "0"}


def dropped_vector_features(cpu: str) -> list[str]:
    """The vector CPUID features of model ``cpu`` that qemu's translator cannot give the guest."""
    done = subprocess.run([arm_emulator.qemu_executable(QEMU_X86), "-cpu", cpu, "/bin/true"],
                          capture_output=True, text=True, check=False, timeout=60)
    return [f for f in _DROPPED_FEATURE.findall(done.stderr) if any(v in f for v in VECTOR_FEATURES)]


def check_x86_cpus(cpus: tuple[str, ...]) -> None:
    """Models qemu knows and can honour: one with AVX-512 or VNNI would run as a plain AVX2 CPU under its name."""
    arm_emulator.check_cpus(cpus, QEMU_X86)
    for cpu in cpus:
        dropped = dropped_vector_features(cpu)
        if dropped:
            raise UsageError(f"x86 CPU model {cpu}: qemu's translator has no {', '.join(dropped)}, so it would run as "
                             "another CPU under this name; use an AVX2 model such as Haswell, Broadwell, Skylake-Client "
                             "or EPYC-Rome.")


def run_x86_emulated(options: ArmOptions, log: Log) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Count and check every TFLite and ONNX artifact on every emulated x86 model; (rows, skipped, facts)."""
    options = replace(options, runnable=FORMATS)
    options.validate()
    check_x86_cpus(options.cpus)
    return run_emulated(options, X86Guest(), log)
