"""Embed the ModelSpec JSON in a TFLite file as flatbuffer metadata entry ``hierattn_spec``.

Why not the LiteRT/MediaPipe metadata writer: it lives in ``tflite-support`` (0.4.4, 2023), whose
requirements make pip downgrade protobuf to 3.20.3, which breaks TensorFlow and onnx here. The TFLite
schema itself has a ``Model.metadata`` list of ``{name, buffer}`` entries that every runtime keeps
and ignores, so the spec goes there: one buffer holding the UTF-8 JSON of ``ModelSpec.to_dict()``.
Readers: ``hierattn.runtime.tflite_metadata.read_tflite_metadata`` in Python; on Android a few lines
walking the same two tables (docs/export.md, section TFLite).
"""

from __future__ import annotations

from pathlib import Path

from ...runtime.spec import ModelSpec
from .schema import tflite_schema

METADATA_NAME = "hierattn_spec"
_FILE_IDENTIFIER = b"TFL3"


def embed_spec(path: Path, spec: ModelSpec, name: str = METADATA_NAME) -> None:
    """Rewrite ``path`` with ``spec`` as metadata entry ``name``, replacing an older entry of that name."""
    embed_metadata(path, name, spec.to_json().encode("utf-8"))


def embed_metadata(path: Path, name: str, value: bytes) -> None:
    """Rewrite ``path`` with metadata entry ``name`` = ``value``, replacing an older entry of that name."""
    import flatbuffers
    schema = tflite_schema()

    data = Path(path).read_bytes()
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    payload = schema.BufferT()
    payload.data = list(value)
    model.buffers = list(model.buffers or [])
    entries = list(model.metadata or [])
    existing = [m for m in entries if _name(m) == name]
    if existing:
        model.buffers[existing[0].buffer] = payload
        existing[0].name = name
    else:
        model.buffers.append(payload)
        entry = schema.MetadataT()
        entry.name = name
        entry.buffer = len(model.buffers) - 1
        entries.append(entry)
    model.metadata = entries
    builder = flatbuffers.Builder(len(data) + len(payload.data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    tmp = Path(path).with_name(Path(path).name + ".meta.tmp")
    tmp.write_bytes(bytes(builder.Output()))
    tmp.replace(path)


def _name(entry: object) -> str:
    raw = getattr(entry, "name", None)
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
