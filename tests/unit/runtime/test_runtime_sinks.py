"""Result files and input walking of the streaming path: pure file-system behaviour, no model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime.batch import sinks
from hierattn.runtime.batch.inputs import IMAGE_SUFFIXES, expand_inputs, iter_inputs
from hierattn.runtime.batch.report import Row
from hierattn.runtime.batch.sinks import ResultSink, compact_results
from hierattn.runtime.errors import InvalidImageError, UsageError
from hierattn.runtime.prediction import make_prediction
from hierattn.runtime.spec import ModelSpec

CLASSES = ("A", "B")
MODEL = "a" * 64


def _error_row(path: str) -> Row:
    return Row(Path(path), InvalidImageError(f"{path} is not an image"))


def _result_row(path: str) -> Row:
    prediction = make_prediction(np.array([2.0, 0.0]), ModelSpec(class_names=CLASSES), 1, None, {})
    return Row(Path(path), prediction)


def _paths(out: Path) -> list[str]:
    return [json.loads(line)["path"] for line in out.read_text().splitlines()]


def test_walk_order_equals_sorted_rglob(tmp_path: Path) -> None:
    for name in ("b.png", "a/c.jpg", "a/b/x.png", "a.png", "a/b.png", "z/y/notes.txt", "Z.PNG", "a/b/c/d.webp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    expected = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    assert list(iter_inputs([tmp_path])) == expected
    empty = tmp_path / "z"
    expanded = expand_inputs([empty, tmp_path / "b.png"])
    assert expanded.paths == [tmp_path / "b.png"] and "no image files" in expanded.warnings[0]


def test_hidden_files_in_directories_are_skipped_unless_asked(tmp_path: Path) -> None:
    for name in ("a.jpg", ".hidden.jpg", "._a.jpg", ".cache/b.jpg", "sub/c.jpg", "sub/._c.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    expanded = expand_inputs([tmp_path])
    assert expanded.paths == [tmp_path / "a.jpg", tmp_path / "sub/c.jpg"]
    assert "skipped 4 hidden" in expanded.warnings[0] and "--include-hidden" in expanded.warnings[0]
    assert len(expand_inputs([tmp_path], include_hidden=True).paths) == 6
    assert expand_inputs([tmp_path / "._a.jpg"]).paths == [tmp_path / "._a.jpg"]  # named on the command line: kept


def test_existing_file_needs_resume_and_resume_skips_results_but_retries_errors(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with ResultSink(out, "jsonl", CLASSES, model_sha256=MODEL) as sink:
        sink.write([_result_row("x.png"), _error_row("y.png")])
    with pytest.raises(UsageError, match="--resume"):
        ResultSink(out, "jsonl", CLASSES, model_sha256=MODEL)
    with ResultSink(out, "jsonl", CLASSES, resume=True, model_sha256=MODEL) as sink:
        assert sink.done == {"x.png"} and sink.state.failed == {"y.png"} and sink.repaired_bytes == 0
        sink.write([_result_row("y.png"), _error_row("z.png")])
        assert _paths(out) == ["x.png", "y.png", "y.png", "z.png"]  # until the run ends, the last row counts
        assert sink.retried == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["path"] for r in rows] == ["x.png", "y.png", "z.png"]  # one row per input, its latest outcome
    assert rows[1]["error"] is None and rows[2]["error"] and {r["model_sha256"] for r in rows} == {MODEL}


def test_an_interrupted_run_keeps_every_row_and_the_next_resume_reads_the_last(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with ResultSink(out, "jsonl", CLASSES, model_sha256=MODEL) as sink:
        sink.write([_error_row("x.png")])
    with pytest.raises(KeyboardInterrupt), ResultSink(out, "jsonl", CLASSES, resume=True, model_sha256=MODEL) as sink:
        sink.write([_result_row("x.png")])
        raise KeyboardInterrupt
    assert _paths(out) == ["x.png", "x.png"]
    with ResultSink(out, "jsonl", CLASSES, resume=True, model_sha256=MODEL) as sink:
        assert sink.done == {"x.png"} and not sink.state.failed
    assert _paths(out) == ["x.png"]


def test_a_kill_during_the_rewrite_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.jsonl"
    with ResultSink(out, "jsonl", CLASSES, model_sha256=MODEL) as sink:
        sink.write([_error_row("x.png"), _result_row("x.png")])
    before = out.read_bytes()

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # what SIGINT raises at the worst moment: new file written, not yet renamed

    monkeypatch.setattr(sinks.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        compact_results(out, "jsonl", CLASSES)
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_resuming_with_another_model_is_refused(tmp_path: Path) -> None:
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"out.{fmt}"
        with ResultSink(out, fmt, CLASSES, model_sha256=MODEL) as sink:
            sink.write([_result_row("x.png")])
        with pytest.raises(UsageError, match=r"another model \(line \d: model sha256 aaaaaaaaaaaaaaaa.*this model: bbbb"):
            ResultSink(out, fmt, CLASSES, resume=True, model_sha256="b" * 64)


def test_a_long_partial_last_line_is_cut_back_to_the_last_newline(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    complete = json.dumps(_error_row("x.png").to_dict()) + "\n"
    out.write_text(complete + '{"path": "' + "y" * 200_000)  # longer than one read block
    with ResultSink(out, "jsonl", CLASSES, resume=True) as sink:
        assert sink.state.failed == {"x.png"} and sink.repaired_bytes == 200_010
    assert out.read_text() == complete
    out.write_text('{"path": "only a partial line')
    with ResultSink(out, "jsonl", CLASSES, resume=True) as sink:
        assert sink.done == set()
    assert out.read_text() == ""
    out.write_text('not json\n{"path": "a"}\n')
    with pytest.raises(UsageError, match="line 1 is not a hierattn result"):
        ResultSink(out, "jsonl", CLASSES, resume=True)


def test_csv_resume_checks_the_header(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with ResultSink(out, "csv", CLASSES) as sink:
        sink.write([_error_row("x.png")])
    lines = out.read_text().splitlines()
    assert lines[0] == "path,label,top_k,crop_box,referral,error,warnings,model_sha256,A,B"
    assert lines[1].startswith("x.png,")
    with ResultSink(out, "csv", CLASSES, resume=True) as sink:
        assert sink.state.failed == {"x.png"}
        sink.write([_error_row("y.png")])
    assert len(out.read_text().splitlines()) == 3  # no second header
    with pytest.raises(UsageError, match="other columns"):
        ResultSink(out, "csv", ("A", "B", "C"), resume=True)
    with pytest.raises(UsageError, match="stdout"):
        ResultSink("-", "jsonl", CLASSES, resume=True)
