"""Artifact integrity on real exports: 100 copies each of a sealed .onnx and .tflite with 1 to 64
random bytes changed anywhere are all refused unless verification is switched off, through the
Python API and the real hierattn-predict; the records are what the exporter wrote after embedding."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime import Classifier, ModelFileError, ModelSpec
from hierattn.runtime.artifact.integrity import Integrity, blanked_digest, digest_field_offset, verify_artifact
from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata
from hierattn.runtime.spec import sidecar_path

pytestmark = pytest.mark.slow
COPIES = 100
PREDICT = [sys.executable, "-m", "hierattn.runtime.cli"]


def _corrupt(source: Path, folder: Path, rng: np.random.Generator, with_sidecar: bool) -> tuple[Path, list[int]]:
    data = bytearray(source.read_bytes())
    count = int(rng.integers(1, 65))
    offsets = sorted(int(i) for i in rng.choice(len(data), size=count, replace=False))
    for at in offsets:
        data[at] = (data[at] + int(rng.integers(1, 256))) % 256  # always a different value
    path = folder / source.name
    path.write_bytes(bytes(data))
    if with_sidecar:
        shutil.copy(sidecar_path(source), sidecar_path(path))
    return path, offsets


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_records_describe_the_final_file(sealed_models: dict[str, Path], fmt: str) -> None:
    path = sealed_models[fmt]
    data = path.read_bytes()
    sidecar = json.loads(sidecar_path(path).read_text())
    assert sidecar["artifact"] == {"algorithm": "sha256", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    classifier = Classifier.load(path)
    assert classifier.integrity is Integrity.VERIFIED
    record = classifier.spec.extra["integrity"]
    assert record["size"] == len(data)
    assert record["embedded_sha256"] == blanked_digest(data, digest_field_offset(data))
    assert classifier.spec == ModelSpec.from_dict(sidecar)  # the sidecar's spec is the embedded one


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_changed_bytes_are_always_refused(sealed_models: dict[str, Path], fmt: str, tmp_path: Path) -> None:
    source = sealed_models[fmt]
    rng = np.random.default_rng(16 if fmt == "onnx" else 61)
    for copy in range(COPIES):
        for with_sidecar in (True, False):  # the embedded digest alone must catch it too
            folder = tmp_path / f"{copy}_{int(with_sidecar)}"
            folder.mkdir()
            path, offsets = _corrupt(source, folder, rng, with_sidecar)
            with pytest.raises(ModelFileError) as caught:
                Classifier.load(path)
            message = str(caught.value)
            assert "\n" not in message and "--no-verify" in message, message
            shutil.rmtree(folder)
            assert offsets  # keeps the offsets in the failure report of the line above


def test_every_changed_byte_of_the_standard_metadata_and_packed_labels_is_refused(
    sealed_models: dict[str, Path], tmp_path: Path
) -> None:
    """The seal covers what MediaPipe reads: the TFLITE_METADATA buffer (every 4th byte, for time) and every
    byte of the zip packed after the flatbuffer."""
    source = sealed_models["tflite_int8"]  # the smallest sealed file: each copy is hashed once
    data = source.read_bytes()
    packed_start = min(info.header_offset for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    buffer = read_tflite_metadata(data, "TFLITE_METADATA")
    assert buffer is not None
    buffer_start = data.find(buffer)
    offsets = [*range(buffer_start, buffer_start + len(buffer), 4), *range(packed_start, len(data))]
    path = tmp_path / source.name  # no sidecar: the embedded digest alone must refuse it
    for offset in offsets:
        changed = bytearray(data)
        changed[offset] ^= 0xFF
        path.write_bytes(bytes(changed))
        with pytest.raises(ModelFileError, match="does not match"):
            verify_artifact(path, sidecar_path(path))
    assert len(offsets) > 100


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_cli_refuses_a_changed_model_and_no_verify_overrides(
    sealed_models: dict[str, Path], stream_archive: Path, fmt: str, tmp_path: Path
) -> None:
    source = sealed_models[fmt]
    image = sorted(stream_archive.rglob("*.png"))[0]
    data = bytearray(source.read_bytes())
    offset = digest_field_offset(bytes(data))
    data[offset] = ord("f") if data[offset] != ord("f") else ord("e")  # a digit of the digest: the model still runs
    path = tmp_path / source.name
    path.write_bytes(bytes(data))
    shutil.copy(sidecar_path(source), sidecar_path(path))
    refused = subprocess.run([*PREDICT, str(image), "--model", str(path), "--json"], capture_output=True, text=True)
    assert refused.returncode == 1 and refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "does not match" in lines[0], refused.stderr
    expected = json.loads(sidecar_path(source).read_text())["artifact"]["sha256"]
    assert expected in lines[0] and hashlib.sha256(bytes(data)).hexdigest() in lines[0]
    accepted = subprocess.run([*PREDICT, str(image), "--model", str(path), "--json", "--no-verify"],
                              capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["results"][0]["label"]


def test_sidecar_contradicting_the_model_is_refused(sealed_models: dict[str, Path], tmp_path: Path) -> None:
    """The embedded spec wins for Python, but the Kotlin app reads the sidecar: it must fit the model too."""
    source = sealed_models["tflite"]
    good = json.loads(sidecar_path(source).read_text())
    changes = {
        "input size": ({"input_size": [224, 224]}, "takes 256x256 images"),
        "class count": ({"class_names": good["class_names"][:6]}, "outputs 8 classes"),
        "layout": ({"layout": "NCHW"}, "layout NCHW"),
    }
    for name, (change, expected) in changes.items():
        path = tmp_path / name.replace(" ", "_") / source.name
        path.parent.mkdir()
        shutil.copy(source, path)
        bad = dict(good, **change)
        del bad["artifact"]  # so the digest check passes on to the spec check
        sidecar_path(path).write_text(json.dumps(bad))
        with pytest.raises(ModelFileError, match=expected):
            Classifier.load(path)
