"""The environment block records the ISA extensions that decide which int8 and fp16 kernels run."""

from __future__ import annotations

from hierattn.benchmarks import environment

EPYC_AVX2 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni
"""
XEON_VNNI = "model name\t: Intel Xeon\nflags\t\t: sse2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni\n"
PIXEL = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes crc32 atomics fphp asimdhp asimddp\n"


def test_flags_are_read_from_the_first_cpu_in_a_fixed_order() -> None:
    assert environment.cpu_isa(EPYC_AVX2) == ["avx", "avx2", "fma", "f16c"]
    assert environment.cpu_isa(XEON_VNNI) == ["avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                                             "avx512_vnni"]
    assert environment.cpu_isa(PIXEL) == ["asimd", "asimddp", "asimdhp", "fphp"]
    assert environment.cpu_isa("") == []


def test_int8_dot_products_are_vnni_amx_or_arm_dotprod() -> None:
    assert not environment.int8_dot_product(environment.cpu_isa(EPYC_AVX2))
    assert environment.int8_dot_product(environment.cpu_isa(XEON_VNNI))
    assert environment.int8_dot_product(environment.cpu_isa(PIXEL))


def test_the_block_and_the_markdown_head_carry_it() -> None:
    from hierattn.benchmarks.reports import markdown

    block = environment.collect(["hierattn-bench"])
    assert block["cpu_isa"] == environment.cpu_isa()
    head = markdown.render({"environment": {**block, "cpu_isa": ["avx2"]}, "rows": []})
    assert "ISA avx2 (without int8 dot products)" in head
    assert "ISA not recorded" in markdown.render({"environment": {"command": "old"}, "rows": []})
