"""hierattn-parity's own logic: image discovery, spec choice, comparison rules and exit codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from hierattn.runtime.errors import UsageError
from hierattn.runtime.parity import cli as parity
from hierattn.runtime.preprocess import Preprocessed
from hierattn.runtime.spec import ModelSpec


def _resized(value: int = 100) -> np.ndarray:
    return np.full((4, 5, 3), value, dtype=np.uint8)


def _kotlin_result(tmp_path: Path, array: np.ndarray, box: list[int] | None) -> dict:
    png = tmp_path / f"kt_{len(list(tmp_path.iterdir()))}.png"
    Image.fromarray(array).save(png)
    return {"crop_box": box, "resized_png": str(png)}


def _python(box: tuple[int, int, int, int] | None, array: np.ndarray) -> Preprocessed:
    return Preprocessed(tensor=array.transpose(2, 0, 1) / 255.0, resized=array, crop_box=box)


def test_identical_results_agree(tmp_path: Path) -> None:
    r = parity._compare_one("a.png", _python((1, 2, 3, 4), _resized()), _kotlin_result(tmp_path, _resized(), [1, 2, 3, 4]), None, ModelSpec())
    assert r.ok and r.max_abs_diff_levels == 0 and r.crop_box_kotlin == [1, 2, 3, 4]


def test_one_level_is_tolerated_two_are_not(tmp_path: Path) -> None:
    spec = ModelSpec()
    off_by_one = _resized().copy()
    off_by_one[0, 0, 0] += 1
    assert parity._compare_one("a", _python(None, _resized()), _kotlin_result(tmp_path, off_by_one, None), None, spec).ok
    off_by_two = _resized().copy()
    off_by_two[3, 4, 2] -= 2
    r = parity._compare_one("a", _python(None, _resized()), _kotlin_result(tmp_path, off_by_two, None), None, spec)
    assert not r.ok and r.max_abs_diff_levels == 2
    assert r.max_abs_diff == pytest.approx(2 * spec.scale)


def test_different_crop_box_fails_even_with_equal_pixels(tmp_path: Path) -> None:
    r = parity._compare_one("a", _python((0, 0, 4, 4), _resized()), _kotlin_result(tmp_path, _resized(), [0, 0, 4, 5]), None, ModelSpec())
    assert not r.ok


def test_jpeg_decoder_difference_is_reported_not_counted(tmp_path: Path) -> None:
    other = _resized(110)
    r = parity._compare_one("a.jpg", _python(None, _resized()), _kotlin_result(tmp_path, _resized(), None), _kotlin_result(tmp_path, other, None), ModelSpec())
    assert r.ok and r.decoder_max_diff_levels == 10


def test_kotlin_error_is_a_failure(tmp_path: Path) -> None:
    r = parity._compare_one("a", _python(None, _resized()), {"path": "a", "error": "cannot decode"}, None, ModelSpec())
    assert not r.ok and r.error == "cannot decode"


def test_find_images_is_recursive_and_filters_suffixes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.PNG", "sub/b.jpg", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in parity.find_images(tmp_path)] == ["a.PNG", "sub/b.jpg"]
    with pytest.raises(UsageError):
        parity.find_images(tmp_path / "sub" / "b.jpg")


def test_spec_comes_from_spec_file_or_model_sidecar(tmp_path: Path) -> None:
    custom = ModelSpec().with_updates(input_size=(64, 48))
    (tmp_path / "m.tflite.json").write_text(custom.to_json())
    (tmp_path / "m.tflite").write_bytes(b"")
    assert parity.load_spec(tmp_path / "m.tflite.json", None).input_size == (64, 48)
    assert parity.load_spec(None, tmp_path / "m.tflite").input_size == (64, 48)
    assert parity.load_spec(None, None) == ModelSpec()
    with pytest.raises(UsageError):
        parity.load_spec(tmp_path / "m.tflite.json", tmp_path / "m.tflite")


def test_missing_java_exits_2_naming_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Image.fromarray(_resized()).save(tmp_path / "a.png")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("HIERATTN_CORE_JAR", raising=False)
    result = CliRunner().invoke(parity.app, [str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert "apt-get install -y kotlin junit4" in result.output


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(parity.app, [str(tmp_path)])
    assert result.exit_code == 2
    assert "contains no images" in result.output
