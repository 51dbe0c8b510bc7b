"""The fixed-size string slot a ``.pte`` program carries for its spec, rewritten in place.

The spec is the return value of the constant method ``hierattn_spec``: a flatbuffer string, stored
as a little-endian uint32 length, the bytes, and a NUL. Lowering and serializing the program again
for every metadata pass would take a minute each, so the exporter reserves ``SLOT_BYTES`` bytes
(the JSON padded with spaces, which every JSON parser ignores) and later passes overwrite that slot
byte for byte: the file keeps its size and offsets, which the integrity seal relies on.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ...runtime.errors import HierAttnError

SLOT_BYTES = 24_576


def padded_slot(text: str) -> str:
    """``text`` padded with spaces to exactly ``SLOT_BYTES`` UTF-8 bytes."""
    data = text.encode("utf-8")
    if len(data) > SLOT_BYTES:
        raise HierAttnError(
            f"The spec JSON is {len(data)} bytes but the .pte spec slot holds {SLOT_BYTES}; "
            "raise SLOT_BYTES in export/executorch/program.py."
        )
    return text + " " * (SLOT_BYTES - len(data))


def slot_offset(data: bytes) -> int:
    """Offset of the slot's first byte; raise unless exactly one slot is found."""
    header = struct.pack("<I", SLOT_BYTES) + b"{"
    first = data.find(header)
    if first < 0 or data.find(header, first + 1) >= 0:
        found = "no" if first < 0 else "more than one"
        raise HierAttnError(f"The .pte holds {found} {SLOT_BYTES}-byte spec slot; re-export it.")
    start = first + 4
    if data[start + SLOT_BYTES : start + SLOT_BYTES + 1] != b"\0":
        raise HierAttnError("The .pte spec slot is not a NUL-terminated flatbuffer string; re-export it.")
    return start


def set_constant_string(path: Path, text: str) -> None:
    """Overwrite the spec slot of the program at ``path`` with ``text`` (padded), keeping the file size."""
    data = path.read_bytes()
    start = slot_offset(data)
    patched = data[:start] + padded_slot(text).encode("utf-8") + data[start + SLOT_BYTES :]
    tmp = path.with_name(path.name + ".slot.tmp")
    tmp.write_bytes(patched)
    tmp.replace(path)
