"""``hierattn-export --target cortex-a76`` on the bundled demo model, judged on the emulated A76's kernels.

One candidate (fp16, the file that changes most between cores) and two validation images keep the
emulation to a few guest inferences: the choice among several candidates is the unit test's
(tests/unit/test_export_targets.py); here the real converter, the real aarch64 LiteRT and the
sealing of the chosen file are checked end to end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata
from hierattn.runtime.defaults import sample_images_dir
from hierattn.runtime.spec import ModelSpec, sidecar_path

pytestmark = pytest.mark.skipif(shutil.which("qemu-aarch64") is None,
                                reason="qemu-user not installed (scripts/bootstrap.sh)")


@pytest.fixture(scope="module")
def two_images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two bundled validation images of two classes (one a referral class)."""
    source = sample_images_dir("validation")
    folder = tmp_path_factory.mktemp("two_images")
    for cls in ("MEL", "NV"):
        first = sorted((source / cls).iterdir())[0]
        (folder / cls).mkdir()
        shutil.copyfile(first, folder / cls / first.name)
    return folder


def test_target_a76_selects_a_sealed_fp16_file_with_its_on_core_record(two_images: Path, tmp_path: Path) -> None:
    out = tmp_path / "a76"
    command = [sys.executable, "-m", "hierattn.export.cli", "--target", "cortex-a76", "-p", "fp16",
               "--validation-dir", str(two_images), "--output", str(out), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    (artifact,) = report["artifacts"]
    assert artifact["selected"] is True and report["target"]["selected"] == artifact["path"]
    on_target = artifact["on_target"]
    assert on_target["passed"] is True and on_target["validation"]["images"] == 2
    assert "images on the emulated kernels" in done.stderr  # progress of the emulated validation

    path = Path(artifact["path"])
    assert read_tflite_metadata(path.read_bytes(), "reduced_precision_support") == b"fp16accfp16"
    from hierattn.runtime import Classifier

    classifier = Classifier.load(path)  # the re-sealed file still passes its integrity check
    record = classifier.spec.extra["target"]
    assert record["name"] == "cortex-a76" and record["unit"] == "M insns"
    assert record["cost"] == pytest.approx(on_target["cost"]) and 20 < record["cost"] < 224  # fp32: 224 M
    assert record["fidelity"]["images"] == 2 and record["fidelity"]["passed"] is True
    assert record["kernels"]["litert"]
    assert ModelSpec.from_json(sidecar_path(path).read_text()).extra["target"] == record
