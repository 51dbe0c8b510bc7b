"""Artifact integrity: is this model file byte for byte the one that was exported and validated?

Two records, both written by the exporter after the metadata is embedded (docs/runtime_under_load.md):

- the sidecar ``<artifact>.json`` carries ``"artifact": {"sha256", "size"}`` of the final file's bytes;
- the embedded spec carries ``extra.integrity = {"algorithm", "embedded_sha256", "size"}``, where
  ``embedded_sha256`` is the sha256 of the final file with those 64 hex digits replaced by ``"0" * 64``.
  A file cannot contain its own digest, but it can contain the digest of itself with the digest field
  blanked (the way IP and PNG checksums exclude themselves); patching the digest in place keeps every
  byte offset, so the recorded size is the final size.

The embedded record makes a lone file self-checking (no sidecar copied along); the sidecar record is
the plain ``sha256sum`` of the file. ``verify_artifact`` checks whichever exist and raises on the first
mismatch with a one-line message naming both digests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import ModelFileError

ALGORITHM = "sha256"
DIGEST_FIELD = "embedded_sha256"
PLACEHOLDER = "0" * 64
# ModelSpec.to_json writes with indent=2 and sorted keys, so the field always appears exactly like this.
MARKER = f'"{DIGEST_FIELD}": "'.encode()
NO_VERIFY_HINT = "re-export the model, or pass --no-verify (verify=False) if you changed the file on purpose"


class Integrity(str, Enum):
    """What ``verify_artifact`` could establish about a file."""

    VERIFIED = "verified"
    UNSEALED = "unsealed"  # exported before hierattn recorded digests (or a format without a single file)
    SKIPPED = "skipped"  # the caller asked not to verify


@dataclass(frozen=True)
class Digest:
    """sha256 (hex) and size in bytes of some bytes."""

    sha256: str
    size: int

    @classmethod
    def of(cls, data: bytes) -> Digest:
        return cls(hashlib.sha256(data).hexdigest(), len(data))

    def to_dict(self) -> dict[str, Any]:
        return {"algorithm": ALGORITHM, "sha256": self.sha256, "size": self.size}


def integrity_record(size: int, digest: str = PLACEHOLDER) -> dict[str, Any]:
    """The ``extra.integrity`` entry of an embedded spec."""
    return {"algorithm": ALGORITHM, DIGEST_FIELD: digest, "size": size}


def digest_field_offset(data: bytes) -> int | None:
    """Offset of the 64 hex digits of the embedded digest, None if absent; raise if it is ambiguous."""
    first = data.find(MARKER)
    if first < 0:
        return None
    if data.find(MARKER, first + 1) >= 0:
        raise ModelFileError(f"The model holds more than one '{DIGEST_FIELD}' record; {NO_VERIFY_HINT}.")
    return first + len(MARKER)


def blanked_digest(data: bytes, offset: int) -> str:
    """sha256 of ``data`` with the 64 characters at ``offset`` replaced by the placeholder."""
    hasher = hashlib.sha256(memoryview(data)[:offset])
    hasher.update(PLACEHOLDER.encode())
    hasher.update(memoryview(data)[offset + len(PLACEHOLDER) :])
    return hasher.hexdigest()


def sidecar_record(sidecar: Path) -> Digest | None:
    """The ``artifact`` digest a sidecar records, None for a sidecar written before digests existed."""
    if not sidecar.is_file():
        return None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        record = data.get("artifact") if isinstance(data, dict) else None
        if record is None:
            return None
        return Digest(str(record["sha256"]), int(record["size"]))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"Cannot read the integrity record in {sidecar} ({exc}); {NO_VERIFY_HINT}.") from exc


def verify_artifact(path: Path, sidecar: Path) -> Integrity:
    """Check ``path`` against its sidecar digest and its embedded digest; raise ModelFileError on a mismatch."""
    if path.is_dir():  # .mlpackage: a directory tree, no single byte string to seal (documented)
        return Integrity.UNSEALED
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path} ({exc}).") from exc
    checked = False
    recorded = sidecar_record(sidecar)
    if recorded is not None:
        actual = Digest.of(data)
        if actual != recorded:
            raise ModelFileError(
                f"{path}: sha256 {actual.sha256} ({actual.size} bytes) does not match {recorded.sha256} "
                f"({recorded.size} bytes) recorded in {sidecar.name}; the file changed after export: {NO_VERIFY_HINT}."
            )
        checked = True
    offset = digest_field_offset(data)
    if offset is not None:
        stored = data[offset : offset + len(PLACEHOLDER)].decode("ascii", "replace")
        actual_blanked = blanked_digest(data, offset)
        if stored != actual_blanked:
            raise ModelFileError(
                f"{path}: sha256 {actual_blanked} (with the digest field blanked) does not match {stored} "
                f"embedded in the model; the file changed after export: {NO_VERIFY_HINT}."
            )
        checked = True
    return Integrity.VERIFIED if checked else Integrity.UNSEALED


def model_sha256(path: Path) -> str:
    """sha256 of a model file (the plain ``sha256sum``), or of a package directory's files in sorted
    order (relative path, then bytes): the model a results file records (docs/runtime_under_load.md)."""
    hasher = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    try:
        for file in files:
            if path.is_dir():
                hasher.update(file.relative_to(path).as_posix().encode() + b"\0")
            with open(file, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(block)
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path} ({exc}).") from exc
    return hasher.hexdigest()
