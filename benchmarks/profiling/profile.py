"""Where an exported model's time goes: per-op-type profiles and op censuses of ONNX, TFLite and Core ML files.

Time depends on the host CPU and its load; the census (op types and counts, transposes, XNNPACK
partitions) does not, so it also says something about phones. ONNX files get both: the census of
the file as exported, the census of the graph ONNX Runtime actually runs (after its own fusions,
``ORT_ENABLE_ALL``), and ONNX Runtime's profiler summed per op type. TFLite files get the census
and LiteRT's XNNPACK delegation; Core ML packages get the census of their ML Program (coremltools
reads it on any OS). ONNX and TFLite files also get their multiply-accumulates split into integer
and float kernels (``integer_macs``). torch is never imported for ONNX and TFLite files.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ...runtime.errors import ModelFileError, UsageError, missing_backend
from .integer_macs import MacCensus, onnx_macs, tflite_macs

DATA_MOVEMENT_OPS = frozenset(
    {
        "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Split", "Slice", "Concat", "Gather", "Flatten",
        "ReorderInput", "ReorderOutput", "SpaceToDepth", "DepthToSpace",
        "TRANSPOSE", "RESHAPE", "SQUEEZE", "SPLIT", "SPLIT_V", "STRIDED_SLICE", "SLICE", "CONCATENATION",
        "GATHER", "PACK", "UNPACK", "SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "PAD",
        "transpose", "reshape", "squeeze", "expand_dims", "split", "slice_by_index", "concat", "gather",
        "space_to_depth", "depth_to_space", "pad",
    }
)
"""Op types that move or regroup data and compute nothing, in ONNX, TFLite and Core ML MIL spelling."""

TRANSPOSE_OPS = frozenset({"Transpose", "TRANSPOSE", "transpose"})


@dataclass(frozen=True)
class Census:
    """Op types and counts of one graph."""

    ops: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.ops.values())

    @property
    def transposes(self) -> int:
        return sum(n for op, n in self.ops.items() if op in TRANSPOSE_OPS)

    @property
    def data_movement(self) -> int:
        return sum(n for op, n in self.ops.items() if op in DATA_MOVEMENT_OPS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "transposes": self.transposes,
            "data_movement": self.data_movement,
            "ops": dict(sorted(self.ops.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


@dataclass(frozen=True)
class OpTime:
    """Kernel time of one op type per inference (ONNX Runtime's profiler)."""

    op: str
    ms: float
    share: float
    nodes: int


@dataclass(frozen=True)
class Profile:
    """Everything the tool found out about one artifact."""

    path: Path
    format: str
    census: Census
    runtime_census: Census | None = None
    op_times: tuple[OpTime, ...] = ()
    delegation: dict[str, Any] = field(default_factory=dict)
    threads: int | None = None
    iters: int | None = None
    arm_kernels: tuple[Any, ...] = ()  # arm_kernels.ArmKernelProfile per emulated core
    macs: MacCensus | None = None
    host_kernels: Any = None  # host_kernels.HostKernelProfile: sampled x86 time per kernel

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "census": self.census.to_dict(),
            "runtime_census": self.runtime_census.to_dict() if self.runtime_census else None,
            "op_times": [vars(t) for t in self.op_times],
            "kernel_ms": round(sum(t.ms for t in self.op_times), 4) if self.op_times else None,
            "delegation": self.delegation or None,
            "threads": self.threads,
            "iters": self.iters,
            "arm_kernels": [p.to_dict() for p in self.arm_kernels] or None,
            "macs": self.macs.to_dict() if self.macs else None,
            "host_kernels": self.host_kernels.to_dict() if self.host_kernels else None,
        }


def profile_artifact(
    path: Path,
    iters: int = 50,
    threads: int = 1,
    arm_cpus: Sequence[str] = (),
    log: Callable[[str], None] = print,
    host_kernels: bool = False,
    x86_cpus: Sequence[str] = (),
) -> Profile:
    """Profile ``path`` (.onnx, .tflite or .mlpackage), chosen by its suffix.

    ``arm_cpus`` adds, for a .tflite file, its instructions per inference by kernel on each
    emulated core (``arm_kernels``, minutes per core); ``x86_cpus`` does the same on emulated AVX2-only
    x86 models (``Haswell``: docs/arm.md), with rows of device ``x86-emulated``. ``host_kernels`` adds, for a .tflite file,
    this CPU's time per kernel sampled with Linux perf over ``iters`` inferences at ``threads``.

    Raises:
        ModelFileError: the file is missing or the backend cannot read it.
        UsageError: an unknown suffix or a bad count.
        MissingBackendError: the backend for the format is not installed.
    """
    path = Path(path)
    if iters < 1 or threads < 1:
        raise UsageError(f"--iters and --threads must be at least 1 (got {iters}, {threads}).")
    if not path.exists():
        raise ModelFileError(f"{path} does not exist; check the path or export the model first.")
    if arm_cpus and path.suffix != ".tflite":
        raise UsageError(f"--arm profiles .tflite files only; {path.name} is not one.")
    if x86_cpus:
        from ..emulated.x86 import check_x86_cpus

        if path.suffix != ".tflite":
            raise UsageError(f"--x86 profiles .tflite files only; {path.name} is not one.")
        check_x86_cpus(tuple(x86_cpus))
    if host_kernels and path.suffix != ".tflite":
        raise UsageError(f"--host-kernels profiles .tflite files only; {path.name} is not one.")
    if path.suffix == ".onnx":
        return _profile_onnx(path, iters, threads)
    if path.suffix == ".tflite":
        profile = _profile_tflite(path)
        if arm_cpus:
            from ..emulated.kernels import arm_kernel_profile

            profile = replace(profile, arm_kernels=tuple(arm_kernel_profile(path, cpu, log) for cpu in arm_cpus))
        if x86_cpus:
            from ..emulated.kernels import arm_kernel_profile
            from ..emulated.x86 import X86Guest

            guest = X86Guest()
            emulated = tuple(arm_kernel_profile(path, cpu, log, guest=guest) for cpu in x86_cpus)
            profile = replace(profile, arm_kernels=profile.arm_kernels + emulated)
        if host_kernels:
            from .host_kernels import host_kernel_profile

            log(f"{path.name}: sampling {iters} inferences with perf")
            profile = replace(profile, host_kernels=host_kernel_profile(path, iters, threads))
        return profile
    if path.suffix == ".mlpackage":
        return _profile_coreml(path)
    raise UsageError(f"Cannot profile {path.name}: expected a .onnx, .tflite or .mlpackage file.")


