"""The Android demo's plain-Kotlin core, built with Debian's kotlinc and run on the JVM.

Runs the same one-command script as `make android-core-test`: it compiles the core and its JUnit
tests and checks every golden vector in tests/golden. Then `hierattn-parity` compares the core
with the Python runtime on images the golden set does not contain.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "android_core_test.sh"
GOLDEN = REPO / "tests" / "golden"
PARITY = [sys.executable, "-m", "hierattn.runtime.parity.cli"]


@pytest.fixture(scope="session")
def junit_run() -> subprocess.CompletedProcess[str]:
    for tool in ("kotlinc", "java"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not installed: apt-get install -y kotlin junit4")
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_kotlin_core_passes_every_golden_vector(junit_run: subprocess.CompletedProcess[str]) -> None:
    assert junit_run.returncode == 0, junit_run.stdout[-4000:] + junit_run.stderr[-2000:]
    for name in ("vectors.json", "vectors_v2.json"):  # each file's loader prints how many cases it read
        expected = len(json.loads((GOLDEN / name).read_text())["cases"])
        match = re.search(rf"^{re.escape(name)}: (\d+) cases", junit_run.stdout, re.M)
        assert match is not None, junit_run.stdout
        assert int(match.group(1)) == expected > 0
    assert re.search(r"^OK \((\d+) tests\)", junit_run.stdout, re.M), junit_run.stdout


def _vignette_photo(width: int, height: int, seed: int) -> np.ndarray:
    """A dermoscopy-like image: textured skin inside an off-centre disc, dark vignette outside."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    skin = np.stack([180 + 40 * np.sin(xx / 17.0), 120 + 30 * np.cos(yy / 11.0), 100 + 20 * np.sin((xx + yy) / 23.0)], -1)
    skin += rng.normal(0, 12, skin.shape)
    cx, cy, r = width * 0.45, height * 0.55, min(width, height) * 0.42
    outside = (xx - cx) ** 2 + (yy - cy) ** 2 > r * r
    skin[outside] = rng.integers(0, 35, (int(outside.sum()), 3))
    return np.clip(skin, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def fresh_photos(tmp_path_factory: pytest.TempPathFactory, junit_run: subprocess.CompletedProcess[str]) -> Path:
    """Images the golden set does not contain, in PNG and JPEG, in a nested folder."""
    folder = tmp_path_factory.mktemp("photos")
    (folder / "nested").mkdir()
    for i, (w, h) in enumerate([(640, 480), (333, 517), (1024, 768), (300, 260)]):
        image = Image.fromarray(_vignette_photo(w, h, seed=i))
        image.save(folder / f"photo_{i}.png")
        image.save(folder / "nested" / f"photo_{i}.jpg", quality=90)
    return folder


@pytest.mark.slow
def test_parity_agrees_on_fresh_photos(fresh_photos: Path) -> None:
    done = subprocess.run([*PARITY, str(fresh_photos), "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] is True
    assert doc["summary"] == {"images": 8, "agreed": 8}
    cropped = [r for r in doc["images"] if r["crop_box_python"] is not None]
    assert cropped, "the vignette photos should be cropped"
    for r in doc["images"]:
        assert r["crop_box_kotlin"] == r["crop_box_python"]
        assert r["max_abs_diff_levels"] <= 1
        if r["path"].endswith(".jpg"):
            assert r["decoder_max_diff_levels"] is not None


@pytest.mark.slow
def test_jvm_cli_prints_one_json_document(fresh_photos: Path, tmp_path: Path) -> None:
    jar = REPO / "android_demo" / "core" / "build" / "hierattn-core.jar"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(json.loads((GOLDEN / "vectors.json").read_text())["spec"]))
    image = fresh_photos / "photo_0.png"
    done = subprocess.run(
        ["java", "-jar", str(jar), "--spec", str(spec), "--dump-dir", str(tmp_path / "dump"), str(image)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["images"]
    assert (result["width"], result["height"]) == (640, 480)
    height, width = json.loads(spec.read_text())["input_size"]
    assert result["tensor_shape"] == [1, 3, height, width]
    assert Image.open(result["resized_png"]).size == (width, height)


@pytest.mark.slow
def test_jvm_cli_rejects_missing_spec(junit_run: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    jar = REPO / "android_demo" / "core" / "build" / "hierattn-core.jar"
    done = subprocess.run(["java", "-jar", str(jar), "--spec", str(tmp_path / "nope.json"), "x.png"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stdout == ""
