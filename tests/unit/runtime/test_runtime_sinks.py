"""Result files and input walking of the streaming path: pure file-system behaviour, no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hierattn.runtime.batch.inputs import IMAGE_SUFFIXES, expand_inputs, iter_inputs
from hierattn.runtime.batch.report import Row
from hierattn.runtime.batch.sinks import ResultSink
from hierattn.runtime.errors import InvalidImageError, UsageError

CLASSES = ("A", "B")


def _error_row(path: str) -> Row:
    return Row(Path(path), InvalidImageError(f"{path} is not an image"))


def test_walk_order_equals_sorted_rglob(tmp_path: Path) -> None:
    for name in ("b.png", "a/c.jpg", "a/b/x.png", "a.png", "a/b.png", "z/y/notes.txt", "Z.PNG", "a/b/c/d.webp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    expected = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    assert list(iter_inputs([tmp_path])) == expected
    empty = tmp_path / "z"
    expanded = expand_inputs([empty, tmp_path / "b.png"])
    assert expanded.paths == [tmp_path / "b.png"] and "no image files" in expanded.warnings[0]


def test_existing_file_needs_resume_and_resume_skips_its_paths(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with ResultSink(out, "jsonl", CLASSES) as sink:
        sink.write([_error_row("x.png"), _error_row("y.png")])
    with pytest.raises(UsageError, match="--resume"):
        ResultSink(out, "jsonl", CLASSES)
    with ResultSink(out, "jsonl", CLASSES, resume=True) as sink:
        assert sink.done == {"x.png", "y.png"} and sink.repaired_bytes == 0
        sink.write([_error_row("z.png")])
    assert [json.loads(line)["path"] for line in out.read_text().splitlines()] == ["x.png", "y.png", "z.png"]


def test_a_long_partial_last_line_is_cut_back_to_the_last_newline(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    complete = json.dumps(_error_row("x.png").to_dict()) + "\n"
    out.write_text(complete + '{"path": "' + "y" * 200_000)  # longer than one read block
    with ResultSink(out, "jsonl", CLASSES, resume=True) as sink:
        assert sink.done == {"x.png"} and sink.repaired_bytes == 200_010
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
    assert lines[0] == "path,label,top_k,crop_box,referral,error,A,B" and lines[1].startswith("x.png,")
    with ResultSink(out, "csv", CLASSES, resume=True) as sink:
        assert sink.done == {"x.png"}
        sink.write([_error_row("y.png")])
    assert len(out.read_text().splitlines()) == 3  # no second header
    with pytest.raises(UsageError, match="other columns"):
        ResultSink(out, "csv", ("A", "B", "C"), resume=True)
    with pytest.raises(UsageError, match="stdout"):
        ResultSink("-", "jsonl", CLASSES, resume=True)
