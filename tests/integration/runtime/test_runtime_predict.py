"""Classifier.predict / predict_batch and hierattn-predict on a matrix of good and bad inputs.

The model is a real, tiny ONNX graph (per-channel mean then a linear layer) run by ONNX Runtime, so
these tests exercise decoding, preprocessing, inference and reporting end to end in seconds.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hierattn.runtime import Classifier, InvalidImageError, ModelSpec, Prediction, load_rgb
from hierattn.runtime.spec import sidecar_path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32) * 3
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["x", "axes"], ["pooled"], keepdims=0),
            helper.make_node("MatMul", ["pooled", "w"], ["logits"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 256, 256])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 8])],
        initializer=[numpy_helper.from_array(np.array([2, 3], np.int64), "axes"), numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = tmp_path_factory.mktemp("tiny") / "tiny.onnx"
    onnx.save(model, str(path))
    sidecar_path(path).write_text(ModelSpec().to_json())
    return path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size: what a decompression bomb looks like before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _photo(h: int = 120, w: int = 160) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), np.full_like(xx, 128)], -1)
    return rgb.astype(np.uint8)


def _write_inputs(folder: Path) -> dict[str, tuple[Path, bool]]:
    """name -> (path, whether it should decode)."""
    cases: dict[str, tuple[Path, bool]] = {}

    def add(name: str, ok: bool, writer) -> None:
        path = folder / name
        writer(path)
        cases[name] = (path, ok)

    jpeg = folder / "_source.jpg"
    Image.fromarray(_photo()).save(jpeg, quality=90)
    data = jpeg.read_bytes()
    jpeg.unlink()
    add("empty.jpg", False, lambda p: p.write_bytes(b""))
    add("truncated.jpg", False, lambda p: p.write_bytes(data[: len(data) // 2]))
    add("text.png", False, lambda p: p.write_text("this is not an image\n"))
    add("notes.txt", False, lambda p: p.write_text("plain text\n"))
    add("zero.png", False, lambda p: p.write_bytes(b""))
    add("bomb.png", False, lambda p: p.write_bytes(_png_header_only(20000, 20000)))
    add("one_pixel.png", True, lambda p: Image.new("RGB", (1, 1), (200, 100, 50)).save(p))
    add("sixteen_bit.png", True, lambda p: Image.fromarray((np.arange(64 * 48).reshape(48, 64) * 20).astype(np.uint16)).save(p))
    add("cmyk.jpg", True, lambda p: Image.fromarray(_photo()).convert("CMYK").save(p))
    palette = Image.fromarray(_photo()).convert("P", palette=Image.Palette.ADAPTIVE)
    palette.info["transparency"] = 0
    add("palette_transparent.png", True, lambda p: palette.save(p, transparency=0))
    frames = [Image.fromarray(_photo()).convert("P"), Image.new("P", (160, 120), 3)]
    add("animated.gif", True, lambda p: frames[0].save(p, save_all=True, append_images=frames[1:], duration=100))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    add("exif_rotated.jpg", True, lambda p: Image.fromarray(_photo(40, 80)).save(p, exif=exif))
    add("greyscale.jpg", True, lambda p: Image.fromarray(_photo()[..., 0]).save(p))
    add("all_black.png", True, lambda p: Image.new("RGB", (64, 64)).save(p))
    add("huge_aspect.png", True, lambda p: Image.fromarray(_photo(4, 3000)).save(p))
    add("rgba.png", True, lambda p: Image.fromarray(_photo()).convert("RGBA").save(p))
    add("la.png", True, lambda p: Image.fromarray(_photo()[..., 1]).convert("LA").save(p))
    add("photo.webp", True, lambda p: Image.fromarray(_photo()).save(p))
    return cases


def test_bad_input_matrix_gives_results_or_one_line_errors(tiny_model: Path, tmp_path: Path) -> None:
    cases = _write_inputs(tmp_path)
    assert len(cases) >= 15
    classifier = Classifier.load(tiny_model)
    names = list(cases)
    outcomes = classifier.predict_batch([cases[name][0] for name in names])
    assert len(outcomes) == len(names)
    for name, outcome in zip(names, outcomes, strict=True):
        should_decode = cases[name][1]
        if should_decode:
            assert isinstance(outcome, Prediction), f"{name}: {outcome}"
            assert abs(sum(outcome.probabilities.values()) - 1) < 1e-9
        else:
            assert isinstance(outcome, InvalidImageError), f"{name}: {outcome}"
            message = str(outcome)
            assert "\n" not in message and name in message, message


def test_decode_details(tmp_path: Path) -> None:
    cases = _write_inputs(tmp_path)
    assert load_rgb(cases["exif_rotated.jpg"][0]).shape == (80, 40, 3)  # EXIF orientation applied
    sixteen = load_rgb(cases["sixteen_bit.png"][0])
    expected = (np.arange(64 * 48).reshape(48, 64) * 20).astype(np.uint16) >> 8
    np.testing.assert_array_equal(sixteen[..., 0], expected)
    with pytest.raises(InvalidImageError, match="pixel limit"):
        load_rgb(cases["bomb.png"][0])
    with pytest.raises(InvalidImageError, match="no such file"):
        load_rgb(tmp_path / "missing.jpg")
    with pytest.raises(InvalidImageError, match="directory"):
        load_rgb(tmp_path)


def test_predict_accepts_path_bytes_pil_and_array(tiny_model: Path, tmp_path: Path) -> None:
    classifier = Classifier.load(tiny_model, threads=1)
    rgb = _photo()
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    results = [
        classifier.predict(path),
        classifier.predict(path.read_bytes()),
        classifier.predict(Image.fromarray(rgb)),
        classifier.predict(rgb),
    ]
    first = results[0]
    for result in results[1:]:
        assert result.probabilities == first.probabilities and result.crop_box == first.crop_box
    assert set(first.timings_ms) == {"decode", "preprocess", "inference"}
    logits = classifier.predict_tensor(np.zeros((2, 3, 256, 256), np.float32))
    assert logits.shape == (2, 8)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hierattn.runtime.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_json_keeps_input_order_and_reports_failures(tiny_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    cases = _write_inputs(folder)
    (folder / "nested").mkdir()
    Image.fromarray(_photo()).save(folder / "nested" / "deep.png")
    lone = tmp_path / "lone.png"
    Image.fromarray(_photo()).save(lone)
    done = _cli("--model", str(tiny_model), str(lone), str(folder), "--json", "--top-k", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    results = json.loads(done.stdout)["results"]
    paths = [r["path"] for r in results]
    assert paths[0] == str(lone)
    walked = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".txt")
    assert paths[1:] == [str(p) for p in walked]  # the walk skips files without an image suffix
    for result in results:
        assert set(result) == {"path", "label", "probabilities", "top_k", "crop_box", "referral", "error", "warnings"}
        assert bool(result["warnings"]) == (Path(result["path"]).name in ("greyscale.jpg", "la.png", "all_black.png", "sixteen_bit.png"))
        name = Path(result["path"]).name
        ok = cases[name][1] if name in cases else True
        assert (result["error"] is None) == ok, result
        if ok:
            assert len(result["top_k"]) == 2 and result["label"] == result["top_k"][0][0]


def test_cli_csv_table_and_exit_codes(tiny_model: Path, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    Image.fromarray(_photo()).save(image)
    done = _cli("--model", str(tiny_model), str(image), "--csv", "--no-crop")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.strip().splitlines()
    assert header.split(",")[:6] == ["path", "label", "top_k", "crop_box", "referral", "error"]
    assert row.startswith(str(image))
    table = _cli("--model", str(tiny_model), str(image))
    assert table.returncode == 0 and "not a medical device" in table.stdout
    header, _, line, disclaimer = table.stdout.splitlines()  # piped: plain text, a line per image
    assert header.split() == ["image", "label", "top-k", "crop", "box", "referral"]
    assert line.startswith(f"{image}  ") and "not a medical device" in disclaimer
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here")
    none_found = _cli("--model", str(tiny_model), str(empty))
    assert none_found.returncode == 2 and "no images found" in none_found.stderr
    both = _cli("--model", str(tiny_model), str(image), "--json", "--csv")
    assert both.returncode == 2 and both.stdout == ""
    default_model = _cli(str(image), "--json")  # no --model: the bundled demo model
    assert default_model.returncode == 0, default_model.stderr
    result = json.loads(default_model.stdout)["results"][0]
    assert result["error"] is None and set(result["probabilities"]) == {
        "ACK", "BCC", "BKL", "DF", "MEL", "NV", "SCC", "VASC"}
    bad_model = _cli("--model", str(tmp_path / "missing.onnx"), str(image))
    assert bad_model.returncode == 1 and bad_model.stderr.count("\n") == 1


def test_resume_retries_failed_images_and_the_exit_code_reflects_the_file(tiny_model: Path, tmp_path: Path) -> None:
    from hierattn.runtime.defaults import DEFAULT_ONNX

    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(_photo()).save(folder / "a.jpg")
    good = (folder / "a.jpg").read_bytes()
    (folder / "b.jpg").write_bytes(good[: len(good) // 3])  # truncated
    for hidden in (".hidden.jpg", "._a.jpg"):  # a dotfile and a macOS AppleDouble file: skipped
        (folder / hidden).write_bytes(b"\x00\x05\x16\x07 not an image")
    out = tmp_path / "out.jsonl"
    base = ("--model", str(tiny_model), str(folder), "--jsonl", str(out))

    first = _cli(*base)
    assert first.returncode == 1 and "skipped 2 hidden" in first.stderr, first.stderr
    still_broken = _cli(*base, "--resume")
    assert still_broken.returncode == 1 and "1 retried" in still_broken.stderr, still_broken.stderr
    assert [json.loads(line)["path"] for line in out.read_text().splitlines()] == [
        str(folder / "a.jpg"), str(folder / "b.jpg")]  # one row per image, no stacked error rows

    (folder / "b.jpg").write_bytes(good)
    fixed = _cli(*base, "--resume")
    assert fixed.returncode == 0 and "1 already done, 1 retried" in fixed.stderr, fixed.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["path"] for r in rows] == [str(folder / "a.jpg"), str(folder / "b.jpg")]
    assert all(r["error"] is None for r in rows) and len({r["model_sha256"] for r in rows}) == 1
    assert _cli(*base, "--resume").returncode == 0

    other = _cli("--model", str(DEFAULT_ONNX), str(folder), "--jsonl", str(out), "--resume")
    assert other.returncode == 2 and "holds results of another model" in other.stderr, other.stderr
    assert other.stderr.count("\n") <= 2 and "Traceback" not in other.stderr


def test_grayscale_images_carry_a_warning_in_the_row_and_on_stderr(tiny_model: Path, tmp_path: Path) -> None:
    colour, gray = tmp_path / "colour.png", tmp_path / "gray.png"
    Image.fromarray(_photo()).save(colour)
    Image.fromarray(_photo()).convert("L").save(gray)
    done = _cli("--model", str(tiny_model), str(colour), str(gray), "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]
    assert rows[0]["warnings"] == [] and "grayscale" in rows[1]["warnings"][0]
    assert f"warning: {gray}: the image is grayscale" in done.stderr and str(colour) not in done.stderr
