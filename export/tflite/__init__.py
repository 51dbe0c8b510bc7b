"""TFLite export: PyTorch -> ONNX -> onnx2tf -> LiteRT flatbuffer, at fp32, fp16 and int8.

``converter`` is what the export registry loads; ``onnx2tf`` and ``quant`` run the converters in
child processes; ``calibration``, ``metadata`` (with ``model_metadata``, the standard TFLite Model
Metadata), ``ops`` and ``xnnpack`` check and annotate the file.
May import ``export``'s shared modules, ``export.onnx``, ``models`` and the runtime; TensorFlow only
inside child processes or functions.
"""
