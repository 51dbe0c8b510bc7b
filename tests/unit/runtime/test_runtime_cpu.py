"""The int8 warning of hierattn-predict: only for int8 files on x86 CPUs whose flags say no int8 dot products."""

from __future__ import annotations

import pytest

from hierattn.runtime.cpu import cpu_isa, int8_advice

AVX2_ONLY = cpu_isa("flags\t\t: fpu sse2 avx avx2 fma f16c")
VNNI = cpu_isa("flags\t\t: fpu avx avx2 fma avx512f avx512_vnni")
AVX_VNNI = cpu_isa("flags\t\t: fpu avx avx2 fma avx_vnni")


@pytest.mark.parametrize("precision", ["int8", "int8-dynamic"])
def test_int8_on_an_avx2_only_x86_cpu_is_advised_against(precision: str) -> None:
    onnx = int8_advice(precision, "onnx", AVX2_ONLY, "x86_64")
    tflite = int8_advice(precision, "tflite", AVX2_ONLY, "AMD64")
    assert onnx and tflite and precision in tflite and "fp32 file" in tflite
    assert "logits" in onnx and "logits" not in tflite  # the AVX2 rounding is ONNX Runtime's


@pytest.mark.parametrize(
    ("precision", "isa", "machine"),
    [
        ("fp32", AVX2_ONLY, "x86_64"),  # float files are not concerned
        ("fp16", AVX2_ONLY, "x86_64"),
        ("int8", VNNI, "x86_64"),  # int8 dot products: int8 pays
        ("int8", AVX_VNNI, "x86_64"),
        ("int8", [], "x86_64"),  # flags unreadable (macOS, no /proc): no guessing
        ("int8", ["asimd"], "aarch64"),  # ARM: the phone recipe's home
    ],
)
def test_no_advice_where_int8_is_fine_or_unknown(precision: str, isa: list[str], machine: str) -> None:
    assert int8_advice(precision, "onnx", isa, machine) is None
