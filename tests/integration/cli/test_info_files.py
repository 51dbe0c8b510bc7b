"""hierattn-info on files that are not checkpoints: exported models get their spec, others a one-line hint."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

from hierattn.runtime.defaults import sample_images_dir
from hierattn.runtime.spec import sidecar_path


def _info(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hierattn.models.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_exported_models_and_sidecars_get_their_spec_summary(sealed_models: dict[str, Path]) -> None:
    for kind, path in (("onnx", sealed_models["onnx"]), ("tflite", sealed_models["tflite"]),
                       ("sidecar", sidecar_path(sealed_models["tflite"]))):
        done = _info(str(path), "--json")
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["kind"] == kind and summary["num_classes"] == 8 and summary["class_names"][0] == "ACK"
        assert "arbitrary code" not in done.stderr
        table = _info(str(path))
        assert (table.returncode == 0 and "exported" in table.stdout + table.stderr) or "sidecar" in table.stdout
    assert "hierattn-predict --model" in json.loads(_info(str(sealed_models["onnx"]), "--json").stdout)["run"]


def test_images_and_other_files_are_named_and_pickles_with_code_still_refused(tmp_path: Path) -> None:
    image = next(sample_images_dir("validation").rglob("*.jpg"))
    other_json = tmp_path / "notes.json"
    other_json.write_text('{"hello": 1}')
    for path, expected in ((image, "is a JPEG image"), (other_json, "is a JSON file")):
        done = _info(str(path))
        assert done.returncode == 2 and expected in done.stderr, done.stderr
        assert "arbitrary code" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(print))  # imports builtins.print when unpickled
    refused = _info(str(evil))
    assert refused.returncode == 1 and "arbitrary code" in refused.stderr and "builtins.print" in refused.stderr
