"""Embed metadata in a TFLite file: the ModelSpec JSON as entry ``hierattn_spec``, the standard
``TFLITE_METADATA`` derived from it, and the packed ``labels.txt``.

The TFLite schema has a ``Model.metadata`` list of ``{name, buffer}`` entries that every runtime keeps
and ignores unless it knows the name. ``hierattn_spec`` holds the UTF-8 JSON of ``ModelSpec.to_dict()``
and stays the source of truth (crop, referral rule, provenance); ``TFLITE_METADATA``
(``model_metadata``) says what the standard schema can say, for MediaPipe Tasks and ML Model Binding.
Associated files are packed as tflite-support's ``MetadataPopulator`` packs them: a zip archive after
the flatbuffer (so the .tflite is also a zip), kept when other entries are rewritten. Why not that
populator: ``tflite-support`` 0.4.4 fails to import beside numpy 2 and pins protobuf 3.20 (see
``model_metadata``). Readers:
``hierattn.runtime.artifact.tflite_metadata.read_tflite_metadata`` and
``hierattn.runtime.artifact.tflite_model_metadata.read_model_metadata`` (docs/export.md, section TFLite).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ...runtime.artifact.tflite_model_metadata import LABELS_FILE, packed_files
from ...runtime.artifact.tflite_model_metadata import METADATA_NAME as STANDARD_METADATA_NAME
from ...runtime.spec import ModelSpec
from .model_metadata import labels_file, model_metadata
from .schema import tflite_schema

METADATA_NAME = "hierattn_spec"
_FILE_IDENTIFIER = b"TFL3"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same export gives the same bytes


def embed_spec(path: Path, spec: ModelSpec) -> None:
    """Rewrite ``path`` with ``spec`` as ``hierattn_spec``, the standard metadata and ``labels.txt`` derived from it."""
    entries = {METADATA_NAME: spec.to_json().encode("utf-8"), STANDARD_METADATA_NAME: model_metadata(spec)}
    embed_entries(path, entries, {LABELS_FILE: labels_file(spec)})


def embed_metadata(path: Path, name: str, value: bytes) -> None:
    """Rewrite ``path`` with metadata entry ``name`` = ``value``, replacing an older entry of that name."""
    embed_entries(path, {name: value})


def embed_entries(path: Path, entries: Mapping[str, bytes], files: Mapping[str, bytes] | None = None) -> None:
    """Rewrite ``path`` with the metadata ``entries`` and packed ``files``, replacing those of the same names.

    Entries and packed files not named are kept.
    """
    import flatbuffers
    schema = tflite_schema()

    data = Path(path).read_bytes()
    packed = {**packed_files(data), **(files or {})}
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    model.buffers = list(model.buffers or [])
    metadata = list(model.metadata or [])
    for name, value in entries.items():
        payload = schema.BufferT()
        payload.data = list(value)
        existing = [m for m in metadata if _name(m) == name]
        if existing:
            model.buffers[existing[0].buffer] = payload
            existing[0].name = name
        else:
            model.buffers.append(payload)
            entry = schema.MetadataT()
            entry.name = name
            entry.buffer = len(model.buffers) - 1
            metadata.append(entry)
    model.metadata = metadata
    builder = flatbuffers.Builder(len(data) + sum(len(v) for v in entries.values()) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=_FILE_IDENTIFIER)
    tmp = Path(path).with_name(Path(path).name + ".meta.tmp")
    tmp.write_bytes(_with_packed_files(bytes(builder.Output()), packed))
    tmp.replace(path)


def _with_packed_files(flatbuffer: bytes, files: Mapping[str, bytes]) -> bytes:
    """``flatbuffer`` followed by an uncompressed zip of ``files`` whose offsets count from the file's start."""
    if not files:
        return flatbuffer
    out = io.BytesIO()
    out.write(flatbuffer)
    with zipfile.ZipFile(out, "w") as archive:  # "w" on a positioned stream writes after the flatbuffer
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED  # MediaPipe reads only stored members
            archive.writestr(info, files[name])
    return out.getvalue()


def _name(entry: object) -> str:
    raw = getattr(entry, "name", None)
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
