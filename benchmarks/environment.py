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

from ..runtime.cpu import ISA_FLAGS, cpu_isa, int8_dot_product

__all__ = ["ISA_FLAGS", "collect", "cpu_isa", "cpu_model", "int8_dot_product", "library_versions"]

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
