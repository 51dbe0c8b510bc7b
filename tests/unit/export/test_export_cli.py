"""hierattn-export argument handling and the errors that stop a run before any conversion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hierattn.export.cli import app

runner = CliRunner()


def test_help_lists_every_option() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--checkpoint", "--arch", "--format", "--precision", "--calibration-dir", "--validation-dir",
                   "--output", "--json", "--opset", "--dynamic-batch", "--threads"):  # fmt: skip
        assert option in result.output


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code in (0, 2)
    assert "Usage" in result.output


def test_help_does_not_import_heavy_backends() -> None:
    code = (
        "import sys; from hierattn.export.cli import app; "
        "heavy = [m for m in ('torch', 'onnx', 'coremltools', 'tensorflow') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unsupported_precision_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--format", "coreml", "--precision", "int8-dynamic", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "coreml export does not support precision int8-dynamic; supported: fp16, fp32, int8" in result.output
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--format", "tensorrt", "--output", str(tmp_path)])
    assert result.exit_code == 2


def test_unwritable_output_dir_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = runner.invoke(app, ["--format", "onnx", "--output", str(blocker / "out")])
    assert result.exit_code == 2
    assert "output" in result.output.lower()


def test_bad_checkpoint_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    result = runner.invoke(app, ["--checkpoint", str(bad), "--format", "onnx", "--output", str(tmp_path / "out" / "xs")])
    assert result.exit_code == 1
    assert "broken.pt" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # the output directories it created are gone again


def test_a_failed_run_keeps_an_output_directory_that_existed(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    (tmp_path / "exports").mkdir()
    result = runner.invoke(app, ["--checkpoint", str(bad), "--format", "onnx", "--output", str(tmp_path / "exports")])
    assert result.exit_code == 1 and (tmp_path / "exports").is_dir()


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hierattn.models import create_model, save_checkpoint

    model = create_model("hierattn_xs", num_classes=8).eval()
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "xs.pt", model, "hierattn_xs", ["ACK", "BCC", "BKL", "DF", "MEL", "NV", "SCC", "VASC"])


def test_int8_without_calibration_images_is_a_usage_error(tmp_path: Path, small_checkpoint: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["--checkpoint", str(small_checkpoint), "--format", "onnx", "--precision", "int8"]
    result = runner.invoke(app, [*args, "--calibration-dir", str(empty), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "calibration" in result.output and str(empty) in result.output


def test_labels_file_takes_lines_or_a_json_list_and_labels_take_commas(tmp_path: Path) -> None:
    from hierattn.export.cli import read_labels_file
    from hierattn.runtime.errors import UsageError

    lines = tmp_path / "labels.txt"
    lines.write_text("ACK\nBCC  # basal cell\n\nMEL\n")
    listed = tmp_path / "labels.json"
    listed.write_text('["NEV", "SCC", "SEK"]')
    assert read_labels_file(lines) == ("ACK", "BCC", "MEL") and read_labels_file(listed) == ("NEV", "SCC", "SEK")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(UsageError, match="lists no class names"):
        read_labels_file(tmp_path / "empty.txt")
    both = CliRunner().invoke(app, ["-f", "onnx", "--labels", "A,B", "--labels-file", str(lines), "-o", str(tmp_path)])
    assert both.exit_code == 2 and "give one" in both.output
