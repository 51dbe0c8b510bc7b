"""Read named metadata entries from a TFLite flatbuffer without TensorFlow or the flatbuffers package.

LiteRT's Python interpreter has no API for model metadata, so this walks the few tables needed:
``Model.metadata`` (field 6) -> ``Metadata{name, buffer}`` -> ``Model.buffers`` (field 4) ->
``Buffer.data`` (field 0), or ``Buffer.offset/size`` (fields 1, 2) for data stored after the
flatbuffer in files over 2 GB.
"""

from __future__ import annotations

import struct

_MODEL_BUFFERS = 4
_MODEL_METADATA = 6


class _Table:
    """A flatbuffer table at ``pos`` in ``buf`` (little-endian, offsets as in the flatbuffers spec)."""

    def __init__(self, buf: bytes, pos: int) -> None:
        self.buf, self.pos = buf, pos
        self.vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vtable_size = struct.unpack_from("<H", buf, self.vtable)[0]

    def _field(self, index: int) -> int:
        slot = 4 + 2 * index
        if slot >= self.vtable_size:
            return 0
        return struct.unpack_from("<H", self.buf, self.vtable + slot)[0]

    def _indirect(self, index: int) -> int | None:
        off = self._field(index)
        if not off:
            return None
        at = self.pos + off
        return at + struct.unpack_from("<I", self.buf, at)[0]

    def uint(self, index: int, fmt: str = "<I") -> int:
        off = self._field(index)
        return struct.unpack_from(fmt, self.buf, self.pos + off)[0] if off else 0

    def string(self, index: int) -> str | None:
        data = self.bytes_vector(index)
        return None if data is None else data.decode("utf-8", "replace")

    def bytes_vector(self, index: int) -> bytes | None:
        at = self._indirect(index)
        if at is None:
            return None
        length = struct.unpack_from("<I", self.buf, at)[0]
        return bytes(self.buf[at + 4 : at + 4 + length])

    def tables(self, index: int) -> list[_Table]:
        at = self._indirect(index)
        if at is None:
            return []
        length = struct.unpack_from("<I", self.buf, at)[0]
        items = []
        for i in range(length):
            elem = at + 4 + 4 * i
            items.append(_Table(self.buf, elem + struct.unpack_from("<I", self.buf, elem)[0]))
        return items


def read_tflite_metadata(data: bytes, name: str) -> bytes | None:
    """The bytes of the metadata entry ``name`` in a TFLite model, or None if absent or unreadable."""
    try:
        model = _Table(data, struct.unpack_from("<I", data, 0)[0])
        buffers = model.tables(_MODEL_BUFFERS)
        for entry in model.tables(_MODEL_METADATA):
            if entry.string(0) != name:
                continue
            buffer = buffers[entry.uint(1)]
            payload = buffer.bytes_vector(0)
            if payload:
                return payload
            offset, size = buffer.uint(1, "<Q"), buffer.uint(2, "<Q")
            return bytes(data[offset : offset + size]) if size else None
    except (struct.error, IndexError):
        return None
    return None
