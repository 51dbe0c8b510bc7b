"""``--device x86-emulated``: exact x86 counts on an emulated AVX2-only CPU, and a small model end to end.

Real qemu-x86_64, the real counting and profiling plugins, this machine's own LiteRT on both sides.
The emulated CPUID is checked directly (AVX2 and FMA, no AVX-512 or VNNI, whatever the host has),
and the kernel profile shows XNNPACK choosing its AVX2-class kernels from it.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_arm_emulated import (
    TINY_SIZE,
    TORCH_FREE_CLI,
    TORCH_FREE_PROFILE,
    _tiny_tflite,
    assemble,
    check_small_case_row,
    emulated_report,
    usage_error,
)

from hierattn.benchmarks.emulated import qemu as arm_emulator
from hierattn.benchmarks.emulated import userland as arm_userland
from hierattn.benchmarks.emulated import x86 as x86_emulated
from hierattn.runtime.spec import ModelSpec, sidecar_path

FIXTURES = Path(__file__).parents[2] / "fixtures" / "x86"
CPU = "Haswell"

pytestmark = pytest.mark.skipif(shutil.which("qemu-x86_64") is None or shutil.which("as") is None,
                                reason="qemu-user / binutils not installed (scripts/bootstrap.sh)")


@pytest.fixture(scope="session")
def plugin() -> Path:
    return arm_emulator.build_plugin(arm_userland.cache_root())


def _assemble(source: Path, exe: Path, *defines: str) -> Path:
    return assemble(source, exe, *defines, tools="")


@pytest.mark.parametrize("iterations", [1, 1000, 123457])
def test_plugin_counts_a_known_x86_loop_exactly(plugin: Path, tmp_path: Path, iterations: int) -> None:
    loop = _assemble(FIXTURES / "loop.S", tmp_path / f"loop{iterations}", "--defsym", f"ITER={iterations}")
    done = arm_emulator.run_counted(plugin, CPU, [str(loop)], {}, qemu=x86_emulated.QEMU_X86)
    assert done.returncode == 0
    assert done.insns == 1 + 2 * iterations + 3


@pytest.mark.parametrize("cpu", ["Haswell", "EPYC-Rome"])
def test_emulated_cpuid_is_avx2_without_avx512_or_vnni(plugin: Path, tmp_path: Path, cpu: str) -> None:
    done = arm_emulator.run_counted(plugin, cpu, [str(_assemble(FIXTURES / "cpuid.S", tmp_path / "cpuid"))], {},
                                    qemu=x86_emulated.QEMU_X86)
    leaf1_ecx, leaf7_ebx, leaf7_ecx, leaf7_1_eax = struct.unpack("<4I", done.stdout_bytes)
    assert leaf1_ecx >> 12 & 1 and leaf1_ecx >> 28 & 1  # FMA, AVX
    assert leaf7_ebx >> 5 & 1  # AVX2
    assert not leaf7_ebx >> 16 & 1  # no AVX512F
    assert not leaf7_ecx >> 11 & 1 and not leaf7_1_eax >> 4 & 1  # no AVX512_VNNI, no AVX_VNNI


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_tflite(tmp_path_factory.mktemp("x86-tiny"))


@pytest.fixture(scope="session")
def report(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return emulated_report("x86-emulated", CPU, tiny, tmp_path_factory.mktemp("x86-report"))


def test_small_case_row_is_a_valid_report_row(report: dict[str, Any]) -> None:
    # The same float model on AVX2 kernels and on this host's own: same classes, rounding differences only.
    check_small_case_row(report, f"x86-emulated:{CPU}", "litert-x86_64+xnnpack", atol=1e-4)


def test_counts_are_reproducible(tiny: Path, report: dict[str, Any]) -> None:
    """The guest runs in a fixed environment, so only the number of inferences differs between runs."""
    from hierattn.runtime.backends import open_backend

    backend = open_backend(tiny, threads=1)
    backend.bind_layout("NHWC")
    images = np.random.default_rng(0).uniform(0, 1, (1, 3, *TINY_SIZE)).astype(np.float32)
    one = report["out"] / "one.npy"
    np.save(one, backend.prepare_input(images)[:, None])
    again, xnnpack = x86_emulated.X86Guest().count(CPU, tiny, one, 3)
    assert xnnpack
    assert again.per_inference == pytest.approx(report["json"]["rows"][0]["insns_per_inference"], rel=1e-3)


@pytest.mark.parametrize(("cpu", "message"), [("Skylake-Server", "has no avx512f"), ("cortex-a76", "does not emulate it")])
def test_cpu_it_cannot_honour_is_a_usage_error(tiny: Path, cpu: str, message: str) -> None:
    assert message in usage_error(TORCH_FREE_CLI, "--device", "x86-emulated", "--cpu", cpu, "--model", str(tiny))


def test_kernel_profile_shows_avx2_kernels_and_no_avx512(tiny: Path) -> None:
    done = subprocess.run([sys.executable, "-c", TORCH_FREE_PROFILE, str(tiny), "--x86", CPU, "--json"],
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (artifact,) = json.loads(done.stdout)["artifacts"]
    (profile,) = artifact["arm_kernels"]
    assert (profile["cpu"], profile["device"]) == (CPU, "x86-emulated")
    symbols = {k["symbol"] for k in profile["kernels"]}
    xnnpack = {s for s in symbols if s.startswith("xnn_f32_")}
    assert any("avx2" in s or "fma3" in s for s in xnnpack), sorted(xnnpack)
    assert not any("avx512" in s for s in symbols)


def test_profile_refuses_a_cpu_it_cannot_honour_before_any_work(tiny: Path) -> None:
    stderr = usage_error(TORCH_FREE_PROFILE, str(tiny), "--x86", "Skylake-Server")
    assert "has no avx512f" in stderr
    assert "XNNPACK delegate" not in stderr  # refused before the file was opened


def _tiny_onnx(directory: Path) -> Path:
    """A small float CNN as ONNX (NCHW [1, 3, 32, 32] -> 8 logits), and its sidecar."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = {"w1": rng.normal(0, 0.3, (8, 3, 3, 3)), "b1": rng.normal(0, 0.1, 8),
               "w2": rng.normal(0, 0.3, (8, 8)), "b2": rng.normal(0, 0.1, 8)}
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w1", "b1"], ["c"], strides=[2, 2], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("GlobalAveragePool", ["r"], ["g"]),
         helper.make_node("Flatten", ["g"], ["f"]),
         helper.make_node("Gemm", ["f", "w2", "b2"], ["logits"], transB=1)],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, *TINY_SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 8])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in weights.items()])
    path = directory / "tiny_onnx_fp32.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9), path)
    sidecar_path(path).write_text(ModelSpec(input_size=TINY_SIZE, layout="NCHW", arch="tiny_onnx",
                                            precision="fp32").to_json())
    return path


def test_onnx_file_is_counted_on_onnx_runtime(tmp_path: Path) -> None:
    model = _tiny_onnx(tmp_path)
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", TORCH_FREE_CLI, "--device", "x86-emulated", "--model", str(model),
                           "--iters", "2", "--arm-images", "2", "--json-out", str(out)],
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (row,) = json.loads(out.read_text())["rows"]
    assert (row["format"], row["backend"]) == ("onnx", "onnxruntime-x86_64")
    assert row["insns_per_inference"] > 0
    assert row["x86_top1_agreement"] == 1.0 and row["x86_max_abs_diff"] < 1e-4


def test_arm_emulated_refuses_onnx(tmp_path: Path) -> None:
    model = _tiny_onnx(tmp_path)
    stderr = usage_error(TORCH_FREE_CLI, "--device", "arm-emulated", "--format", "onnx", "--model", str(model))
    assert "runs .tflite files only" in stderr
