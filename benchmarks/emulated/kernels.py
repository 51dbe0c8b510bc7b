"""Where a TFLite file's ARM instructions go: guest instructions per inference, per kernel.

The profile plugin (``plugin/insn_profile.c``) counts instructions per translated-block start
address. The guest writes its memory map at exit, and the addresses are named with the symbol
tables of the shared libraries they fall in (LiteRT's aarch64 wheel keeps XNNPACK's local
symbols, so every microkernel has its name). Two runs that differ only in the number of
inferences are differenced, as for the total count, so start-up and loading drop out.

XNNPACK microkernel names say their data type and operation
(``xnn_qs8_qc8w_gemm_minmax_fp32_ukernel_4x16c4__neondot``: signed 8-bit gemm with dot-product
instructions), which is how the profile tells integer from float work without guessing.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...runtime.errors import HierAttnError
from .arm import EmulatedGuest, Guest
from .qemu import build_plugin
from .userland import cache_root

KERNEL = re.compile(r"^xnn_(?P<dtype>[a-z0-9]+?)_(?:(?:qc8w|qc4w|qb4w|f32|f16|qs8|qu8)_)?(?P<op>[a-z0-9]+)")
INTEGER_TYPES = frozenset({"qs8", "qu8", "qd8", "s8", "u8", "qc8", "s32"})
FLOAT_TYPES = frozenset({"f32", "f16"})
NM_HINT = "install Debian's binutils-aarch64-linux-gnu (run 'bash scripts/bootstrap.sh' as root)"


def kernel_kind(symbol: str) -> str:
    """``int8``, ``float``, ``convert`` (quantize/dequantize), ``data movement`` or ``other``.

    ``other`` is everything outside XNNPACK's microkernels: LiteRT's own kernels and graph code,
    the operator glue, libc and Python.
    """
    match = KERNEL.match(symbol)
    if match is None:
        return "other"
    dtype, operation = match.group("dtype"), match.group("op")
    if operation == "vcvt":
        return "convert"
    if dtype in INTEGER_TYPES:
        return "int8"
    if dtype in FLOAT_TYPES or dtype == "qd8":
        return "float"
    if dtype.startswith("x"):
        return "data movement"
    return "other"


def kernel_operation(symbol: str) -> str:
    """The microkernel family (``f32 gemm``, ``qs8 dwconv``, ...) or the symbol itself."""
    match = KERNEL.match(symbol)
    return f"{match.group('dtype')} {match.group('op')}" if match else symbol


@dataclass(frozen=True)
class KernelCost:
    """Guest instructions per inference spent in one symbol."""

    symbol: str
    library: str
    insns: float

    @property
    def kind(self) -> str:
        return kernel_kind(self.symbol)

    @property
    def operation(self) -> str:
        return kernel_operation(self.symbol)


@dataclass(frozen=True)
class _Segment:
    start: int
    end: int
    offset: int
    path: str


def parse_profile(text: str) -> dict[int, int]:
    """``ADDRESS COUNT`` lines of the plugin's output; the ``untracked`` line must be zero."""
    counts: dict[int, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "untracked":
            if int(value) != 0:
                raise HierAttnError(f"The profile plugin's table overflowed ({value} instructions untracked).")
            continue
        if key:
            counts[int(key, 16)] = counts.get(int(key, 16), 0) + int(value)
    return counts


def parse_maps(text: str) -> list[_Segment]:
    """Executable file mappings of a ``/proc/self/maps`` text."""
    segments = []
    for line in text.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and "x" in fields[1] and fields[5].startswith("/"):
            start, end = (int(v, 16) for v in fields[0].split("-"))
            segments.append(_Segment(start, end, int(fields[2], 16), fields[5].strip()))
    return sorted(segments, key=lambda s: s.start)


def _tool(name: str) -> str:
    path = shutil.which(f"aarch64-linux-gnu-{name}")
    if path is None:
        raise HierAttnError(f"aarch64-linux-gnu-{name} is not on PATH: {NM_HINT}.")
    return path


@lru_cache(maxsize=64)
def _load_segments(path: str) -> tuple[tuple[int, int, int], ...]:
    """(file offset, virtual address, file size) of each PT_LOAD segment of an ELF file."""
    done = subprocess.run([_tool("readelf"), "-lW", path], capture_output=True, text=True, check=False, timeout=120)
    segments = []
    for line in done.stdout.splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            segments.append((int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)))
    return tuple(segments)


@lru_cache(maxsize=64)
def _symbols(path: str) -> tuple[list[int], list[str]]:
    """Sorted function symbol addresses of an ELF file and their names (static table, else dynamic)."""
    table: dict[int, str] = {}
    for extra in ([], ["-D"]):
        done = subprocess.run([_tool("nm"), *extra, "--defined-only", path], capture_output=True, text=True,
                              check=False, timeout=300)
        for line in done.stdout.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1] in "tTwW":
                table.setdefault(int(fields[0], 16), fields[2])
        if table:
            break
    addresses = sorted(table)
    return addresses, [table[a] for a in addresses]


def _name(address: int, segment: _Segment) -> str:
    file_offset = address - segment.start + segment.offset
    for offset, vaddr, size in _load_segments(segment.path):
        if offset <= file_offset < offset + size:
            addresses, names = _symbols(segment.path)
            i = bisect.bisect_right(addresses, vaddr + file_offset - offset) - 1
            return names[i] if i >= 0 else "?"
    return "?"


