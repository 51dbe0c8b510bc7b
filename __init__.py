"""hierattn-mobile: take HierAttn skin-lesion classifiers from PyTorch checkpoints to phones.

Subpackages (each maps to a top-level folder of the repository):

- ``hierattn.runtime``: torch-free preprocessing and inference (ONNX Runtime, LiteRT).
- ``hierattn.models``: the PyTorch HierAttn family and checkpoint loading.
- ``hierattn.export``: ONNX, TFLite and Core ML export with validation.
- ``hierattn.benchmarks``: latency, size and fidelity harness.

Research software: the models are not medical devices and give no diagnosis.
"""

__version__ = "0.1.0"
