"""Killing an export mid-way leaves the previous artifact intact and no partial files behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hierattn.export.atomic import TEMP_PREFIX

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hierattn.models import create_model, save_checkpoint
    from hierattn.runtime.spec import ModelSpec

    model = create_model("hierattn_xs", num_classes=8).eval()
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "xs.pt", model, "hierattn_xs", ModelSpec().class_names)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_during_conversion_keeps_previous_artifact(signum: int, checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    previous = out / "hierattn_xs_fp32.onnx"
    previous.write_bytes(b"previous artifact")
    (out / "hierattn_xs_fp32.onnx.json").write_text("{}")
    command = [sys.executable, "-m", "hierattn.export.cli", "--checkpoint", str(checkpoint), "--format", "onnx", "--output", str(out),
               "--overwrite"]  # the previous file's sidecar names no checkpoint: replacing it needs --overwrite
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(TEMP_PREFIX + "*")):
            assert process.poll() is None, f"export ended before conversion started: {process.communicate()}"
            assert time.monotonic() < deadline, "the temporary directory never appeared"
            time.sleep(0.05)
        time.sleep(0.5)  # well inside the conversion
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "interrupted" in stderr
    assert previous.read_bytes() == b"previous artifact"
    assert (out / "hierattn_xs_fp32.onnx.json").read_text() == "{}"
    assert sorted(p.name for p in out.iterdir()) == ["hierattn_xs_fp32.onnx", "hierattn_xs_fp32.onnx.json"]
