"""``--device arm-emulated``: the instruction counter is exact, and a small model runs end to end.

Real qemu-aarch64, the real plugin built from ``benchmarks/emulated/plugin``, the real aarch64 userland
(Debian arm64 packages + PyPI aarch64 wheels, built into the cache on first use) and real LiteRT on
both sides. The model is a small Keras CNN converted here, so the emulated inferences take
milliseconds; the zoo models go through the same path (docs/arm.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_bench_cpu import TORCH_FREE

from hierattn.benchmarks.emulated import arm
from hierattn.benchmarks.emulated import qemu as arm_emulator
from hierattn.benchmarks.emulated import sysroot as arm_sysroot
from hierattn.benchmarks.emulated import userland as arm_userland
from hierattn.benchmarks.reports.schema import schema_errors
from hierattn.runtime.spec import ModelSpec, sidecar_path

FIXTURES = Path(__file__).parents[2] / "fixtures" / "arm"
LOOP = FIXTURES / "loop.S"
CPU = "cortex-a76"
TINY_SIZE = (32, 32)
# --model rows need no PyTorch: the CLI must not import it (the snippet of the CPU bench tests).
TORCH_FREE_CLI = TORCH_FREE
TORCH_FREE_PROFILE = TORCH_FREE.replace("hierattn.benchmarks.cli", "hierattn.benchmarks.profiling.cli")

pytestmark = pytest.mark.skipif(shutil.which("qemu-aarch64") is None or shutil.which("aarch64-linux-gnu-as") is None,
                                reason="qemu-user / binutils-aarch64-linux-gnu not installed (scripts/bootstrap.sh)")


@pytest.fixture(scope="session")
def plugin() -> Path:
    return arm_emulator.build_plugin(arm_userland.cache_root())


def assemble(source: Path, exe: Path, *defines: str, tools: str = "aarch64-linux-gnu-") -> Path:
    """A static executable from one assembly file, with binutils of prefix ``tools`` ("" for the host's)."""
    obj = exe.with_suffix(".o")
    subprocess.run([f"{tools}as", *defines, str(source), "-o", str(obj)], check=True)
    subprocess.run([f"{tools}ld", "-static", str(obj), "-o", str(exe)], check=True)
    return exe


def _loop_binary(tmp: Path, iterations: int) -> Path:
    return assemble(LOOP, tmp / f"loop{iterations}", "--defsym", f"ITER={iterations}")


@pytest.mark.parametrize("cpu", sorted(arm_sysroot.MIDR))
def test_cpuinfo_midr_is_the_one_qemu_emulates(plugin: Path, tmp_path: Path, cpu: str) -> None:
    done = arm_emulator.run_counted(plugin, cpu, [str(assemble(FIXTURES / "midr.S", tmp_path / "midr"))], {})
    midr = int.from_bytes(done.stdout_bytes, "little")
    implementer, variant, part, revision = arm_sysroot.MIDR[cpu]
    assert (midr >> 24, midr >> 20 & 0xF, midr >> 4 & 0xFFF, midr & 0xF) == (implementer, variant, part, revision)


@pytest.mark.parametrize("cpu", [CPU, "cortex-a53"])
@pytest.mark.parametrize("iterations", [1, 1000, 123457])
def test_plugin_counts_a_known_loop_exactly(plugin: Path, tmp_path: Path, cpu: str, iterations: int) -> None:
    done = arm_emulator.run_counted(plugin, cpu, [str(_loop_binary(tmp_path, iterations))], {})
    assert done.returncode == 0
    assert done.insns == 1 + 2 * iterations + 3


def usage_error(snippet: str, *args: str) -> str:
    """Run a torch-free CLI snippet that must fail as a usage error: exit 2, one message, no traceback."""
    done = subprocess.run([sys.executable, "-c", snippet, *args], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    return done.stderr


def _tiny_tflite(directory: Path) -> Path:
    """A small float CNN with the demo's classes, input [1, 32, 32, 3], and its sidecar."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    spec = ModelSpec(input_size=TINY_SIZE, layout="NHWC", arch="tiny_cnn", precision="fp32")
    model = tf.keras.Sequential([
        tf.keras.Input((*TINY_SIZE, 3), batch_size=1),
        tf.keras.layers.Conv2D(8, 3, strides=2, activation="relu"),
        tf.keras.layers.DepthwiseConv2D(3, activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(spec.num_classes),
    ])
    path = directory / "tiny_cnn_fp32.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    sidecar_path(path).write_text(spec.to_json())
    return path


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_tflite(tmp_path_factory.mktemp("arm-tiny"))


def emulated_report(device: str, cpu: str, model: Path, out: Path) -> dict[str, Any]:
    """``hierattn-bench --device DEVICE`` (torch-free) on one small file: its JSON, Markdown and folder."""
    done = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_CLI, "--device", device, "--cpu", cpu,
         "--model", str(model), "--iters", "3", "--arm-images", "4", "--json-out", str(out / "report.json"),
         "--markdown", str(out / "report.md"), "--plot", str(out / "plot")],
        capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {"json": json.loads((out / "report.json").read_text()), "md": (out / "report.md").read_text(),
            "out": out}


def check_small_case_row(report: dict[str, Any], device: str, backend: str, atol: float) -> None:
    """One valid instruction-count row whose numerics match this host's LiteRT within ``atol``."""
    document = report["json"]
    assert schema_errors(document) == []
    (row,) = document["rows"]
    assert (row["device"], row["backend"]) == (device, backend)
    assert row["insns_per_inference"] > 0 and row["setup_insns"] > row["insns_per_inference"]
    assert row["median_ms"] is None and row["numerics_images"] == 4
    assert row["x86_top1_agreement"] == 1.0
    assert row["x86_max_abs_diff"] < atol
    assert row["top1_differences"] == []  # listed per image when a class differs
    facts = document["environment"][device.split(":")[0].replace("-", "_")]
    assert facts["wheel_versions"]["ai-edge-litert"] == row["backend_version"]
    assert f"{row['insns_per_inference'] / 1e6:.1f}" in report["md"]
    assert (report["out"] / "plot_insns.png").stat().st_size > 0


@pytest.fixture(scope="session")
def report(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return emulated_report("arm-emulated", CPU, tiny, tmp_path_factory.mktemp("arm-report"))


def test_small_case_row_is_a_valid_report_row(report: dict[str, Any]) -> None:
    # A float model on ARM NEON kernels vs x86 AVX kernels: same classes, tiny rounding differences.
    check_small_case_row(report, f"arm-emulated:{CPU}", "litert-aarch64+xnnpack", atol=1e-3)


def _first_image(tiny: Path, path: Path) -> Path:
    """The report's first numerics image, prepared for the tiny model, as the guest's one input."""
    from hierattn.export.data import validation_batch
    from hierattn.runtime.backends import open_backend

    backend = open_backend(tiny, threads=1)
    backend.bind_layout("NHWC")
    images, _ = validation_batch(ModelSpec(input_size=TINY_SIZE), None)
    np.save(path, backend.prepare_input(images[:1])[:, None])
    return path


def test_counts_repeat_within_a_tenth_of_a_percent(tiny: Path, report: dict[str, Any]) -> None:
    guest = arm.Guest(lambda _: None)
    one = _first_image(tiny, report["out"] / "one.npy")
    again, _ = guest.count(CPU, tiny, one, 3)
    first = report["json"]["rows"][0]["insns_per_inference"]
    assert again.per_inference == pytest.approx(first, rel=1e-3)


def test_guest_outputs_match_x86_on_the_same_input(tiny: Path, tmp_path: Path) -> None:
    from hierattn.runtime.backends import open_backend

    backend = open_backend(tiny, threads=1)
    backend.bind_layout("NHWC")
    images = np.random.default_rng(1).uniform(0, 1, (3, 3, *TINY_SIZE)).astype(np.float32)
    np.save(tmp_path / "in.npy", backend.prepare_input(images)[:, None])
    arm.Guest(lambda _: None).run(CPU, tiny, tmp_path / "in.npy", 0, tmp_path / "out.npy")
    on_arm = backend.finish_output(np.load(tmp_path / "out.npy")[:, 0])
    np.testing.assert_allclose(on_arm, backend.run(images), atol=1e-4)


@pytest.mark.parametrize(("cpu", "message"), [("cortex-x9", "does not emulate it"), ("max", "no /proc/cpuinfo model")])
def test_unsupported_cpu_is_a_usage_error(tiny: Path, cpu: str, message: str) -> None:
    assert message in usage_error(TORCH_FREE_CLI, "--device", "arm-emulated", "--cpu", cpu, "--model", str(tiny))


@pytest.mark.parametrize("iterations", [1000, 123457])
def test_profile_plugin_puts_every_instruction_of_a_known_loop_in_its_symbol(tmp_path: Path, iterations: int) -> None:
    from hierattn.benchmarks.emulated import kernels as arm_kernels

    profiler = arm_emulator.build_plugin(arm_userland.cache_root(), "insn_profile.c")
    loop = _loop_binary(tmp_path, iterations)
    done, text = arm_emulator.run_with_plugin(profiler, CPU, [str(loop)], {})
    assert done.returncode == 0 and text is not None
    counts = arm_kernels.parse_profile(text)
    assert sum(counts.values()) == 1 + 2 * iterations + 3
    # A static executable is mapped at its link address with file offset 0 (what /proc/self/maps says).
    start = min(counts)
    maps = f"{start & ~0xFFF:x}-{(start & ~0xFFF) + 0x10000:x} r-xp 00000000 00:00 0 {loop}\n"
    assert arm_kernels.symbolize(counts, maps) == {(loop.name, "_start"): 1 + 2 * iterations + 3}


def test_kernel_profile_of_a_small_model_adds_up_to_its_count(tiny: Path, report: dict[str, Any]) -> None:
    from hierattn.benchmarks.emulated.kernels import PROFILE_REPEATS

    done = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_PROFILE, str(tiny), "--arm", CPU, "--json"],
        capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (artifact,) = json.loads(done.stdout)["artifacts"]
    (profile,) = artifact["arm_kernels"]
    assert profile["cpu"] == CPU
    # The same differencing as the total count with the same numbers of inferences: the kernels
    # add up to it exactly (up to the rounding of each kernel's share).
    one = _first_image(tiny, report["out"] / "one-profile.npy")
    count, _ = arm.Guest(lambda _: None).count(CPU, tiny, one, PROFILE_REPEATS)
    assert profile["insns_per_inference"] == pytest.approx(count.per_inference, abs=len(profile["kernels"]))
    kinds = profile["by_kind"]
    assert max(kinds, key=kinds.get) == "float"  # a float CNN: XNNPACK's f32 kernels do the work
    symbols = {k["symbol"] for k in profile["kernels"]}
    assert any(s.startswith("xnn_f32_dwconv") for s in symbols)
    assert any(s.startswith(("xnn_f32_gemm", "xnn_f32_igemm", "xnn_f32_conv")) for s in symbols)
    assert not any(s.startswith("xnn_f16_") for s in symbols)  # no fp16 inference without the metadata


def test_kernel_profile_refuses_formats_other_than_tflite(tmp_path: Path) -> None:
    onnx = tmp_path / "model.onnx"
    onnx.write_bytes(b"not used")
    assert "--arm profiles .tflite files only" in usage_error(TORCH_FREE_PROFILE, str(onnx), "--arm", CPU)


def test_fp16_metadata_runs_float_ops_in_fp16_only_on_a_core_with_fp16_arithmetic(tiny: Path, tmp_path: Path) -> None:
    """What HierAttn's int8 recipe relies on for its float islands (docs/quantization.md)."""
    from hierattn.benchmarks.emulated.kernels import arm_kernel_profile
    from hierattn.export.tflite.metadata import embed_metadata
    from hierattn.export.tflite.quant import FP16_INFERENCE, REDUCED_PRECISION_KEY

    hinted = tmp_path / tiny.name
    shutil.copyfile(tiny, hinted)
    shutil.copyfile(sidecar_path(tiny), sidecar_path(hinted))
    embed_metadata(hinted, REDUCED_PRECISION_KEY, FP16_INFERENCE.encode("ascii"))

    def f16_share(cpu: str) -> float:
        profile = arm_kernel_profile(hinted, cpu, lambda _: None)
        return sum(k.insns for k in profile.kernels if k.symbol.startswith("xnn_f16_")) / profile.total

    assert f16_share(CPU) > 0.5  # the A76 has FEAT_FP16: XNNPACK's f16 kernels do the work
    assert f16_share("cortex-a53") == 0.0  # ARMv8.0: the same file runs in float32
