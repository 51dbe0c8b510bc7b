"""How the ARM kernel profile reads the plugin's output, the guest's memory map and kernel names."""

from __future__ import annotations

import pytest

from hierattn.benchmarks.emulated.kernels import KernelCost, parse_maps, parse_profile, per_inference
from hierattn.runtime.errors import HierAttnError


@pytest.mark.parametrize(
    ("symbol", "kind", "operation"),
    [
        ("xnn_qs8_qc8w_gemm_minmax_fp32_ukernel_4x16c4__asm_aarch64_neondot_ld128", "int8", "qs8 gemm"),
        ("xnn_qs8_vmulc_minmax_rndnu_ukernel__neon_ld64_u16", "int8", "qs8 vmulc"),
        ("xnn_f32_gemm_minmax_ukernel_6x8__asm_aarch64_neonfma_cortex_a75_prfm", "float", "f32 gemm"),
        ("xnn_f16_gemm_minmax_ukernel_6x16__asm_aarch64_neonfp16arith_cortex_a75", "float", "f16 gemm"),
        ("xnn_f32_qc8w_gemm_minmax_ukernel_6x8__asm_aarch64_neonfma_ld128", "float", "f32 gemm"),
        ("xnn_f32_qs8_vcvt_ukernel__neonv8_u32", "convert", "f32 vcvt"),
        ("xnn_qs8_f32_vcvt_ukernel__neon_u32", "convert", "qs8 vcvt"),
        ("xnn_x8_transposec_ukernel__16x16_reuse_dec_zip_neon", "data movement", "x8 transposec"),
        ("_ZN6tflite13reference_ops11BatchMatMulIaiaaEEvRKNS_20FullyConnectedParamsE", "other",
         "_ZN6tflite13reference_ops11BatchMatMulIaiaaEEvRKNS_20FullyConnectedParamsE"),
    ],
)
def test_kernel_names_say_data_type_and_operation(symbol: str, kind: str, operation: str) -> None:
    cost = KernelCost(symbol, "libpywrap_litert_common.so", 1.0)
    assert (cost.kind, cost.operation) == (kind, operation)


def test_profile_lines_add_up_per_address_and_an_overflow_is_an_error() -> None:
    assert parse_profile("untracked 0\n400078 5\n40007c 7\n400078 1\n") == {0x400078: 6, 0x40007C: 7}
    with pytest.raises(HierAttnError, match="overflowed"):
        parse_profile("untracked 12\n400078 5\n")


def test_only_executable_file_mappings_are_kept() -> None:
    maps = (
        "5505ea0000-550618e000 r--p 00000000 fe:00 16 /opt/lib/libfoo.so\n"
        "550619d000-55069cd000 r-xp 002ed000 fe:00 16 /opt/lib/libfoo.so\n"
        "7f0000000-7f0001000 r-xp 00000000 00:00 0 \n"
        "7f0002000-7f0003000 rw-p 00000000 00:00 0 [heap]\n"
    )
    (segment,) = parse_maps(maps)
    assert (segment.start, segment.end, segment.offset, segment.path) == (
        0x550619D000, 0x55069CD000, 0x2ED000, "/opt/lib/libfoo.so")


def test_per_inference_is_the_difference_over_the_extra_inferences() -> None:
    first = {("lib.so", "a"): 100, ("lib.so", "setup"): 50}
    second = {("lib.so", "a"): 400, ("lib.so", "setup"): 50, ("lib.so", "b"): 30}
    costs = per_inference(first, second, 3)
    assert [(c.symbol, c.insns) for c in costs] == [("a", 100.0), ("b", 10.0)]
