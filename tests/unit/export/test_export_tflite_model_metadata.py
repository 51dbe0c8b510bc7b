"""The standard TFLite Model Metadata the exporter writes, read back with the runtime's reader, on a tiny
real TFLite model (no conversion): fields, normalization, packed labels, re-embedding and refusals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from test_export_tflite_parts import _tiny_model

from hierattn.export.tflite.metadata import METADATA_NAME, embed_metadata, embed_spec
from hierattn.export.tflite.model_metadata import AUTHOR, MIN_PARSER_VERSION
from hierattn.runtime.artifact.tflite_metadata import read_tflite_metadata
from hierattn.runtime.artifact.tflite_model_metadata import LABELS_FILE, packed_files, read_model_metadata
from hierattn.runtime.errors import ModelFileError
from hierattn.runtime.spec import ModelSpec

SPEC = ModelSpec(
    class_names=("alpha", "beta", "gamma", "delta"),
    input_size=(224, 192),
    layout="NHWC",
    precision="int8",
    arch="hierattn_s",
    extra={"checkpoint_sha256": "ab" * 32, "exporters": {"hierattn": "9.9.9"}},
)


def test_metadata_round_trips_with_labels_and_normalization(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    embed_spec(path, SPEC)
    data = path.read_bytes()
    metadata = read_model_metadata(data)
    assert metadata is not None
    assert metadata.name == "hierattn_s skin-lesion classifier (int8)"
    assert metadata.version == "int8, checkpoint sha256 abababababab, hierattn 9.9.9"
    assert metadata.author == AUTHOR and metadata.min_parser_version == MIN_PARSER_VERSION == "1.0.0"
    assert "192x224" in metadata.description and "logits" in metadata.description
    (image,) = metadata.inputs
    assert image.color_space == "RGB" and image.labels_file is None
    levels = np.arange(256, dtype=np.float32)
    for mean, std in zip(image.mean, image.std, strict=True):  # (v - mean) / std is the spec's scaling
        np.testing.assert_allclose((levels - mean) / std, levels * np.float32(SPEC.scale), rtol=1e-6)
    assert len(image.mean) == 3
    (logits,) = metadata.outputs
    assert logits.name == "logits" and logits.labels_file == LABELS_FILE and logits.mean == ()
    assert metadata.labels == SPEC.class_names
    assert packed_files(data) == {LABELS_FILE: b"alpha\nbeta\ngamma\ndelta\n"}
    payload = read_tflite_metadata(data, METADATA_NAME)
    assert payload is not None and ModelSpec.from_json(payload.decode()) == SPEC  # still the source of truth


def test_labels_are_packed_the_way_mediapipe_reads_them(tmp_path: Path) -> None:
    """A zip appended after the flatbuffer, stored uncompressed, offsets counted from the file's start."""
    path = _tiny_model(tmp_path / "add.tflite")
    bare = path.stat().st_size
    embed_spec(path, SPEC)
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
    assert info.filename == LABELS_FILE and info.compress_type == zipfile.ZIP_STORED
    assert info.header_offset > bare  # after the flatbuffer, which grew by the metadata
    data = path.read_bytes()
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"


def test_packed_file_does_not_disturb_the_model(tmp_path: Path) -> None:
    from ai_edge_litert.interpreter import Interpreter

    path = _tiny_model(tmp_path / "add.tflite")
    embed_spec(path, SPEC)
    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    interpreter.set_tensor(inp["index"], np.array([[1, 2, 3, 4]], np.float32))
    interpreter.invoke()
    np.testing.assert_array_equal(interpreter.get_tensor(out["index"]), [[2, 4, 6, 8]])  # y = x + x


def test_re_embedding_replaces_and_other_entries_keep_the_labels(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    embed_spec(path, SPEC)
    first = path.read_bytes()
    embed_spec(path, SPEC)
    assert path.read_bytes() == first  # deterministic, and nothing duplicated
    renamed = SPEC.with_updates(class_names=("one", "two", "three", "four"))
    embed_spec(path, renamed)
    embed_metadata(path, "other_entry", b"kept")
    data = path.read_bytes()
    metadata = read_model_metadata(data)
    assert metadata is not None and metadata.labels == renamed.class_names
    assert list(packed_files(data)) == [LABELS_FILE]
    assert read_tflite_metadata(data, "other_entry") == b"kept"


def test_reader_without_metadata_and_with_a_foreign_entry(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    assert read_model_metadata(path.read_bytes()) is None
    assert packed_files(path.read_bytes()) == {}
    embed_metadata(path, "TFLITE_METADATA", b"\x08\x00\x00\x00XXXX\x00\x00\x00\x00")
    with pytest.raises(ModelFileError, match="not a ModelMetadata flatbuffer"):
        read_model_metadata(path.read_bytes())


def test_labels_named_but_not_packed_is_refused(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "add.tflite")
    embed_spec(path, SPEC)
    data = path.read_bytes()
    start = min(info.header_offset for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(ModelFileError, match=r"names labels\.txt but the model packs no files"):
        read_model_metadata(data[:start])
