"""canonical_digest: one value for one computation, whatever the converter's tensor numbering and op order."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
import pytest

from hierattn.export.tflite.canonical import canonical_digest
from hierattn.export.tflite.schema import tflite_schema

TINY = (
    Path(__file__).resolve().parents[2] / "golden" / "integrity" / "tiny_sealed.tflite"
)  # mul -> mean -> fully connected
SCHEMA = tflite_schema()


def _model() -> Any:
    return SCHEMA.ModelT.InitFromPackedBuf(TINY.read_bytes(), 0)


def _digest(model: Any, tmp_path: Path, name: str) -> tuple[str, str]:
    """(canonical digest, sha256) of ``model`` written as a .tflite file."""
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(bytes(builder.Output()))
    return canonical_digest(path), hashlib.sha256(path.read_bytes()).hexdigest()


def _renumber(model: Any, order: list[int]) -> None:
    """Put tensor ``order[k]`` at index k, and every reference to it with it (what the converter varies)."""
    graph = model.subgraphs[0]
    new_index = {old: new for new, old in enumerate(order)}

    def remap(indices: Any) -> list[int]:
        return [new_index[int(i)] if i >= 0 else -1 for i in indices]

    graph.tensors = [graph.tensors[old] for old in order]
    for op in graph.operators:
        op.inputs, op.outputs = remap(op.inputs), remap(op.outputs)
    graph.inputs, graph.outputs = remap(graph.inputs), remap(graph.outputs)
    for signature in model.signatureDefs or []:
        for item in (signature.inputs or []) + (signature.outputs or []):
            item.tensorIndex = new_index[item.tensorIndex]


def _with_second_mul(model: Any) -> Any:
    """Add an independent op beside the first: a ReLU-fused mul(x, x) into a new graph output."""
    graph = model.subgraphs[0]
    first = graph.operators[0]
    second = copy.deepcopy(first)
    second.builtinOptions.fusedActivationFunction = SCHEMA.ActivationFunctionType.RELU
    tensor = copy.deepcopy(graph.tensors[int(first.outputs[0])])
    tensor.name = b"mul_relu"
    graph.tensors.append(tensor)
    second.outputs = [len(graph.tensors) - 1]
    graph.operators.insert(1, second)
    graph.outputs = [*graph.outputs, len(graph.tensors) - 1]
    return model


def test_renumbered_and_renamed_tensors_and_reordered_opcodes_give_one_digest(tmp_path: Path) -> None:
    original = _model()
    changed = _model()
    _renumber(changed, list(reversed(range(len(changed.subgraphs[0].tensors)))))
    for tensor in changed.subgraphs[0].tensors:
        if tensor.name == b"mul":  # an intermediate: the converter's names follow its numbering
            tensor.name = b"mul_renamed"
    codes = changed.operatorCodes
    changed.operatorCodes = list(reversed(codes))
    for op in changed.subgraphs[0].operators:
        op.opcodeIndex = len(codes) - 1 - op.opcodeIndex
    (a, sha_a), (b, sha_b) = _digest(original, tmp_path, "a"), _digest(changed, tmp_path, "b")
    assert sha_a != sha_b
    assert a == b


def test_independent_operators_in_either_order_give_one_digest(tmp_path: Path) -> None:
    one = _with_second_mul(_model())
    other = _with_second_mul(_model())
    graph = other.subgraphs[0]
    graph.operators[0], graph.operators[1] = graph.operators[1], graph.operators[0]
    (a, sha_a), (b, sha_b) = _digest(one, tmp_path, "a"), _digest(other, tmp_path, "b")
    assert sha_a != sha_b
    assert a == b


def _rewire_mean(model: Any) -> None:
    graph = model.subgraphs[0]
    graph.operators[2].inputs = [len(graph.tensors) - 1, int(graph.operators[2].inputs[1])]  # mean of the ReLU branch


def _weight_byte(model: Any) -> None:
    graph = model.subgraphs[0]
    weights = next(t for t in graph.tensors if t.name == b"MatMul1")
    data = np.array(model.buffers[weights.buffer].data, dtype=np.uint8)
    data[5] ^= 1
    model.buffers[weights.buffer].data = data


def _activation(model: Any) -> None:
    options = model.subgraphs[0].operators[-1].builtinOptions
    options.fusedActivationFunction = SCHEMA.ActivationFunctionType.RELU6


def _quantization(model: Any) -> None:
    tensor = model.subgraphs[0].tensors[-1]
    tensor.quantization = SCHEMA.QuantizationParametersT()
    tensor.quantization.scale, tensor.quantization.zeroPoint = [0.5], [3]


def _spec_field(model: Any) -> None:
    _edit_spec(model, lambda spec: spec.update(referral_threshold=0.123))


def _edit_spec(model: Any, edit: Callable[[dict[str, Any]], None]) -> None:
    entry = next(m for m in model.metadata if m.name == b"hierattn_spec")
    buffer = model.buffers[entry.buffer]
    spec = json.loads(bytes(np.asarray(buffer.data, dtype=np.uint8)))
    edit(spec)
    buffer.data = np.frombuffer(json.dumps(spec, indent=2, sort_keys=True).encode(), dtype=np.uint8)


@pytest.mark.parametrize("change", [_rewire_mean, _weight_byte, _activation, _quantization, _spec_field])
def test_a_change_in_what_the_file_computes_or_declares_changes_the_digest(
    tmp_path: Path, change: Callable[[Any], None]
) -> None:
    base = _with_second_mul(_model())
    changed = _with_second_mul(_model())
    change(changed)
    assert _digest(base, tmp_path, "a")[0] != _digest(changed, tmp_path, "b")[0]


def test_the_embedded_integrity_digest_is_not_part_of_it(tmp_path: Path) -> None:
    changed = _model()
    _edit_spec(changed, lambda spec: spec["extra"]["integrity"].update(embedded_sha256="f" * 64))
    assert _digest(_model(), tmp_path, "a")[0] == _digest(changed, tmp_path, "b")[0]


def test_the_real_file_digest_is_stable() -> None:
    assert canonical_digest(TINY) == canonical_digest(TINY)
    assert len(canonical_digest(TINY)) == 64
