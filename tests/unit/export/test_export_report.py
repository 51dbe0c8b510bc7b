"""The export report: the documented JSON schema and the terminal table."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from hierattn.export.base import ExportFormat, Precision
from hierattn.export.options import ArtifactReport, ExportReport, Status
from hierattn.export.report import print_table
from hierattn.export.validation import Check, ValidationResult


def _report() -> ExportReport:
    ok = ArtifactReport(
        ExportFormat.ONNX,
        Precision.INT8_DYNAMIC,
        Path("out/hierattn_xs_int8-dynamic.onnx"),
        Status.OK,
        size_mb=2.98,
        validation=ValidationResult(
            images=208, max_abs_diff=0.228, top1_agreement=0.995, kl_divergence=1e-4, referral_flip_rate=0.0,
            checks=(Check("top1_agreement", True, "top-1 agreement 99.50%"),),
        ),
    )
    failed = ArtifactReport(ExportFormat.COREML, Precision.FP16, None, Status.EXPORT_FAILED, error="converter crashed")
    return ExportReport(artifacts=(ok, failed), checkpoint="m.pt", checkpoint_sha256="ab", validation_images="val")


def test_json_has_the_documented_fields() -> None:
    document = json.loads(json.dumps(_report().to_dict()))
    first, second = document["artifacts"]
    assert {"format", "precision", "path", "size_mb", "status", "validation"} <= set(first)
    assert {"max_abs_diff", "top1_agreement", "kl_divergence", "referral_flip_rate", "images"} <= set(first["validation"])
    assert first["status"] == "ok" and first["precision"] == "int8-dynamic"
    assert second["status"] == "export failed" and second["path"] is None and second["error"] == "converter crashed"
    assert document["ok"] is False


def test_table_shows_status_path_and_error() -> None:
    console = Console(record=True, width=120)
    print_table(_report(), console)
    text = console.export_text()
    assert "int8-dynamic" in text and "99.5%" in text and "2.98" in text
    assert "export failed" in text and "error: converter crashed" in text
    assert "out/hierattn_xs_int8-dynamic.onnx" in text
