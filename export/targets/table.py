"""The export targets: a name, how its kernels are run and in which unit its cost is counted.

A target is data: adding a core is a row here, not a code path. Emulated targets run LiteRT's
aarch64 (or x86-64) build under qemu-user and count guest instructions per inference, exactly
(docs/arm.md); ``host`` runs this machine's LiteRT and times it in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ...runtime.errors import UsageError
from ..base import Precision


class Runner(str, Enum):
    """How a target's kernels are run."""

    ARM_EMULATED = "arm-emulated"  # LiteRT aarch64 under qemu-aarch64, instructions counted
    X86_EMULATED = "x86-emulated"  # this Python's LiteRT under qemu-x86_64, instructions counted
    HOST = "host"  # this machine's LiteRT, timed


@dataclass(frozen=True)
class Target:
    """One core the export can choose a file for.

    Attributes:
        name: what ``--target`` takes.
        runner: how its kernels run.
        cpu: the core as the emulator names it (``hierattn-bench --cpu``); None for the host.
        unit: the cost unit: "M insns" (million instructions per inference) or "ms".
        features: what the core offers that changes XNNPACK's kernels, for the table's caption.
        candidates: the TFLite precisions built and judged for it, widest first.
        tie: costs within this fraction of the cheapest count as equal (the wider file wins): the
            timing noise for a timed target; for instruction counts, which are exact but are not
            time, the smallest saving worth a narrower file's lost fidelity (``MIN_INSTRUCTION_GAIN``).
    """

    name: str
    runner: Runner
    cpu: str | None
    unit: str
    features: str
    candidates: tuple[Precision, ...] = (Precision.FP32, Precision.FP16, Precision.INT8_DYNAMIC, Precision.INT8)
    tie: float = 0.0

    @property
    def emulated(self) -> bool:
        return self.runner is not Runner.HOST


MIN_INSTRUCTION_GAIN = 0.05
"""A narrower file is chosen over a wider one that passes only if it saves more than 5% of the
instructions: a count is exact, but how instructions turn into time differs between fp32, fp16 and
int8 kernels, and a margin below this is no reason to ship a file further from the model (on an
AVX2-only x86 CPU int8 saves 1.2%, docs/export.md)."""

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("cortex-a76", Runner.ARM_EMULATED, "cortex-a76", "M insns",
           "ARMv8.2-A, fp16 arithmetic, int8 dot product (big cores of 2019-2021 phones)", tie=MIN_INSTRUCTION_GAIN),
    Target("cortex-a55", Runner.ARM_EMULATED, "cortex-a55", "M insns",
           "ARMv8.2-A, fp16 arithmetic, int8 dot product, in-order (little cores since 2017); "
           "qemu 7.2 has no A55 model: the A76's ARMv8.2-A instruction set with the A55's MIDR, so XNNPACK "
           "picks the kernels it tunes for the A55", tie=MIN_INSTRUCTION_GAIN),
    Target("cortex-a53", Runner.ARM_EMULATED, "cortex-a53", "M insns",
           "ARMv8.0-A, no fp16 arithmetic, no dot product, in-order (budget phones)", tie=MIN_INSTRUCTION_GAIN),
    Target("x86-avx2", Runner.X86_EMULATED, "Haswell", "M insns",
           "x86-64 with AVX2 and FMA, no AVX-512 or VNNI (emulated Haswell)", tie=MIN_INSTRUCTION_GAIN),
    Target("host", Runner.HOST, None, "ms", "this machine's CPU, timed natively at 1 thread", tie=0.05),
)}


def get_target(name: str) -> Target:
    """The target called ``name``, or a usage error listing the known ones."""
    try:
        return TARGETS[name]
    except KeyError:
        raise UsageError(f"Unknown --target {name!r}; choose from: {', '.join(TARGETS)}.") from None
