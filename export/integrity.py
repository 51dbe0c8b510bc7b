"""Seal an exported artifact: embed the spec with its integrity record, then write the sidecar.

The order matters: every byte the runtime will hash (including the embedded metadata) exists before
the digests are computed. See ``hierattn.runtime.artifact.integrity`` for the scheme and why it is sound.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..runtime.artifact.integrity import PLACEHOLDER, Digest, blanked_digest, digest_field_offset, integrity_record
from ..runtime.errors import HierAttnError
from ..runtime.spec import ModelSpec, sidecar_path

Embed = Callable[[Path, ModelSpec], None]
_MAX_EMBED_PASSES = 4


def seal_artifact(path: Path, spec: ModelSpec, embed: Embed) -> ModelSpec:
    """Embed ``spec`` (plus its integrity record) in ``path``, patch in the digest, write the sidecar.

    Returns the spec exactly as the runtime will read it back from the file.
    """
    if path.is_dir():  # Core ML packages are directories: embedded spec and plain sidecar only
        embed(path, spec)
        write_sidecar(path, spec, None)
        return spec
    size = 0
    for _ in range(_MAX_EMBED_PASSES):  # the recorded size is part of the metadata it measures
        sealed = _with_integrity(spec, size)
        embed(path, sealed)
        data = path.read_bytes()
        if len(data) == size:
            break
        size = len(data)
    else:
        raise HierAttnError(f"{path.name}: the artifact size did not settle while embedding metadata.")
    offset = digest_field_offset(data)
    if offset is None:  # a format that embeds nothing: the sidecar alone carries the digest
        write_sidecar(path, spec, Digest.of(data))
        return spec
    if data[offset : offset + len(PLACEHOLDER)] != PLACEHOLDER.encode():
        raise HierAttnError(f"{path.name}: the embedded integrity record is not the placeholder just written.")
    digest = blanked_digest(data, offset)
    patched = data[:offset] + digest.encode() + data[offset + len(PLACEHOLDER) :]
    tmp = path.with_name(path.name + ".seal.tmp")
    tmp.write_bytes(patched)
    tmp.replace(path)
    sealed = _with_integrity(spec, size, digest)
    write_sidecar(path, sealed, Digest.of(patched))
    return sealed


def write_sidecar(path: Path, spec: ModelSpec, digest: Digest | None) -> Path:
    """``<artifact>.json``: the spec, plus the sha256 and size of the artifact's final bytes."""
    data = spec.to_dict()
    if digest is not None:
        data["artifact"] = digest.to_dict()
    sidecar = sidecar_path(path)
    sidecar.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return sidecar


def _with_integrity(spec: ModelSpec, size: int, digest: str = PLACEHOLDER) -> ModelSpec:
    return spec.with_updates(extra=dict(spec.extra, integrity=integrity_record(size, digest)))
