"""Artifacts are replaced in one step; scratch space always disappears."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from hierattn.export.atomic import (
    TEMP_PREFIX,
    ensure_writable_dir,
    interrupts_raised,
    move_into_place,
    raise_if_interrupted,
    temp_dir,
)
from hierattn.runtime.errors import UsageError


def test_file_replaces_previous(tmp_path: Path) -> None:
    final = tmp_path / "model.onnx"
    final.write_text("old")
    with temp_dir(tmp_path) as work:
        staged = work / "model.onnx"
        staged.write_text("new")
        move_into_place(staged, final)
    assert final.read_text() == "new"
    assert not list(tmp_path.glob(TEMP_PREFIX + "*"))


def test_directory_replaces_previous_package(tmp_path: Path) -> None:
    final = tmp_path / "model.mlpackage"
    (final / "Data").mkdir(parents=True)
    (final / "Data" / "old.bin").write_text("old")
    with temp_dir(tmp_path) as work:
        staged = work / "model.mlpackage"
        (staged / "Data").mkdir(parents=True)
        (staged / "Data" / "new.bin").write_text("new")
        move_into_place(staged, final)
    assert [p.name for p in (final / "Data").iterdir()] == ["new.bin"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.mlpackage"]


def test_temp_dir_removed_on_interrupt(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), temp_dir(tmp_path) as work:
        (work / "partial.onnx").write_text("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_sigterm_becomes_keyboard_interrupt_inside_the_block() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), interrupts_raised():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs at the next bytecode boundary
            pass
    assert signal.getsignal(signal.SIGTERM) is before


def test_unwritable_output_dir_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="output"):
        ensure_writable_dir(blocker / "sub")
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UsageError, match="not writable"):
            ensure_writable_dir(locked)


def test_signal_during_the_move_is_delivered_after_it(tmp_path: Path) -> None:
    from hierattn.export.atomic import signals_deferred

    final = tmp_path / "model.onnx"
    staged = tmp_path / "staged.onnx"
    staged.write_text("new")
    with pytest.raises(KeyboardInterrupt), signals_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        move_into_place(staged, final)
        moved = final.read_text()
    assert moved == "new"


def test_swallowed_interrupt_is_raised_again() -> None:
    """A library that catches KeyboardInterrupt (as torch's ONNX exporter does) cannot hide Ctrl-C."""
    with interrupts_raised():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
        except KeyboardInterrupt:
            pass  # what the library does
        with pytest.raises(KeyboardInterrupt):
            raise_if_interrupted()
    raise_if_interrupted()  # outside the block nothing is remembered


def test_a_file_from_another_checkpoint_is_replaced_only_with_overwrite(tmp_path: Path) -> None:
    import json

    import torch

    from hierattn.export.base import ExportFormat, Precision
    from hierattn.export.options import ExportOptions
    from hierattn.export.pipeline import SourceModel, _check_replacements
    from hierattn.export.registry import get_converter
    from hierattn.runtime.spec import ModelSpec

    converter = get_converter(ExportFormat.ONNX)
    plan = [(ExportFormat.ONNX, Precision.FP32, converter, None)]
    source = SourceModel(torch.nn.Identity(), ModelSpec(), tmp_path / "b.pt", "b" * 64)
    options = ExportOptions(formats=(ExportFormat.ONNX,), precisions=(Precision.FP32,), output_dir=tmp_path)
    assert _check_replacements(options, source, plan) == ()  # nothing there yet
    existing = tmp_path / "hierattn_xs_fp32.onnx"
    existing.write_bytes(b"model of a.pt")
    sidecar = tmp_path / "hierattn_xs_fp32.onnx.json"
    sidecar.write_text(json.dumps({"extra": {"checkpoint_sha256": "b" * 64}}))
    assert _check_replacements(options, source, plan) == ()  # the same checkpoint: a re-export
    sidecar.write_text(json.dumps({"extra": {"checkpoint_sha256": "a" * 64}}))
    with pytest.raises(UsageError, match=r"hierattn_xs_fp32.onnx \(from checkpoint sha256 aaaaaaaaaaaaaaaa.*--overwrite"):
        _check_replacements(options, source, plan)
    sidecar.unlink()
    with pytest.raises(UsageError, match="unknown checkpoint"):
        _check_replacements(options, source, plan)
    replacing = ExportOptions(formats=(ExportFormat.ONNX,), precisions=(Precision.FP32,), output_dir=tmp_path, overwrite=True)
    assert _check_replacements(replacing, source, plan) == (f"{existing} (from an unknown checkpoint (no readable sidecar))",)
