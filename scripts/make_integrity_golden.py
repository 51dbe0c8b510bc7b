"""Write tests/golden/integrity/: a tiny sealed .tflite and its sidecar, for the Kotlin digest test.

The model (mean of squared pixels per channel, then a 3x4 dense layer) is built with TensorFlow's
converter and sealed with the exporter's own code (``hierattn.export.integrity.seal_artifact``), so
the Kotlin core checks exactly what hierattn-export writes. Run: .venv/bin/python scripts/make_integrity_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "integrity"


def main() -> int:
    import tensorflow as tf

    from hierattn.export.integrity import seal_artifact
    from hierattn.export.tflite.metadata import embed_spec
    from hierattn.runtime.spec import ModelSpec

    weights = tf.constant(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([1, 16, 16, 3], tf.float32)])
    def fn(x):
        return tf.matmul(tf.reduce_mean(x * x, axis=[1, 2]), weights)

    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "tiny_sealed.tflite"
    path.write_bytes(converter.convert())
    spec = ModelSpec(class_names=("a", "b", "c", "d"), input_size=(16, 16), layout="NHWC", arch="tiny_golden")
    seal_artifact(path, spec, embed_spec)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
