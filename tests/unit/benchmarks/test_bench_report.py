"""Report schema, JSON/CSV output, ratios, statistics and plots, on rows built in the test."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from hierattn.benchmarks import environment, zoo
from hierattn.benchmarks.reports import plots, report
from hierattn.benchmarks.reports.schema import ROW_FIELDS, schema_errors
from hierattn.benchmarks.timing.stats import LatencyStats
from hierattn.benchmarks.zoo import ZOO

DOCS = Path(__file__).resolve().parents[3] / "docs" / "benchmarks.md"


def make_row(model: str, fmt: str, threads: int, median: float, precision: str = "fp32") -> dict[str, Any]:
    entry = ZOO[model]
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(
        device="cpu", model=model, label=entry.label, family="hierattn" if entry.is_hierattn else "baseline",
        format=fmt, precision=precision, backend="onnxruntime", threads=threads, threads_observed=threads,
        threads_check="test", batch=1, warmup=2, iters=10, median_ms=median, p90_ms=median * 1.1,
        mean_ms=median, min_ms=median * 0.9, max_ms=median * 1.2, std_ms=0.1 * median,
        throughput_ips=1000 / median, size_mb=4.0, params_m=entry.paper_params_m or 5.0, macs_g=0.4,
        paper_ms=entry.paper_ms, artifact=f"{model}.{fmt}",
    )
    return row


@pytest.fixture()
def rows() -> list[dict[str, Any]]:
    out = []
    for fmt, base in (("pytorch", 30.0), ("onnx", 15.0), ("tflite", 10.0)):
        for threads in (1, 2):
            out.append(make_row("hierattn_xs", fmt, threads, base / threads))
            out.append(make_row("mobilenet_v3_large", fmt, threads, base / threads * 0.8))
    out.append(make_row("hierattn_m", "onnx", 1, 40.0))  # no paper latency
    return out


def document(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return report.build_document(environment.collect(["hierattn-bench", "--device", "cpu"]), {}, rows, [])


def test_document_conforms_and_survives_json(rows: list[dict[str, Any]]) -> None:
    doc = json.loads(json.dumps(document(rows)))
    assert schema_errors(doc) == []
    assert len(doc["rows"]) == len(rows)
    assert doc["environment"]["command"] == "hierattn-bench --device cpu"
    assert doc["environment"]["cpu_count"] >= 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rows"][0].pop("median_ms"), "lacks 'median_ms'"),
        (lambda d: d["rows"][0].update(threads="1"), "threads has type str"),
        (lambda d: d["rows"][0].update(model=None), "model is null"),
        (lambda d: d["rows"][0].update(surprise=1), "unknown keys"),
        (lambda d: d["rows"][0].update(batch=True), "batch has type bool"),
        (lambda d: d.pop("environment"), "missing top-level key 'environment'"),
        (lambda d: d["environment"].pop("cpu_model"), "lacks 'cpu_model'"),
    ],
)
def test_schema_check_catches_departures(rows: list[dict[str, Any]], mutate: Any, message: str) -> None:
    doc = json.loads(json.dumps(document(rows)))
    mutate(doc)
    assert any(message in e for e in schema_errors(doc)), schema_errors(doc)


def test_docs_list_every_row_field() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", DOCS.read_text(), flags=re.M))
    assert set(ROW_FIELDS) <= documented, sorted(set(ROW_FIELDS) - documented)


def test_csv_has_the_row_fields(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    report.write_csv(rows, path)
    with path.open() as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == list(ROW_FIELDS)
    assert len(read) == len(rows)
    assert float(read[0]["median_ms"]) == pytest.approx(rows[0]["median_ms"])
    assert read[0]["cold_start_ms"] == ""  # null is an empty cell


def test_ratios(rows: list[dict[str, Any]]) -> None:
    by_key = {(r["format"], r["threads"]): r for r in report.ratios(rows)}
    onnx1 = by_key[("onnx", 1)]
    assert onnx1["hierattn_xs_over_mobilenet_v3_large"] == pytest.approx(1 / 0.8)
    assert onnx1["hierattn_xs_over_pytorch"] == pytest.approx(0.5)
    assert by_key[("pytorch", 2)]["hierattn_xs_over_pytorch"] == pytest.approx(1.0)


def test_table_renders_every_row(rows: list[dict[str, Any]]) -> None:
    text = report.render_text(rows)
    assert text.count("HierAttn-xs") == 6 and text.count("MobileNetV3-Large") == 6


def test_plain_table_has_a_line_per_row_at_full_width_and_says_what_the_weights_are(rows) -> None:
    for row in rows:
        row["weights"] = zoo.weights_of(row["model"])
    lines = report.render_text(rows).splitlines()
    title, header, rule, *body, legend = lines
    assert title == "hierattn-bench" and set(rule) <= {"-", " "} and len(body) == len(rows)
    assert header.split()[:2] == ["model", "weights"] and len(header) > 120  # nothing cut at 80 columns
    assert all(len(line) <= len(rule) for line in body)
    assert [line.split()[1] for line in body if line.startswith("HierAttn-xs")] == ["demo"] * 6
    assert all(" random " in line for line in body if line.startswith(("MobileNetV3-Large", "HierAttn-m")))
    assert legend.startswith("weights: demo = the bundled demo checkpoint")


def test_whiskers_span_min_to_max_and_never_reach_below_zero() -> None:
    """A skewed row (a few very slow iterations): mean - std is negative, the fastest iteration is not."""
    row = make_row("hierattn_xs", "pytorch", 2, 930.5)
    row.update(min_ms=410.0, max_ms=2754.5, mean_ms=900.0, std_ms=1031.3)
    down, up = plots.whiskers(row)
    assert row["mean_ms"] - row["std_ms"] < 0
    assert row["median_ms"] - down == pytest.approx(410.0) and row["median_ms"] + up == pytest.approx(2754.5)


def test_latency_stats_match_numpy() -> None:
    samples = np.random.default_rng(0).gamma(4.0, 3.0, size=101)
    stats = LatencyStats.from_samples(samples.tolist())
    assert stats.median_ms == pytest.approx(np.median(samples))
    assert stats.p90_ms == pytest.approx(np.percentile(samples, 90, method="inverted_cdf"))
    assert stats.std_ms == pytest.approx(samples.std())
    assert stats.min_ms == samples.min() and stats.count == 101
    assert stats.throughput(4) == pytest.approx(4000 / stats.median_ms)
    with pytest.raises(ValueError):
        LatencyStats.from_samples([])


def test_plots_are_png_images_of_every_row(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    results = plots.write_plots(rows, tmp_path / "bench")
    assert [r.path.name for r in results] == ["bench_params.png", "bench_macs.png", "bench_formats.png"]
    expected_size = (int(plots.FIGSIZE[0] * plots.DPI), int(plots.FIGSIZE[1] * plots.DPI))
    for result in results:
        assert result.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(result.path) as image:
            assert image.size == expected_size
            pixels = np.asarray(image.convert("L"))
        assert pixels.std() > 5  # something was drawn, not a blank canvas
        assert result.row_points == len(rows)
    assert results[0].paper_points == 2  # hierattn_xs and mobilenet_v3_large have Table II latencies
    assert results[2].paper_points == 0