def symbolize(counts: Mapping[int, int], maps: str) -> dict[tuple[str, str], int]:
    """Instructions per (library, symbol); addresses outside any file mapping go to ``(jit/anonymous)``.

    qemu-user maps the guest's libraries from the host files (``-L`` sysroot), so the map names
    host paths that can be read directly.
    """
    segments = parse_maps(maps)
    starts = [s.start for s in segments]
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for address, count in counts.items():
        i = bisect.bisect_right(starts, address) - 1
        segment = segments[i] if i >= 0 and address < segments[i].end else None
        if segment is None:
            totals[("(anonymous)", "(jit/anonymous)")] += count
            continue
        name = _name(address, segment) if Path(segment.path).exists() else "?"
        totals[(Path(segment.path).name, name)] += count
    return dict(totals)


def per_inference(
    first: Mapping[tuple[str, str], int], second: Mapping[tuple[str, str], int], extra_inferences: int
) -> list[KernelCost]:
    """The difference of two symbolized runs divided by the inferences between them, costliest first."""
    keys = set(first) | set(second)
    costs = [
        KernelCost(symbol, library, (second.get((library, symbol), 0) - first.get((library, symbol), 0)) / extra_inferences)
        for library, symbol in keys
    ]
    return sorted((c for c in costs if abs(c.insns) >= 0.5), key=lambda c: -c.insns)


def summarize(costs: Iterable[KernelCost]) -> dict[str, dict[str, float]]:
    """Instructions per inference by kind (int8 / float / other) and by microkernel family."""
    by_kind: dict[str, float] = defaultdict(float)
    by_operation: dict[str, float] = defaultdict(float)
    for cost in costs:
        by_kind[cost.kind] += cost.insns
        by_operation[cost.operation] += cost.insns
    return {"by_kind": dict(by_kind), "by_operation": dict(sorted(by_operation.items(), key=lambda kv: -kv[1]))}


def profile_kernels(guest: EmulatedGuest, cpu: str, model: Path, one_input: Path, repeats: int) -> list[KernelCost]:
    """Per-kernel guest instructions per inference of ``model`` on ``cpu`` (runs of N and 2N inferences)."""
    plugin = build_plugin(cache_root(), "insn_profile.c")
    runs = []
    with tempfile.TemporaryDirectory(prefix="hierattn-arm-profile-") as tmp:
        for n in (repeats, 2 * repeats):
            maps = Path(tmp) / f"maps-{n}.txt"
            done, text = guest.launch(plugin, cpu, model, one_input, n, None, {"HIERATTN_ARM_MAPS": str(maps)})
            if done.returncode != 0 or text is None or not maps.is_file():
                stderr = done.stderr.decode("utf-8", "replace").strip()[-300:]
                raise HierAttnError(f"{model.name}: the profiled run under {guest.qemu} -cpu {cpu} failed: {stderr}")
            runs.append(symbolize(parse_profile(text), maps.read_text()))
    return per_inference(runs[0], runs[1], repeats)


@dataclass(frozen=True)
class ArmKernelProfile:
    """One TFLite file's guest instructions per inference on one emulated core, by kernel."""

    cpu: str
    kernels: tuple[KernelCost, ...]
    device: str = "arm-emulated"

    @property
    def total(self) -> float:
        return sum(k.insns for k in self.kernels)

    def to_dict(self, top: int | None = None) -> dict[str, object]:
        summary = summarize(self.kernels)
        return {
            "cpu": self.cpu,
            "device": self.device,
            "insns_per_inference": round(self.total),
            "by_kind": {k: round(v) for k, v in sorted(summary["by_kind"].items(), key=lambda kv: -kv[1])},
            "by_operation": {k: round(v) for k, v in summary["by_operation"].items()},
            "kernels": [{"symbol": k.symbol, "library": k.library, "kind": k.kind, "insns": round(k.insns)}
                        for k in self.kernels[:top]],
        }


PROFILE_REPEATS = 2
"""Inferences of the shorter profiled run (the longer one has twice as many)."""


def arm_kernel_profile(path: Path, cpu: str, log: Callable[[str], None], repeats: int = PROFILE_REPEATS,
                       guest: EmulatedGuest | None = None) -> ArmKernelProfile:
    """Profile ``path`` on the emulated ``cpu`` with one bundled validation image as input.

    ``guest`` defaults to the aarch64 LiteRT; ``x86_emulated.X86Guest`` profiles an emulated x86 CPU.
    """
    import numpy as np

    from ...export.data import validation_batch
    from ...runtime.backends import open_backend
    from ...runtime.spec import ModelSpec, sidecar_path
    from .qemu import check_cpus
    from .sysroot import qemu_model

    if guest is None:
        check_cpus([qemu_model(cpu)])
    side = sidecar_path(path)
    spec = ModelSpec.from_json(side.read_text()) if side.is_file() else ModelSpec(layout="NHWC")
    backend = open_backend(path, threads=1)
    backend.bind_layout(spec.layout)
    images, _ = validation_batch(spec, None)
    guest = guest or Guest(log)
    with tempfile.TemporaryDirectory(prefix="hierattn-arm-input-") as tmp:
        one_input = Path(tmp) / "one.npy"
        np.save(one_input, backend.prepare_input(images[:1])[:, None])
        log(f"{guest.device_prefix} {cpu}: profiling {path.name} (runs of {repeats} and {2 * repeats} inferences)")
        return ArmKernelProfile(cpu, tuple(profile_kernels(guest, cpu, path, one_input, repeats)), guest.device_prefix)
