"""What can be validated of a Core ML package on Linux, where Core ML cannot predict.

Checks: input/output names, shapes and types; the classifier labels; the embedded spec; that the
program uses only expected MIL ops; and that every weight tensor of the PyTorch model (convolutions
folded with their BatchNorm, as the converter folds them) is present in the program after
de-quantization, within a tolerance that depends on the precision.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from ...runtime.spec import ModelSpec
from ..validation import Check, ValidationResult
from .converter import (
    INPUT_NAME,
    LABEL_NAME,
    LOGITS_NAME,
    PROBS_NAME,
    SPEC_METADATA_KEY,
    import_coremltools,
)

if TYPE_CHECKING:
    from torch import nn

EXPECTED_OPS = frozenset(
    {
        "abs", "add", "cast", "classify", "concat", "const", "constexpr_affine_dequantize",
        "constexpr_blockwise_shift_scale", "conv", "gelu", "layer_norm", "linear", "matmul", "mul",
        "real_div", "reduce_mean", "reshape", "sigmoid", "silu", "softmax", "split", "squeeze", "sub",
        "transpose", "slice_by_index", "slice_by_size", "expand_dims",
    }
)  # fmt: skip
"""Op types a HierAttn program is made of; anything else means the conversion changed the model."""

WEIGHT_TOLERANCE = {"fp32": 1e-5, "fp16": 1e-3, "int8": 5e-3}
"""Max |w_coreml - w_torch| / max|w_torch| per tensor. int8 symmetric per-channel rounding moves a
weight by at most half a step, 0.5/127 = 3.9e-3 of its channel's max."""


def _torch_weights(model: nn.Module) -> Iterator[tuple[str, np.ndarray]]:
    """Every conv / linear weight as the converter should store it (conv folded with its BatchNorm)."""
    import torch

    modules = dict(model.named_modules())
    for name, module in modules.items():
        if isinstance(module, torch.nn.Linear):
            yield name, module.weight.detach().numpy()
        elif isinstance(module, torch.nn.Conv2d):
            weight = module.weight.detach()
            parent = modules.get(name.rsplit(".", 1)[0]) if "." in name else None
            bn = getattr(parent, "Bn", None)
            if isinstance(bn, torch.nn.BatchNorm2d):
                assert bn.running_var is not None  # HierAttn's BatchNorms track running statistics
                scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
                weight = weight * scale.reshape(-1, 1, 1, 1)
            yield name, weight.numpy()


def _program_constants(path: Path, ct: ModuleType) -> tuple[list[str], list[np.ndarray], list[str]]:
    """(op types, de-quantized constant tensors, class labels) of the package's MIL program."""
    from coremltools.converters.mil.frontend.milproto.load import load as load_mil

    spec = ct.utils.load_spec(str(path))
    weights_dir = path / "Data" / "com.apple.CoreML" / "weights"
    program = load_mil(spec, spec.specificationVersion, file_weights_dir=str(weights_dir))
    ops, constants, labels = [], [], []
    for function in program.functions.values():
        for op in function.operations:
            ops.append(op.op_type)
            if op.op_type == "const" or op.op_type.startswith("constexpr_"):
                value = op.materialized_val_inference() if op.op_type.startswith("constexpr_") else op.outputs[0].val
                if isinstance(value, np.ndarray) and value.ndim >= 2:
                    constants.append(np.asarray(value, dtype=np.float32))
                elif op.op_type == "const" and isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
                    labels = list(value)
            if op.op_type == "classify":
                labels = [str(c) for c in op.classes.val] or labels
    return ops, constants, labels


def _weight_errors(model: nn.Module, constants: list[np.ndarray]) -> dict[str, float]:
    """For each PyTorch weight, the smallest relative error among same-size program constants."""
    by_size: dict[int, list[np.ndarray]] = {}
    for c in constants:
        by_size.setdefault(c.size, []).append(c)
    errors = {}
    for name, weight in _torch_weights(model):
        scale = float(np.abs(weight).max()) or 1.0
        best = np.inf
        for candidate in by_size.get(weight.size, []):
            for view in (candidate.reshape(weight.shape), candidate.reshape(weight.shape[::-1]).T):
                if view.shape == weight.shape:
                    best = min(best, float(np.abs(view - weight).max()) / scale)
        errors[name] = best
    return errors


def structural_validation(path: Path, model: nn.Module, spec: ModelSpec) -> ValidationResult:
    """Structural checks of ``path`` against the PyTorch ``model`` and the ``spec`` that was embedded."""
    ct: Any = import_coremltools()
    ml: Any = ct.utils.load_spec(str(path))  # a protobuf message: fields are dynamic
    h, w = spec.input_size
    FLOAT32 = ct.proto.FeatureTypes_pb2.ArrayFeatureType.FLOAT32
    checks = []
    inputs = {i.name: i for i in ml.description.input}
    ok = (
        list(inputs) == [INPUT_NAME]
        and list(inputs[INPUT_NAME].type.multiArrayType.shape) == [1, 3, h, w]
        and inputs[INPUT_NAME].type.multiArrayType.dataType == FLOAT32
    )
    checks.append(Check("input", ok, f"input {INPUT_NAME} float32 [1, 3, {h}, {w}]"))
    outputs = {o.name: o for o in ml.description.output}
    logits = outputs.get(LOGITS_NAME)
    ok = (
        set(outputs) == {LABEL_NAME, PROBS_NAME, LOGITS_NAME}
        and logits is not None
        and list(logits.type.multiArrayType.shape) == [1, spec.num_classes]
        and logits.type.multiArrayType.dataType == FLOAT32
        and ml.description.predictedFeatureName == LABEL_NAME
        and ml.description.predictedProbabilitiesName == PROBS_NAME
    )
    checks.append(Check("outputs", ok, f"outputs {LABEL_NAME}, {PROBS_NAME}, {LOGITS_NAME} float32 [1, {spec.num_classes}]"))
    embedded = ml.description.metadata.userDefined.get(SPEC_METADATA_KEY)
    expected = json.loads(spec.to_json())
    ok = embedded is not None and ModelSpec.from_json(embedded).to_dict() == ModelSpec.from_dict(expected).to_dict()
    checks.append(Check("metadata", ok, f"user_defined_metadata[{SPEC_METADATA_KEY!r}] matches the spec"))
    ops, constants, labels = _program_constants(path, ct)
    checks.append(Check("labels", labels == list(spec.class_names), f"classifier labels {','.join(labels)}"))
    unexpected = sorted(set(ops) - EXPECTED_OPS)
    checks.append(Check("ops", not unexpected, f"{len(set(ops))} op types, unexpected: {', '.join(unexpected) or 'none'}"))
    errors = _weight_errors(model, constants)
    worst_name = max(errors, key=errors.__getitem__)
    tol = WEIGHT_TOLERANCE[spec.precision]
    checks.append(
        Check(
            "weights",
            errors[worst_name] <= tol,
            f"{len(errors)} weight tensors vs PyTorch, worst relative error {errors[worst_name]:.2g} "
            f"({worst_name}) <= {tol:g}",
        )
    )
    return ValidationResult(images=0, checks=tuple(checks))
