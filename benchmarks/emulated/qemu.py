"""Run a program under qemu-user (``qemu-aarch64 -cpu CPU``, or ``qemu-x86_64``) with the instruction-count plugin.

The plugin (``plugin/insn_count.c``, built here with the host's C compiler into the cache)
adds each translated block's instruction count every time the block executes, so a run's count is
exact and does not depend on how fast or loaded the host is. See docs/arm.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...runtime.errors import HierAttnError, UsageError

PLUGIN_DIR = Path(__file__).parent / "plugin"
QEMU = "qemu-aarch64"
_COUNT = re.compile(r"insns (\d+)")
INSTALL_HINT = "install Debian's qemu-user and gcc (run 'bash scripts/bootstrap.sh' as root)"


@dataclass(frozen=True)
class CountedRun:
    """One emulated process: guest instructions executed, exit code and its output."""

    insns: int
    returncode: int
    stdout_bytes: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", "replace")


def qemu_executable(qemu: str = QEMU) -> str:
    path = shutil.which(qemu)
    if path is None:
        raise HierAttnError(f"{qemu} is not on PATH: {INSTALL_HINT}.")
    return path


def qemu_cpus(qemu: str = QEMU) -> tuple[str, ...]:
    """The CPU models this qemu-user emulates: the ``-cpu help`` list up to its first blank line.

    qemu-aarch64 indents each name; qemu-x86_64 writes ``x86 NAME  (description)`` and then lists
    CPUID flags after a blank line.
    """
    done = subprocess.run([qemu_executable(qemu), "-cpu", "help"], capture_output=True, text=True, check=False,
                          timeout=60)
    names = []
    for line in done.stdout.splitlines()[1:]:
        words = line.split()
        if not words:
            break
        names.append(words[1] if words[0] == "x86" and len(words) > 1 else words[0])
    return tuple(names)


def check_cpus(cpus: Sequence[str], qemu: str = QEMU) -> None:
    known = qemu_cpus(qemu)
    unknown = [c for c in cpus if c not in known]
    if unknown:
        raise UsageError(f"--cpu {', '.join(unknown)}: {qemu} does not emulate it; choose from: {', '.join(known)}.")


def build_plugin(cache: Path, source: str = "insn_count.c") -> Path:
    """Compile a plugin of ``plugin/`` once per source version; returns the shared object."""
    headers = sorted(PLUGIN_DIR.glob("*.h"))  # qemu_plugin_api.h and the shared argument parsing
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in [PLUGIN_DIR / source, *headers])).hexdigest()[:12]
    target = cache / f"lib{Path(source).stem}-{digest}.so"
    if target.is_file():
        return target
    compiler = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    if compiler is None:
        raise HierAttnError(f"No C compiler to build the instruction-count plugin: {INSTALL_HINT}.")
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    done = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-Wall", "-Werror",
                           "-o", str(partial), str(PLUGIN_DIR / source)],
                          capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise HierAttnError(f"Building the instruction-count plugin failed: {done.stderr.strip()[:300]}")
    partial.replace(target)
    return target


def run_with_plugin(plugin: Path, cpu: str, argv: Sequence[str], env: Mapping[str, str], sysroot: Path | None = None,
                    timeout: float = 3600.0, qemu: str = QEMU) -> tuple[subprocess.CompletedProcess[bytes], str | None]:
    """Run ``argv`` under ``qemu -cpu cpu -plugin plugin,out=FILE``; returns the process and FILE's text."""
    with tempfile.TemporaryDirectory(prefix="hierattn-insns-") as tmp:
        out_file = Path(tmp) / "count"
        cmd = [qemu_executable(qemu), "-cpu", cpu, "-plugin", f"{plugin},out={out_file}"]
        if sysroot is not None:
            cmd += ["-L", str(sysroot)]
        try:
            done = subprocess.run([*cmd, *argv], capture_output=True, env=dict(env), timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise HierAttnError(f"Emulated run exceeded {timeout:.0f} s: {' '.join(argv[:3])}") from None
        return done, out_file.read_text() if out_file.is_file() else None


def run_counted(plugin: Path, cpu: str, argv: Sequence[str], env: Mapping[str, str], sysroot: Path | None = None,
                timeout: float = 3600.0, qemu: str = QEMU) -> CountedRun:
    """Run ``argv`` under ``qemu -cpu cpu`` and return its exact guest instruction count."""
    done, text = run_with_plugin(plugin, cpu, argv, env, sysroot, timeout, qemu)
    return counted(done, text, qemu)


def counted(done: subprocess.CompletedProcess[bytes], text: str | None, qemu: str = QEMU) -> CountedRun:
    """The counting plugin's total for a finished run, with the run's exit code and output."""
    match = _COUNT.search(text) if text is not None else None
    stderr = done.stderr.decode("utf-8", "replace")
    if match is None:
        raise HierAttnError(f"{qemu} wrote no instruction count (exit {done.returncode}): {stderr.strip()[-300:]}")
    return CountedRun(int(match.group(1)), done.returncode, done.stdout, stderr)


def qemu_version(qemu: str = QEMU) -> str:
    done = subprocess.run([qemu_executable(qemu), "--version"], capture_output=True, text=True, check=False, timeout=60)
    return done.stdout.splitlines()[0].strip() if done.stdout else "unknown"
