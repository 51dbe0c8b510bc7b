"""The web demo end to end in real headless Chromium (Debian's chromium, driven by playwright-core).

A photo is uploaded with the page's file picker and what the page shows (top-1, crop box, referral,
notices) is checked against ``hierattn-predict`` on the same file; a screenshot is taken (set
HIERATTN_WEB_SCREENSHOT=docs/img/web_demo.png to refresh the committed one). Then
``hierattn-parity --runtime web`` runs the JS core and the model in the browser on the golden
images, fresh PNG/JPEG photos and an EXIF-rotated JPEG.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hierattn.runtime.defaults import DEFAULT_ONNX, SAMPLES
from hierattn.runtime.web.browser import run_job
from hierattn.runtime.web.server import model_url, serving

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
PHOTO = SAMPLES / "validation" / "BCC" / "dermoscopy_00000.jpg"
EXIF_ORIENTATION = 0x0112


def _cli(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name(name)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600)


def test_server_sends_isolation_headers_and_wasm_types() -> None:
    url = model_url(DEFAULT_ONNX)
    with serving(DEFAULT_ONNX) as base:
        for path, kind in [("", "text/html"), ("vendor/ort/ort-wasm-simd-threaded.wasm", "application/wasm"),
                           ("app.js", "text/javascript"), (f"{url}.json", "application/json")]:
            with urllib.request.urlopen(base + path) as response:
                assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
                assert response.headers["Cross-Origin-Embedder-Policy"] == "require-corp"
                assert response.headers["Content-Type"].startswith(kind), path
        with urllib.request.urlopen(base + url) as response:
            assert response.read() == DEFAULT_ONNX.read_bytes()


def test_page_shows_what_hierattn_predict_says(tmp_path: Path) -> None:
    shot = tmp_path / "web_demo.png"
    shown = run_job(DEFAULT_ONNX, {"job": "page", "image": str(PHOTO), "screenshot": str(shot)})
    done = _cli("hierattn-predict", "--json", str(PHOTO))
    assert done.returncode == 0, done.stderr
    (expected,) = json.loads(done.stdout)["results"]

    assert shown["top"][0]["label"] == expected["label"]
    assert shown["crop_box"] == expected["crop_box"]
    assert [t["label"] for t in shown["top"]] == [label for label, _ in expected["top_k"]]
    for t in shown["top"]:
        assert abs(t["probability"] - expected["probabilities"][t["label"]]) <= 1e-3
    assert expected["referral"]["message"] in shown["referral"]
    assert "not a diagnosis" in shown["disclaimer"] and "Research use only" in shown["notice"]
    assert "inference" in shown["timing"]
    assert shown["threads"]["crossOriginIsolated"] is True
    assert shown["threads"]["effective"] == shown["threads"]["requested"]

    with Image.open(shot) as image:
        assert image.format == "PNG" and image.width >= 800 and image.height >= 600
    target = os.environ.get("HIERATTN_WEB_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)


def test_page_without_isolation_headers_falls_back_to_one_thread() -> None:
    shown = run_job(DEFAULT_ONNX, {"job": "page", "image": str(PHOTO)}, query="threads=2", isolated=False)
    assert shown["threads"]["crossOriginIsolated"] is False
    assert shown["threads"]["effective"] == 1 and shown["threads"]["workers"] == 0
    assert "single thread" in shown["model_status"]
    done = _cli("hierattn-predict", "--json", str(PHOTO))
    (expected,) = json.loads(done.stdout)["results"]
    assert shown["top"][0]["label"] == expected["label"] and shown["crop_box"] == expected["crop_box"]


def _photo(width: int, height: int, seed: int) -> np.ndarray:
    """Mottled skin in a disc off the centre, noisy dark corners: a vignette the crop must find."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    base = np.array([196.0, 140.0, 118.0]) + rng.normal(0, 9, (height, width, 3))
    lesion = np.hypot(xx - 0.55 * width, yy - 0.5 * height) < 0.12 * min(width, height)
    base[lesion] *= 0.45
    outside = np.hypot(xx - 0.52 * width, yy - 0.47 * height) > 0.44 * min(width, height)
    base[outside] = rng.integers(0, 40, (int(outside.sum()), 3))
    return np.clip(base, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def parity_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 16 golden images, fresh PNG and JPEG photos, and a JPEG stored sideways with EXIF orientation 6."""
    folder = tmp_path_factory.mktemp("web_parity")
    shutil.copytree(GOLDEN / "images", folder / "golden")
    (folder / "fresh").mkdir()
    for i, (w, h) in enumerate([(640, 480), (517, 333)]):
        image = Image.fromarray(_photo(w, h, seed=10 + i))
        image.save(folder / "fresh" / f"photo_{i}.png")
        image.save(folder / "fresh" / f"photo_{i}.jpg", quality=90)
    upright = Image.fromarray(_photo(600, 420, seed=20))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # stored rotated 90 degrees counter-clockwise; a viewer turns it back
    upright.transpose(Image.Transpose.ROTATE_90).save(folder / "fresh" / "exif_rotated.jpg", quality=92, exif=exif)
    return folder


def test_parity_web_agrees_with_python(parity_folder: Path) -> None:
    done = _cli("hierattn-parity", "--runtime", "web", str(parity_folder), "--json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    doc = json.loads(done.stdout)
    images = len(list(parity_folder.rglob("*.png"))) + len(list(parity_folder.rglob("*.jpg")))
    assert doc["ok"] is True and doc["summary"] == {"images": images, "agreed": images}
    assert doc["threads"]["crossOriginIsolated"] is True
    for r in doc["images"]:
        for path in (r["browser_decode"], r["core_only"]):
            assert path["crop_box"] == r["crop_box_python"], r["path"]
            assert path["label"] == r["label_python"] and path["max_prob_diff"] <= 1e-3
            assert path["max_diff_levels"] <= 1
    by_name = {Path(r["path"]).name: r for r in doc["images"]}
    assert sum(r["crop_box_python"] is not None for r in doc["images"]) >= 10, "most of these images should be cropped"
    rotated = by_name["exif_rotated.jpg"]["crop_box_python"]
    with Image.open(parity_folder / "fresh" / "exif_rotated.jpg") as stored:
        assert stored.width < stored.height
        assert rotated is not None and rotated[2] > stored.width, "EXIF orientation was not applied: box fits the stored width"


def test_parity_web_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"not a png")
    done = _cli("hierattn-parity", "--runtime", "web", str(tmp_path), "--spec", str(GOLDEN / "vectors.json"))
    assert done.returncode == 2 and done.stderr.strip().startswith("error: ") and "--model" in done.stderr
    done = _cli("hierattn-parity", "--runtime", "web", str(tmp_path), "--model", str(tmp_path / "missing.onnx"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no such file" in done.stderr
    done = _cli("hierattn-serve", "--model", str(GOLDEN / "vectors.json"))
    assert done.returncode == 1 and ".tflite" in done.stderr and "Traceback" not in done.stderr
