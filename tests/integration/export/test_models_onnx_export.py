"""Both ONNX exporters succeed on the paper's variants and ONNX Runtime reproduces PyTorch."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from hierattn.models import load_checkpoint


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["xs", "s"])
@pytest.mark.parametrize(("dynamo", "opset"), [(False, 17), (True, 18), (True, 20)])
def test_onnx_exporters_reproduce_reference(tmp_path, reference_dir, variant, dynamo, opset):
    reference_path = reference_dir / f"hierattn_{variant}_8cls.pt"
    reference = torch.load(reference_path, weights_only=True)
    model = load_checkpoint(reference_path)
    path = tmp_path / "model.onnx"
    torch.onnx.export(
        model,
        (reference["input"][:1],),
        str(path),
        dynamo=dynamo,
        opset_version=opset,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}} if not dynamo else None,
        dynamic_shapes=({0: torch.export.Dim("batch", max=64)},) if dynamo else None,
    )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    logits = session.run(None, {name: reference["input"].numpy()})[0]
    assert logits.shape == (3, 8)
    assert np.abs(logits - reference["logits"].numpy()).max() <= 1e-3
