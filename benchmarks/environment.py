"""What machine and software a benchmark ran on, read without importing the heavy libraries."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = ("hierattn", "torch", "torchvision", "timm", "onnxruntime", "ai-edge-litert", "numpy", "onnx", "onnx2tf")


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (Linux; x86 'model name', ARM 'Hardware'/'Model'), else platform."""
    info = _read("/proc/cpuinfo") or ""
    for key in ("model name", "Hardware", "Model", "cpu model"):
        for line in info.splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key and value.strip():
                return value.strip()
    return platform.processor() or platform.machine()


# The instruction-set extensions that decide which kernels run: x86 AVX2 / AVX-512 and the int8 dot
# products (VNNI), fp16 and AMX; ARM's int8 dot product (asimddp), fp16 arithmetic (asimdhp), i8mm, SVE.
ISA_FLAGS = (
    "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16",
    "avx512_fp16", "amx_int8", "amx_bf16", "asimd", "asimddp", "asimdhp", "fphp", "i8mm", "bf16", "sve", "sve2",
)


def cpu_isa(cpuinfo: str | None = None) -> list[str]:
    """The ISA_FLAGS the first CPU of /proc/cpuinfo reports ('flags' on x86, 'Features' on ARM)."""
    info = _read("/proc/cpuinfo") if cpuinfo is None else cpuinfo
    for line in (info or "").splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            present = set(value.split())
            return [flag for flag in ISA_FLAGS if flag in present]
    return []


def int8_dot_product(isa: list[str]) -> bool:
    """Whether the CPU has int8 dot-product instructions, the ones that make int8 kernels pay."""
    return bool({"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"} & set(isa))


def library_versions() -> dict[str, str | None]:
    """Installed versions from package metadata (None when not installed)."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def collect(argv: list[str] | None = None) -> dict[str, Any]:
    """The ``environment`` block of a report."""
    argv = sys.argv if argv is None else argv
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(a) for a in [Path(argv[0]).name, *argv[1:]]) if argv else "",
        "cpu_model": cpu_model(),
        "cpu_isa": cpu_isa(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "machine": platform.machine(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": library_versions(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }
