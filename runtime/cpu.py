"""What this CPU offers int8 kernels, read from /proc/cpuinfo (no heavy imports, torch-free).

int8 pays only where the CPU has int8 dot-product instructions (x86 VNNI or AMX, ARM's dot
product): on an x86 CPU with AVX2 alone, XNNPACK's and ONNX Runtime's int8 kernels are hardly
cheaper than their float ones, and ONNX Runtime's AVX2 kernels sum byte products in saturating
16-bit lanes (docs/arm.md, "AVX2-only x86").
"""

from __future__ import annotations

import platform
from pathlib import Path

# The instruction-set extensions that decide which kernels run: x86 AVX2 / AVX-512 and the int8 dot
# products (VNNI), fp16 and AMX; ARM's int8 dot product (asimddp), fp16 arithmetic (asimdhp), i8mm, SVE.
ISA_FLAGS = (
    "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16",
    "avx512_fp16", "amx_int8", "amx_bf16", "asimd", "asimddp", "asimdhp", "fphp", "i8mm", "bf16", "sve", "sve2",
)
INT8_PRECISIONS = frozenset({"int8", "int8-dynamic"})


def cpu_isa(cpuinfo: str | None = None) -> list[str]:
    """The ISA_FLAGS the first CPU of /proc/cpuinfo reports ('flags' on x86, 'Features' on ARM); [] if unreadable."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            present = set(value.split())
            return [flag for flag in ISA_FLAGS if flag in present]
    return []


def int8_dot_product(isa: list[str]) -> bool:
    """Whether the CPU has int8 dot-product instructions, the ones that make int8 kernels pay."""
    return bool({"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"} & set(isa))


def int8_advice(precision: str, fmt: str, isa: list[str] | None = None, machine: str | None = None) -> str | None:
    """A warning for an int8 model about to run on an x86 CPU without int8 dot products, else None.

    Silent when the CPU's flags cannot be read (macOS, containers without /proc): no guessing.
    """
    isa = cpu_isa() if isa is None else isa
    machine = (platform.machine() if machine is None else machine).lower()
    if precision not in INT8_PRECISIONS or machine not in ("x86_64", "amd64") or not isa or int8_dot_product(isa):
        return None
    advice = (f"this is an {precision} model and this CPU has no int8 dot-product instructions (no VNNI or AMX): "
              "expect it to be no faster than the fp32 file")
    if fmt == "onnx":
        advice += (", and its logits to differ from the ones validated at export by up to about 1 "
                   "(ONNX Runtime's AVX2 integer kernels round differently)")
    return advice + "; prefer the fp32 file on this CPU (docs/arm.md)"
