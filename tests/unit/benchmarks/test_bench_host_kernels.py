"""Parsing perf's report into per-kernel time, and the clear errors of ``--host-kernels``."""

from __future__ import annotations

from pathlib import Path

import pytest

from hierattn.benchmarks.profiling.host_kernels import HostKernelProfile, KernelTime, host_kernel_profile, parse_report
from hierattn.runtime.errors import UsageError

REPORT = """
    31.40%           641  libpywrap_litert_common.so  [.] xnn_f32_gemm_minmax_ukernel_7x32__avx512f_broadcast
    14.60%           298  libpywrap_litert_common.so  [.] xnn_qs8_qc8w_gemm_minmax_fp32_ukernel_7x16c8__avx512vnni_prfm
     1.50%            31  libpywrap_litert_common.so  [.] xnn_qs8_f32_vcvt_ukernel__avx512skx_u32
     0.90%            18  [kernel.kallsyms]           [k] finish_task_switch.isra.0
     0.50%            10  libc.so.6                   [.] __memmove_avx512_unaligned_erms
"""


def test_parse_report_reads_samples_library_and_symbol() -> None:
    rows = parse_report(REPORT)
    assert rows[0] == (641, "libpywrap_litert_common.so", "xnn_f32_gemm_minmax_ukernel_7x32__avx512f_broadcast")
    assert [r[0] for r in rows] == [641, 298, 31, 18, 10]
    assert rows[3][1] == "[kernel.kallsyms]"


def test_kinds_follow_the_microkernel_names() -> None:
    rows = parse_report(REPORT)
    samples = sum(r[0] for r in rows)
    kernels = tuple(KernelTime(symbol, library, count / samples * 10.0) for count, library, symbol in rows)
    profile = HostKernelProfile(threads=1, inferences=10, ms_per_inference=10.0, samples=samples, kernels=kernels)
    kinds = profile.by_kind()
    assert list(kinds) == ["float", "int8", "convert", "other"]  # costliest first
    assert kinds["float"] == pytest.approx(10.0 * 641 / samples)
    assert sum(kinds.values()) == pytest.approx(10.0)
    assert profile.by_operation()["qs8 gemm"] == pytest.approx(10.0 * 298 / samples)
    assert profile.to_dict()["kernels"][1]["kind"] == "int8"


def test_only_tflite_files(tmp_path: Path) -> None:
    onnx = tmp_path / "model.onnx"
    onnx.write_bytes(b"")
    with pytest.raises(UsageError, match="tflite files only"):
        host_kernel_profile(onnx)


def test_missing_perf_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "model.tflite"
    model.write_bytes(b"")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="linux-perf"):
        host_kernel_profile(model)
