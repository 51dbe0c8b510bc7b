"""The CPU harness end to end on the real HierAttn-xs: export, timing, threads, cold start, report, plots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hierattn.benchmarks import environment
from hierattn.benchmarks.artifacts import cached_artifact
from hierattn.benchmarks.reports import plots, report
from hierattn.benchmarks.reports.schema import schema_errors
from hierattn.benchmarks.timing.harness import BenchConfig, run_cpu
from hierattn.benchmarks.zoo import build_model
from hierattn.runtime.spec import ModelSpec

THREADS = (1, 2)
FORMATS = ("pytorch", "onnx", "tflite")


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[BenchConfig, list[dict[str, Any]], list[dict[str, str]]]:
    config = BenchConfig(
        models=("hierattn_xs",), formats=FORMATS, precisions=("fp32",), threads=THREADS,
        warmup=1, iters=4, rounds=2, out_dir=tmp_path_factory.mktemp("bench"),
    )
    rows, skipped = run_cpu(config, lambda _: None)
    return config, rows, skipped


@pytest.mark.slow
def test_every_format_and_thread_count_gives_a_row(bench: Any) -> None:
    _, rows, skipped = bench
    assert skipped == []
    assert sorted((r["format"], r["threads"]) for r in rows) == sorted((f, t) for f in FORMATS for t in THREADS)


@pytest.mark.slow
def test_thread_counts_are_verified(bench: Any) -> None:
    _, rows, _ = bench
    for row in rows:
        assert row["threads_observed"] == row["threads"], (row["format"], row["threads_check"])


@pytest.mark.slow
def test_rows_are_complete_and_consistent(bench: Any) -> None:
    config, rows, skipped = bench
    doc = report.build_document(environment.collect(), config.to_dict(), rows, skipped)
    assert schema_errors(json.loads(json.dumps(doc))) == []
    for row in rows:
        assert row["iters"] == 4 and row["warmup"] == 1
        assert row["min_ms"] <= row["median_ms"] <= row["p90_ms"] <= row["max_ms"]
        assert row["cold_start_ms"] == pytest.approx(row["load_ms"] + row["first_ms"])
        assert row["peak_rss_mb"] > 10 and row["size_mb"] > 1
        assert row["macs_g"] > 0.1 and row["params_m"] > 0.5
        assert row["weights"] == "demo"  # the bundled trained checkpoint: fidelity on logits that vary per image
        if row["format"] != "pytorch":
            assert row["fidelity_max_abs_diff"] < 1e-3
            assert row["fidelity_top1_agreement"] == 1.0
    ratio_rows = doc["ratios"]
    assert {r["format"] for r in ratio_rows} == set(FORMATS)
    assert all(r["hierattn_xs_over_pytorch"] > 0 for r in ratio_rows)


@pytest.mark.slow
def test_plots_of_real_rows(bench: Any, tmp_path: Path) -> None:
    _, rows, _ = bench
    results = plots.write_plots(rows, tmp_path / "real")
    assert all(r.row_points == len(rows) and r.path.stat().st_size > 10_000 for r in results)


@pytest.mark.slow
def test_artifacts_are_cached(bench: Any) -> None:
    config, rows, _ = bench
    model = build_model("hierattn_xs")
    artifact = cached_artifact(model, ModelSpec(arch="hierattn_xs"), "onnx", "fp32", config.out_dir / "artifacts")
    assert artifact.notes.get("cached") is True
    assert str(artifact.path) in {r["artifact"] for r in rows}


TORCH_FREE = """
import sys
from hierattn.benchmarks.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
assert "torch" not in sys.modules, "torch was imported"
sys.exit(code)
"""


@pytest.mark.slow
def test_cli_on_exported_files_is_torch_free_and_prints_one_json(bench: Any) -> None:
    _, rows, _ = bench
    files = sorted({r["artifact"] for r in rows if r["format"] != "pytorch"})
    args = [a for f in files for a in ("--model", f)]
    done = subprocess.run(
        [sys.executable, "-c", TORCH_FREE, "--device", "cpu", *args, "--threads", "1", "--warmup", "1",
         "--iters", "3", "--rounds", "1", "--no-cold-start", "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)
    assert schema_errors(document) == []
    assert sorted(r["format"] for r in document["rows"]) == ["onnx", "tflite"]
    assert all(r["family"] == "file" and r["model"] == "hierattn_xs" for r in document["rows"])
