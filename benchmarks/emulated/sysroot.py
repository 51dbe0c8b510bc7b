"""A per-core view of the userland: the emulated core's ``/proc/cpuinfo`` and a one-CPU ``/sys``.

qemu-user emulates the instructions of ``-cpu cortex-a76`` but (in 7.2, for aarch64) lets the guest
read the host's x86 ``/proc/cpuinfo``. LiteRT's cpuinfo library then finds no ARM processor and
crashes while loading a model; on a phone it would read the core's MIDR and pick XNNPACK's kernels
for that microarchitecture (Cortex-A53 has its own tuned kernels). ``qemu -L DIR`` resolves guest
paths under DIR first, so each core gets a directory of symlinks to the shared userland plus its own
``proc/cpuinfo`` (MIDR of the core as qemu models it, features from the emulated AT_HWCAP) and
``sys/devices/system/cpu/{possible,present,online}`` = ``0`` (one core, matching 1-thread runs).
"""

from __future__ import annotations

import struct
from pathlib import Path

from ...runtime.errors import HierAttnError
from . import qemu as arm_emulator
from .userland import Userland

# (implementer, variant, part, revision) of MIDR_EL1 as qemu 7.2 sets it for each model; the kernel
# prints these fields in /proc/cpuinfo. tests/integration/benchmarks/test_arm_emulated.py reads MIDR_EL1 in the
# guest and checks this table against it.
MIDR: dict[str, tuple[int, int, int, int]] = {
    "cortex-a35": (0x41, 0x1, 0xD04, 0), "cortex-a53": (0x41, 0x0, 0xD03, 4),
    "cortex-a57": (0x41, 0x1, 0xD07, 0), "cortex-a72": (0x41, 0x0, 0xD08, 3),
    "cortex-a76": (0x41, 0x4, 0xD0B, 1), "neoverse-n1": (0x41, 0x4, 0xD0C, 1),
    "a64fx": (0x46, 0x1, 0x001, 0),
}
# Cores qemu 7.2 has no model for: run on a model with the same instruction-set features and shown to
# the guest with their own MIDR, so XNNPACK picks the kernels it tunes for that core. The Cortex-A55
# is ARMv8.2-A with fp16 arithmetic and dot product, as the Cortex-A76 model is; its kernels
# differ (XNNPACK has in-order-scheduled A55 variants of its gemm kernels), its instruction set not.
STAND_INS: dict[str, tuple[str, tuple[int, int, int, int]]] = {
    "cortex-a55": ("cortex-a76", (0x41, 0x2, 0xD05, 0)),
}
CORES: tuple[str, ...] = (*MIDR, *STAND_INS)


def qemu_model(cpu: str) -> str:
    """The qemu ``-cpu`` model that runs ``cpu``'s instructions."""
    return STAND_INS[cpu][0] if cpu in STAND_INS else cpu


def midr(cpu: str) -> tuple[int, int, int, int]:
    """(implementer, variant, part, revision) the guest's /proc/cpuinfo shows for ``cpu``."""
    return STAND_INS[cpu][1] if cpu in STAND_INS else MIDR[cpu]
# Linux arm64 AT_HWCAP bit names, in bit order (arch/arm64/include/uapi/asm/hwcap.h).
HWCAP_NAMES = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp", "cpuid",
    "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve", "asimdfhm",
    "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
]
AT_HWCAP = 16
READ_AUXV = "import sys; sys.stdout.buffer.write(open('/proc/self/auxv', 'rb').read())"


def hwcap_features(auxv: bytes) -> list[str]:
    """Feature names of the AT_HWCAP word in a raw aarch64 auxiliary vector."""
    for key, value in struct.iter_unpack("<QQ", auxv[: len(auxv) // 16 * 16]):
        if key == AT_HWCAP:
            return [name for bit, name in enumerate(HWCAP_NAMES) if value >> bit & 1]
    return []


def cpuinfo_text(cpu: str, features: list[str]) -> str:
    implementer, variant, part, revision = midr(cpu)
    return (f"processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: {' '.join(features)}\n"
            f"CPU implementer\t: 0x{implementer:02x}\nCPU architecture: 8\nCPU variant\t: 0x{variant:x}\n"
            f"CPU part\t: 0x{part:03x}\nCPU revision\t: {revision}\n\n")


def cpu_sysroot(userland: Userland, plugin: Path, cpu: str) -> Path:
    """The ``-L`` directory for ``cpu`` (built once next to the userland)."""
    if cpu not in CORES:
        raise HierAttnError(f"--cpu {cpu}: no MIDR known for it; supported: {', '.join(CORES)}.")
    root = userland.root.parent / f"{userland.root.name}-{cpu}"
    marker = root / "proc" / "cpuinfo"
    if marker.is_file():
        return root
    done = arm_emulator.run_counted(plugin, qemu_model(cpu), [str(userland.python), "-c", READ_AUXV], userland.guest_env(),
                                    userland.root)
    features = hwcap_features(done.stdout_bytes)
    if not features:
        raise HierAttnError(f"Could not read the emulated AT_HWCAP of {cpu}: {done.stderr.strip()[-200:]}")
    (root / "proc").mkdir(parents=True, exist_ok=True)
    cpu_dir = root / "sys" / "devices" / "system" / "cpu"
    cpu_dir.mkdir(parents=True, exist_ok=True)
    for entry in userland.root.iterdir():
        link = root / entry.name
        if not link.exists() and entry.name not in ("proc", "sys"):
            link.symlink_to(entry)
    for name in ("possible", "present", "online", "kernel_max"):
        (cpu_dir / name).write_text("0\n")
    partial = marker.with_suffix(".partial")
    partial.write_text(cpuinfo_text(cpu, features))
    partial.replace(marker)
    return root
