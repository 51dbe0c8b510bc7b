"""A digest of what a TFLite file computes, independent of how the converter numbered and ordered it.

TensorFlow's int8 converter writes the same graph differently from run to run: independent operators
(two DEQUANTIZEs feeding one BATCH_MATMUL, say) swap places and the tensors are numbered accordingly,
while the weights, quantization parameters and the computation stay identical. Two exports of one
checkpoint then differ in a few hundred bytes and in their sha256, and anything keyed by a file's
bytes (the on-target measurement cache) would re-measure an identical model.

``canonical_digest`` names every tensor by what it holds or how it is computed instead of by its
index or its converter-given name (which moves with the order too): a constant by its content and
properties, a graph input by its position, an operator output by the operator (code, options), the
names of its inputs and its output position. The graph's input and output tensors keep their names. The digest covers
the set of operators so named, the graph's inputs and outputs, the signatures and the metadata, with
the embedded integrity record (a hash of the file's own bytes) left out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .schema import tflite_schema

INTEGRITY_KEY = "integrity"
INDEX_FIELDS = {"inputs", "outputs", "intermediates", "opcodeIndex", "buffer"}  # references by position
ABSENT = "-"  # an optional operator input left out (index -1)


def canonical_digest(path: Path) -> str:
    """sha256 (hex) of the canonical form of the TFLite file at ``path``."""
    data = path.read_bytes()
    model = tflite_schema().ModelT.InitFromPackedBuf(data, 0)
    contents = [_hash(_buffer_bytes(buffer, data)) for buffer in model.buffers or []]
    subgraphs = model.subgraphs or []
    canonical = {
        "version": model.version,
        "description": _plain(model.description),
        "subgraphs": [_subgraph(index, subgraph, model, contents) for index, subgraph in enumerate(subgraphs)],
        "metadata": sorted(
            (_plain(m.name), _metadata_content(model.buffers[m.buffer], data)) for m in model.metadata or []
        ),
    }
    return _hash(json.dumps(canonical, sort_keys=True).encode())


def _subgraph(index: int, subgraph: Any, model: Any, contents: list[str]) -> dict[str, Any]:
    tensors = subgraph.tensors or []
    names: dict[int, str] = {}
    for position, tensor_index in enumerate(_indices(subgraph.inputs)):
        names[tensor_index] = _hash(_json(["input", position, _properties(tensors[tensor_index])]))

    def name_of(tensor_index: int) -> str:
        if tensor_index < 0:
            return ABSENT
        if tensor_index not in names:  # not computed by an operator: a constant (or an unset tensor)
            tensor = tensors[tensor_index]
            content = contents[tensor.buffer] if 0 < tensor.buffer < len(contents) else None
            names[tensor_index] = _hash(_json(["constant", _properties(tensor), content]))
        return names[tensor_index]

    operators = []
    for op in subgraph.operators or []:  # execution order: every input is named before it is read
        described = _operator(op, model)
        inputs = [name_of(i) for i in _indices(op.inputs)]
        intermediates = [name_of(i) for i in _indices(op.intermediates)]
        for position, tensor_index in enumerate(_indices(op.outputs)):
            names[tensor_index] = _hash(
                _json(["output", described, inputs, position, _properties(tensors[tensor_index])])
            )
        operators.append(_json([described, inputs, intermediates, [names[i] for i in _indices(op.outputs)]]))
    return {
        "name": _plain(subgraph.name),
        "inputs": [[name_of(i), _plain(tensors[i].name)] for i in _indices(subgraph.inputs)],
        "outputs": [[name_of(i), _plain(tensors[i].name)] for i in _indices(subgraph.outputs)],
        "operators": sorted(operators),  # independent operators may come in either order
        "signatures": sorted(
            _json([_plain(s.signatureKey), _maps(s.inputs, name_of), _maps(s.outputs, name_of)])
            for s in model.signatureDefs or []
            if s.subgraphIndex == index
        ),
    }


def _operator(op: Any, model: Any) -> dict[str, Any]:
    """An operator's code and options, without its tensor references."""
    fields = {k: _plain(v) for k, v in vars(op).items() if k not in INDEX_FIELDS}
    fields["code"] = _plain(model.operatorCodes[op.opcodeIndex])
    return fields


def _properties(tensor: Any) -> dict[str, Any]:
    """What a tensor is, without its name: the converter names intermediate tensors in no fixed order."""
    return {k: v for k, v in _plain(tensor).items() if k != "name"}


def _maps(items: list[Any] | None, name_of: Any) -> list[tuple[Any, str]]:
    return sorted((_plain(t.name), name_of(int(t.tensorIndex))) for t in items or [])


def _indices(values: Iterable[int] | np.ndarray | None) -> list[int]:
    """Tensor indices as ints (the schema gives numpy arrays, lists or None)."""
    return [] if values is None else [int(v) for v in values]


def _buffer_bytes(buffer: Any, data: bytes) -> bytes:
    if buffer.data is not None:
        return np.asarray(buffer.data, dtype=np.uint8).tobytes()
    if buffer.offset > 1:  # stored after the flatbuffer (files over 2 GB)
        return data[buffer.offset : buffer.offset + buffer.size]
    return b""


def _metadata_content(buffer: Any, data: bytes) -> str:
    """A metadata entry's hash; a JSON object's without its integrity record (a hash of the file's own bytes)."""
    raw = _buffer_bytes(buffer, data)
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return _hash(raw)
    if isinstance(document, dict) and isinstance(document.get("extra"), dict):
        document["extra"].pop(INTEGRITY_KEY, None)
    return _hash(_json(document).encode())


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a schema object's field: arrays and bytes as lists and text, objects as dicts."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return {k: _plain(v) for k, v in sorted(vars(value).items()) if k != "buffer"}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _hash(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
