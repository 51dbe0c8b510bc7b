"""ONNX export: the converter (dynamo exporter, onnxslim), fp16, and int8 through ONNX Runtime's quantizer.

``converter`` is what the export registry loads; ``quant``, ``fp16``, ``float_nodes``, ``shapes``
and the recipe study ``sensitivity`` serve it. May import ``export``'s shared modules, ``models`` and
the runtime; onnx and onnxruntime are imported inside the functions that need them.
"""
