"""Streaming batch prediction through the real hierattn-predict and hierattn-eval on a sealed TFLite
export: JSONL/CSV rows as they come, parallel workers equal to one worker, and a run killed with
SIGKILL halfway that resumes to exactly one row per image, equal to an uninterrupted run."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PREDICT = [sys.executable, "-m", "hierattn.runtime.cli"]
EVAL = [sys.executable, "-m", "hierattn.training.eval_cli"]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def reference_rows(sealed_models: dict[str, Path], stream_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """One uninterrupted run with one worker."""
    out = tmp_path_factory.mktemp("reference") / "all.jsonl"
    done = subprocess.run([*PREDICT, str(stream_archive), "--model", str(sealed_models["tflite"]), "--jsonl", str(out),
                           "--workers", "1"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "images/s" in done.stderr and "0 error(s)" in done.stderr
    return _rows(out)


def test_jsonl_has_one_row_per_image_in_walk_order(reference_rows: list[dict], stream_archive: Path) -> None:
    expected = [str(p) for p in sorted(stream_archive.rglob("*.png"))]
    assert [row["path"] for row in reference_rows] == expected
    assert all(row["error"] is None and abs(sum(row["probabilities"].values()) - 1) < 1e-9 for row in reference_rows)


def test_two_workers_and_batches_give_the_same_rows(
    reference_rows: list[dict], sealed_models: dict[str, Path], stream_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "two.jsonl"
    done = subprocess.run([*PREDICT, str(stream_archive), "--model", str(sealed_models["tflite"]), "--jsonl", str(out),
                           "--workers", "2", "--batch-size", "5"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _rows(out) == reference_rows


def test_killed_run_resumes_without_lost_or_duplicated_rows(
    reference_rows: list[dict], sealed_models: dict[str, Path], stream_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed.jsonl"
    command = [*PREDICT, str(stream_archive), "--model", str(sealed_models["tflite"]), "--jsonl", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < len(reference_rows) // 2):
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {process.stderr.read()}")
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = out.read_bytes().count(b"\n")
    assert 0 < written < len(reference_rows)
    with open(out, "ab") as handle:  # what a kill during a write leaves behind
        handle.write(b'{"path": "cut off in the mid')
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "dropped a cut-off last line" in resumed.stderr and "already done" in resumed.stderr
    rows = _rows(out)
    assert len(rows) == len({row["path"] for row in rows}) == len(reference_rows)
    assert sorted(rows, key=lambda r: r["path"]) == sorted(reference_rows, key=lambda r: r["path"])
    again = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and _rows(out) == rows  # nothing left to do, nothing written twice


def test_csv_output_resumes_and_an_existing_file_needs_resume(
    reference_rows: list[dict], sealed_models: dict[str, Path], stream_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rows.csv"
    some = sorted(stream_archive.glob("MEL/*.png"))
    base = [*PREDICT, "--model", str(sealed_models["tflite"]), "--csv-out", str(out)]
    assert subprocess.run([*base, *map(str, some)], capture_output=True, text=True).returncode == 0
    refused = subprocess.run([*base, str(stream_archive)], capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = subprocess.run([*base, str(stream_archive), "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    with open(out, newline="") as handle:
        records = list(csv.DictReader(handle))
    assert sorted(r["path"] for r in records) == sorted(r["path"] for r in reference_rows)
    by_path = {r["path"]: r for r in reference_rows}
    for record in records:
        assert record["label"] == by_path[record["path"]]["label"]


def test_eval_streams_with_workers(sealed_models: dict[str, Path], stream_archive: Path) -> None:
    results = []
    for workers in ("1", "2"):
        done = subprocess.run([*EVAL, "--data", str(stream_archive), "--model", str(sealed_models["tflite"]), "--json",
                               "--workers", workers], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "images/s" in done.stderr
        results.append(json.loads(done.stdout))
    assert results[0]["count"] == 200
    for key in ("accuracy", "macro_auc", "confusion_matrix", "per_class"):
        assert results[0][key] == results[1][key]
