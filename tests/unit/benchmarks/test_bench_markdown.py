"""Markdown tables are built from the measured rows: every cell is the row's median, ratios match."""

from __future__ import annotations

import json
from pathlib import Path

from test_bench_report import make_row

from hierattn.benchmarks import environment
from hierattn.benchmarks.reports import markdown, report


def _rows() -> list[dict]:
    rows = []
    for threads in (1, 2):
        for model, base in (("hierattn_xs", 20.0), ("mobilenet_v3_large", 10.0)):
            rows.append(make_row(model, "pytorch", threads, base / threads))
            rows.append(make_row(model, "tflite", threads, base / 2 / threads))
            rows.append(make_row(model, "tflite", threads, base / 3 / threads, precision="int8"))
    return rows


def test_one_table_per_thread_count_with_measured_cells() -> None:
    text = markdown.latency_tables(_rows())
    assert text.count("| model | params (M)") == 2
    one_thread = text.split("2 threads")[0]
    xs_line = next(line for line in one_thread.splitlines() if line.startswith("| HierAttn-xs"))
    cells = [c.strip() for c in xs_line.strip("|").split("|")]
    assert cells[3:6] == ["20.0", "10.0", "6.7"]  # PyTorch, TFLite fp32, TFLite int8 in that order
    assert cells[-1] == "23"  # the paper's Table II latency


def test_render_from_json_report_includes_ratios_and_skips(tmp_path: Path, capsys) -> None:
    rows = _rows()
    document = report.build_document(environment.collect(["hierattn-bench"]), {"device": "cpu"}, rows,
                                     [{"model": "m", "format": "tflite", "precision": "int8", "reason": "why"}])
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document))
    assert markdown.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "| tflite | int8 | 1 | 2.00 | 0.33 |" in out  # xs/MobileNetV3 and xs/its own eager, measured
    assert "- m tflite int8: why" in out
    assert markdown.main([str(tmp_path / "missing.json")]) == 2


def test_a_model_file_of_a_zoo_architecture_gets_its_own_line_and_no_say_in_ratios() -> None:
    rows = _rows()
    plain = {**make_row("hierattn_xs", "tflite", 1, 99.0), "family": "file", "label": "xs_plain.tflite", "graph": "plain"}
    rows.append(plain)
    (ratio,) = [r for r in report.ratios(rows) if (r["format"], r["precision"], r["threads"]) == ("tflite", "fp32", 1)]
    assert ratio["hierattn_xs_over_mobilenet_v3_large"] == 10.0 / 5.0  # the zoo rows, not the file
    text = markdown.latency_tables(rows).split("2 threads")[0]
    assert "| xs_plain.tflite (plain) |" in text
    xs_line = next(line for line in text.splitlines() if line.startswith("| HierAttn-xs"))
    assert "99.0" not in xs_line


def test_several_reports_render_as_one_set_of_tables_naming_every_run(tmp_path: Path, capsys) -> None:
    paths = []
    for model in ("hierattn_xs", "mobilenet_v3_large"):
        rows = [r for r in _rows() if r["model"] == model]
        env = environment.collect(["hierattn-bench", "--models", model])
        document = report.build_document(env, {"device": "cpu"}, rows, [])
        paths.append(tmp_path / f"{model}.json")
        paths[-1].write_text(json.dumps(document))
    assert markdown.main([str(p) for p in paths]) == 0
    out = capsys.readouterr().out
    assert "Rows of 2 runs" in out
    assert "--models hierattn_xs" in out and "--models mobilenet_v3_large" in out
    assert out.count("| model | params (M)") == 2  # one table per thread count, both models in it
    assert "| tflite | int8 | 1 | 2.00 | 0.33 |" in out  # the ratio needs rows of both reports
    (tmp_path / "other.json").write_text(json.dumps({"not": "a report"}))
    assert markdown.main([str(paths[0]), str(tmp_path / "other.json")]) == 2
    assert "not a hierattn-bench JSON report" in capsys.readouterr().err


def test_every_benchmarked_format_and_precision_has_a_named_column_in_order() -> None:
    from hierattn.benchmarks.artifacts import SUFFIXES, supported_precisions
    from hierattn.benchmarks.reports.markdown import COLUMN_ORDER

    named = {(fmt, precision) for fmt, precision, _ in COLUMN_ORDER}
    for fmt in SUFFIXES:
        for precision in supported_precisions(fmt):
            assert (fmt, precision) in named, f"{fmt} {precision} would be an unnamed column at the end"