def onnx_census(path: Path) -> Census:
    """Op types of an ONNX file's main graph (contrib ops keep their plain type name)."""
    try:
        import onnx
    except ImportError:
        raise missing_backend("onnx", "onnx", "Counting ONNX ops") from None
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises DecodeError and friends
        raise ModelFileError(f"{path} is not a readable ONNX file ({exc}); re-export it.") from exc
    return Census(dict(Counter(node.op_type for node in model.graph.node)))


def _profile_onnx(path: Path, iters: int, threads: int) -> Profile:
    try:
        import onnxruntime as ort
    except ImportError:
        raise missing_backend("onnxruntime", "bench", "Profiling ONNX models") from None
    census = onnx_census(path)
    with tempfile.TemporaryDirectory(prefix="hierattn-profile-") as tmp:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        options.optimized_model_filepath = str(Path(tmp) / "optimized.onnx")
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(tmp) / "profile")
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ORT raises its own Fail/InvalidGraph types
            raise ModelFileError(f"ONNX Runtime cannot load {path} ({exc}); re-export it.") from exc
        runtime_census = onnx_census(Path(options.optimized_model_filepath))
        feed = {meta.name: _zeros_like(meta) for meta in session.get_inputs()}
        session.run(None, feed)  # warm-up: first-run allocations are not the model's cost
        for _ in range(iters):
            session.run(None, feed)
        trace = json.loads(Path(session.end_profiling()).read_text())
    return Profile(
        path, "onnx", census, runtime_census, _op_times(trace, iters + 1), threads=threads, iters=iters,
        macs=onnx_macs(path),
    )  # fmt: skip


def _zeros_like(meta: Any) -> np.ndarray:
    shape = tuple(d if isinstance(d, int) and d > 0 else 1 for d in meta.shape)
    dtype = np.uint8 if "uint8" in meta.type else np.int8 if "int8" in meta.type else np.float32
    rng = np.random.default_rng(0)
    return rng.random(shape, dtype=np.float32).astype(dtype)


def _op_times(trace: list[dict[str, Any]], runs: int) -> tuple[OpTime, ...]:
    """Sum ONNX Runtime's ``*_kernel_time`` events per op type, per inference, sorted by time."""
    micros: Counter[str] = Counter()
    nodes: Counter[str] = Counter()
    for event in trace:
        if event.get("cat") == "Node" and str(event.get("name", "")).endswith("_kernel_time"):
            op = event.get("args", {}).get("op_name", "?")
            micros[op] += event.get("dur", 0)
            nodes[op] += 1
    total = sum(micros.values()) or 1
    return tuple(
        OpTime(op=op, ms=round(us / runs / 1000.0, 4), share=round(us / total, 4), nodes=nodes[op] // runs)
        for op, us in micros.most_common()
    )


def _profile_tflite(path: Path) -> Profile:
    try:
        from ...export.tflite.ops import op_counts
        from ...export.tflite.xnnpack import xnnpack_coverage
    except ImportError:
        raise missing_backend("ai_edge_litert", "litert", "Profiling TFLite models") from None
    try:
        census = Census(dict(op_counts(path)))
        coverage = xnnpack_coverage(path)
    except ImportError:
        raise missing_backend("ai_edge_litert", "litert", "Profiling TFLite models") from None
    except Exception as exc:  # the flatbuffer reader and LiteRT raise assorted errors on bad files
        raise ModelFileError(f"LiteRT cannot read {path} ({exc}); re-export it.") from exc
    return Profile(path, "tflite", census, delegation=coverage.to_dict(), macs=tflite_macs(path))


def _profile_coreml(path: Path) -> Profile:
    try:
        from ...export.coreml.converter import import_coremltools

        coremltools = import_coremltools()  # imports torch's compiler first: coremltools alone segfaults here
    except ImportError:
        raise missing_backend("coremltools", "coreml", "Counting Core ML ops") from None
    try:
        spec: Any = coremltools.utils.load_spec(str(path))  # a protobuf message: fields are dynamic
    except Exception as exc:  # protobuf / package errors
        raise ModelFileError(f"coremltools cannot read {path} ({exc}); re-export it.") from exc
    ops: Counter[str] = Counter()
    for function in spec.mlProgram.functions.values():
        for block in function.block_specializations.values():
            _count_block(block, ops)
    return Profile(path, "coreml", Census(dict(ops)))


def _count_block(block: Any, ops: Counter[str]) -> None:
    for operation in block.operations:
        if operation.type != "const":  # weights, not work
            ops[operation.type] += 1
        for nested in operation.blocks:
            _count_block(nested, ops)
