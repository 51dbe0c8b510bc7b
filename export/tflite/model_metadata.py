"""Standard TFLite Model Metadata for an exported classifier, as MediaPipe Tasks, Android Studio's ML
Model Binding and the LiteRT Support Library read it.

The ``TFLITE_METADATA`` entry holds a ``ModelMetadata`` flatbuffer (schema in
``runtime/artifact/tflite_metadata_schema.py``, generated from tflite-support's ``metadata_schema.fbs``): name,
description, version, author; the image input with ``ImageProperties`` (RGB) and the
``NormalizationOptions`` that reproduce the spec's scaling (``(u8 - 0) / 255`` for [0, 1]); the output
described as logits with the labels as an associated ``TENSOR_AXIS_LABELS`` file. The labels file is
packed the way tflite-support's ``MetadataPopulator`` packs it: an uncompressed zip archive appended
after the flatbuffer, so the .tflite is also a zip holding ``labels.txt`` (MediaPipe reads only
uncompressed members).

Why generated classes and not a writer library: tflite-support 0.4.4 fails to import beside numpy 2
and pins protobuf 3.20; mediapipe's writer imports a compiled module its wheel lacks. The classes
``flatc`` generates from the published schema need only the ``flatbuffers`` package.

What the standard schema cannot say (the circle crop, the referral rule, provenance) stays in the
``hierattn_spec`` entry, the source of truth; the labels file is derived from its ``class_names``.
"""

from __future__ import annotations

from typing import Any

from ...runtime.artifact.tflite_model_metadata import LABELS_FILE, METADATA_IDENTIFIER
from ...runtime.spec import ModelSpec

# Every field written here exists since metadata schema 1.0.0 (no process units on the subgraph, no
# versioned associated file), so any metadata parser reads it; see tflite-support's metadata_version.cc.
MIN_PARSER_VERSION = "1.0.0"
AUTHOR = "hierattn-mobile"


def labels_file(spec: ModelSpec) -> bytes:
    """``labels.txt``: one class name per line, in output order."""
    return "".join(f"{name}\n" for name in spec.class_names).encode("utf-8")


def model_metadata(spec: ModelSpec) -> bytes:
    """The ``TFLITE_METADATA`` buffer (file identifier ``M001``) describing an exported classifier."""
    import flatbuffers

    from ...runtime.artifact import tflite_metadata_schema as schema

    model = schema.ModelMetadataT()
    model.name = f"{spec.arch} skin-lesion classifier ({spec.precision})"
    model.description = _description(spec)
    model.version = _version(spec)
    model.author = AUTHOR
    model.minParserVersion = MIN_PARSER_VERSION
    subgraph = schema.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [_image_input(spec, schema)]
    subgraph.outputTensorMetadata = [_logits_output(spec, schema)]
    model.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=METADATA_IDENTIFIER)
    return bytes(builder.Output())


def _description(spec: ModelSpec) -> str:
    height, width = spec.input_size
    return (
        f"Skin-lesion photo classifier over {spec.num_classes} classes ({', '.join(spec.class_names)}). "
        f"Input: the photo stretched to {width}x{height} RGB, 8-bit values divided by {1 / spec.scale:g}. Output: logits; "
        "apply softmax for probabilities. hierattn's own runtimes first crop dermoscopy photos to the "
        "lit circle and flag referrals (classes and threshold in the 'hierattn_spec' metadata entry); "
        "generic clients do neither. Research software, not a medical device."
    )


def _version(spec: ModelSpec) -> str:
    parts = [spec.precision]
    checkpoint = spec.extra.get("checkpoint_sha256")
    if isinstance(checkpoint, str):
        parts.append(f"checkpoint sha256 {checkpoint[:12]}")
    exporters = spec.extra.get("exporters")
    exporter = exporters.get("hierattn") if isinstance(exporters, dict) else None
    if exporter:
        parts.append(f"hierattn {exporter}")
    return ", ".join(parts)


def _image_input(spec: ModelSpec, schema: Any) -> Any:  # flatc's classes carry no type hints
    height, width = spec.input_size
    tensor = schema.TensorMetadataT()
    tensor.name = "image"
    tensor.description = (
        f"RGB image, {width}x{height}, float32 NHWC: each 8-bit value v becomes (v - mean) / std = v * {spec.scale:.9g}."
    )
    tensor.content = schema.ContentT()
    tensor.content.contentPropertiesType = schema.ContentProperties.ImageProperties
    properties = schema.ImagePropertiesT()
    properties.colorSpace = schema.ColorSpaceType.RGB
    tensor.content.contentProperties = properties
    normalization = schema.NormalizationOptionsT()
    normalization.mean = [0.0, 0.0, 0.0]
    normalization.std = [1.0 / spec.scale] * 3
    unit = schema.ProcessUnitT()
    unit.optionsType = schema.ProcessUnitOptions.NormalizationOptions
    unit.options = normalization
    tensor.processUnits = [unit]
    stats = schema.StatsT()
    stats.min = [0.0]
    stats.max = [255.0 * spec.scale]
    tensor.stats = stats
    return tensor


def _logits_output(spec: ModelSpec, schema: Any) -> Any:
    tensor = schema.TensorMetadataT()
    tensor.name = "logits"
    tensor.description = (
        f"Unnormalised class scores (logits), one per line of {LABELS_FILE}. They are not probabilities: "
        "apply softmax before comparing with a probability threshold. MediaPipe's ImageClassifier reports "
        "them unchanged as scores, so its score_threshold is in logit units; the top-1 class is the same."
    )
    tensor.content = schema.ContentT()
    tensor.content.contentPropertiesType = schema.ContentProperties.FeatureProperties
    tensor.content.contentProperties = schema.FeaturePropertiesT()
    labels = schema.AssociatedFileT()
    labels.name = LABELS_FILE
    labels.description = "Class labels in output order, one per line."
    labels.type = schema.AssociatedFileType.TENSOR_AXIS_LABELS
    tensor.associatedFiles = [labels]
    return tensor
