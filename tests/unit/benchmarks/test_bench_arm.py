"""Pure parts of ``--device arm-emulated``: differencing, cpuinfo, ratios and tables from rows."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from hierattn.benchmarks.emulated import report as arm_report
from hierattn.benchmarks.emulated.arm import ArmOptions, Count, agreement, top1_differences
from hierattn.benchmarks.emulated.sysroot import AT_HWCAP, MIDR, cpuinfo_text, hwcap_features
from hierattn.benchmarks.reports.report import build_document, ratios
from hierattn.runtime.errors import UsageError


def test_count_differences_out_setup() -> None:
    setup, per = 987_654_321, 12_345_678
    count = Count(repeats=4, insns_n=setup + 4 * per, insns_2n=setup + 8 * per)
    assert count.per_inference == per
    assert count.setup == setup


def test_agreement_counts_top1_and_max_diff() -> None:
    import numpy as np

    ref = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    cand = np.array([[0.9, 0.0], [0.5, 0.2], [2.0, 1.0]])
    diff, top1 = agreement(ref, cand)
    assert diff == pytest.approx(0.8)
    assert top1 == pytest.approx(2 / 3)
    assert agreement(None, cand) == (None, None)


def test_hwcap_features_decode_the_auxv_word() -> None:
    hwcap = (1 << 0) | (1 << 1) | (1 << 9) | (1 << 20)
    auxv = struct.pack("<QQQQQQ", 6, 4096, AT_HWCAP, hwcap, 0, 0)
    assert hwcap_features(auxv) == ["fp", "asimd", "fphp", "asimddp"]
    assert hwcap_features(struct.pack("<QQ", 0, 0)) == []


@pytest.mark.parametrize("cpu", sorted(MIDR))
def test_cpuinfo_names_the_core(cpu: str) -> None:
    implementer, _, part, _ = MIDR[cpu]
    text = cpuinfo_text(cpu, ["fp", "asimd"])
    assert f"CPU part\t: 0x{part:03x}\n" in text and f"CPU implementer\t: 0x{implementer:02x}\n" in text
    assert text.count("processor\t:") == 1


def test_options_reject_bad_input(tmp_path: Any) -> None:
    with pytest.raises(UsageError, match="Nothing to run"):
        ArmOptions().validate()
    with pytest.raises(UsageError, match=r"\.tflite files only"):
        ArmOptions(model_files=(tmp_path / "x.onnx",)).validate()
    with pytest.raises(UsageError, match="at least 1"):
        ArmOptions(models=("hierattn_xs",), repeats=0).validate()


def _row(device: str, model: str, precision: str, insns: float) -> dict[str, Any]:
    return {"device": f"arm-emulated:{device}", "model": model, "label": model, "family": "baseline",
            "format": "tflite", "precision": precision, "backend": "litert-aarch64+xnnpack", "backend_version": "2.3.0",
            "threads": 1, "threads_observed": None, "threads_check": "num_threads=1", "batch": 1, "warmup": 1,
            "iters": 1, "insns_per_inference": insns, "setup_insns": 5e8, "numerics_images": 8,
            "x86_max_abs_diff": 1e-5, "x86_top1_agreement": 1.0, "size_mb": 1.0, "artifact": f"{model}.tflite"}


ROWS = [
    _row("cortex-a76", "hierattn_xs", "fp32", 200e6), _row("cortex-a76", "hierattn_xs", "int8", 100e6),
    _row("cortex-a76", "mobilenet_v3_large", "fp32", 160e6), _row("cortex-a76", "mobilenet_v3_large", "int8", 80e6),
    _row("cortex-a53", "hierattn_xs", "fp32", 300e6),
]


def test_insn_ratios_per_core() -> None:
    items = {(i["device"], i["model"], i["precision"]): i for i in arm_report.insn_ratios(ROWS)}
    assert items[("arm-emulated:cortex-a76", "hierattn_xs", "int8")]["over_fp32"] == pytest.approx(0.5)
    assert items[("arm-emulated:cortex-a76", "hierattn_xs", "fp32")]["hierattn_xs_over_mobilenet_v3_large"] == pytest.approx(1.25)
    assert items[("arm-emulated:cortex-a53", "hierattn_xs", "fp32")]["hierattn_xs_over_mobilenet_v3_large"] is None


def test_tables_show_the_rows_counts() -> None:
    text = arm_report.render(ROWS)
    assert "cortex-a76 (emulated)" in text and "cortex-a53 (emulated)" in text
    assert "| hierattn_xs | - | 200.0 | 100.0 | 0.50 |" in text
    assert "HierAttn-xs / MobileNetV3-Large: fp32 1.25, int8 1.25" in text
    assert text.count("| cortex-a") == len(ROWS)  # one numerics line per row


def test_document_keeps_arm_rows_out_of_latency_ratios() -> None:
    env = dict.fromkeys(("timestamp", "command", "cpu_model", "cpu_count", "governor", "os", "python", "libraries"))
    document = build_document(env, {"device": "arm-emulated"}, ROWS, [])
    assert ratios(ROWS) == []
    assert len(document["arm_ratios"]) == len(ROWS)
    assert document["rows"][0]["median_ms"] is None


def test_top1_differences_name_the_image_and_the_three_classes(tmp_path: Any) -> None:
    import json

    import numpy as np

    from hierattn.benchmarks.reports.report import write_csv

    classes = ("ACK", "BCC", "MEL")
    x86 = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, 1.0]])
    arm = np.array([[3.0, 1.0, 0.0], [0.0, 1.0, 2.0], [0.0, 0.0, 1.0]])  # image 1 moves from BCC to MEL
    torch_logits = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 2.0, 1.0]])  # image 2: x86 and ARM both differ
    found = top1_differences(arm, x86, torch_logits, classes, ("ACK/a.jpg", "BCC/b.jpg", "MEL/c.jpg"))
    assert found == [{"image": "BCC/b.jpg", "arm": "MEL", "x86": "BCC", "pytorch": "BCC"},
                     {"image": "MEL/c.jpg", "arm": "MEL", "x86": "MEL", "pytorch": "BCC"}]
    assert top1_differences(x86, x86, None, classes, ()) == []
    assert top1_differences(arm, x86, None, classes, ())[0]["image"] == "#1"  # unnamed synthetic images

    row = {**_row("cortex-a76", "hierattn_xs", "int8", 1e8), "top1_differences": found}
    table = arm_report.numerics_table([row])
    assert "| cortex-a76 | hierattn_xs | BCC/b.jpg | MEL | BCC | BCC |" in table
    assert "differs from x86" not in arm_report.numerics_table(ROWS)  # no differences, no list
    from hierattn.benchmarks import environment

    document = build_document(environment.collect(["hierattn-bench"]), {"device": "arm-emulated"}, [row], [])
    assert document["rows"][0]["top1_differences"] == found
    write_csv(document["rows"], tmp_path / "rows.csv")
    assert json.dumps(found).replace('"', '""') in (tmp_path / "rows.csv").read_text()


def test_tflite_and_onnx_rows_of_one_emulated_cpu_get_their_own_tables_and_ratios() -> None:
    def row(fmt: str, precision: str, insns: float) -> dict[str, Any]:
        return {"device": "x86-emulated:Haswell", "format": fmt, "model": "hierattn_xs", "label": "HierAttn-xs",
                "precision": precision, "insns_per_inference": insns, "macs_g": 0.41}

    rows = [row("tflite", "fp32", 100e6), row("tflite", "int8", 50e6), row("onnx", "fp32", 200e6),
            row("onnx", "int8", 300e6)]
    over_fp32 = {(r["format"], r["precision"]): r["over_fp32"] for r in arm_report.insn_ratios(rows)}
    assert over_fp32 == {("tflite", "fp32"): 1.0, ("tflite", "int8"): 0.5, ("onnx", "fp32"): 1.0, ("onnx", "int8"): 1.5}
    tables = arm_report.count_tables(rows)
    assert "Haswell (emulated), ONNX Runtime 1 thread" in tables
    assert "Haswell (emulated), LiteRT XNNPACK 1 thread" in tables
    assert "| 200.0 | 300.0 | 1.50 |" in tables and "| 100.0 | 50.0 | 0.50 |" in tables
