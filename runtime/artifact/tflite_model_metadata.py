"""Read the standard TFLite Model Metadata of a .tflite file: what MediaPipe Tasks and Android's ML
Model Binding see (written by ``hierattn.export.tflite.model_metadata``).

``TFLITE_METADATA`` is a ``ModelMetadata`` flatbuffer (file identifier ``M001``) parsed with the classes
generated from the published schema (``tflite_metadata_schema``, which needs the ``flatbuffers``
package that LiteRT already depends on); associated files such as ``labels.txt`` are the members of
the zip archive appended after the model flatbuffer.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from ..errors import ModelFileError
from .tflite_metadata import read_tflite_metadata

METADATA_NAME = "TFLITE_METADATA"
METADATA_IDENTIFIER = b"M001"
LABELS_FILE = "labels.txt"
_COLOR_SPACES = {0: "UNKNOWN", 1: "RGB", 2: "GRAYSCALE"}


@dataclass(frozen=True)
class TensorInfo:
    """One input or output tensor as the metadata describes it."""

    name: str
    description: str
    color_space: str | None  # for images
    mean: tuple[float, ...]  # NormalizationOptions, empty if absent
    std: tuple[float, ...]
    labels_file: str | None  # the TENSOR_AXIS_LABELS associated file


@dataclass(frozen=True)
class TFLiteModelMetadata:
    """The fields of a ``ModelMetadata`` with one subgraph, plus the labels read from the packed file."""

    name: str
    description: str
    version: str
    author: str
    min_parser_version: str
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    labels: tuple[str, ...]  # from the first output's labels file; empty if there is none


def packed_files(data: bytes) -> dict[str, bytes]:
    """The files packed after the model flatbuffer (a zip archive), by name; empty if there are none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}


def read_model_metadata(data: bytes) -> TFLiteModelMetadata | None:
    """The standard metadata of a TFLite model's bytes, None if it has none; raise if it is malformed."""
    buffer = read_tflite_metadata(data, METADATA_NAME)
    if buffer is None:
        return None
    from . import tflite_metadata_schema as schema

    if not schema.ModelMetadata.ModelMetadataBufferHasIdentifier(buffer, 0):
        raise ModelFileError(f"The {METADATA_NAME} entry is not a ModelMetadata flatbuffer (identifier {buffer[4:8]!r}).")
    try:
        model = schema.ModelMetadataT.InitFromObj(schema.ModelMetadata.GetRootAs(buffer, 0))
    except Exception as exc:  # a truncated or foreign buffer fails deep inside the generated code
        raise ModelFileError(f"Cannot parse the {METADATA_NAME} entry ({exc}); re-export the model.") from exc
    subgraphs = model.subgraphMetadata or []
    if len(subgraphs) != 1:
        raise ModelFileError(f"The {METADATA_NAME} entry describes {len(subgraphs)} subgraphs; expected 1.")
    inputs = tuple(_tensor(t, schema) for t in subgraphs[0].inputTensorMetadata or [])
    outputs = tuple(_tensor(t, schema) for t in subgraphs[0].outputTensorMetadata or [])
    labels: tuple[str, ...] = ()
    if outputs and outputs[0].labels_file:
        files = packed_files(data)
        if outputs[0].labels_file not in files:
            raise ModelFileError(f"The metadata names {outputs[0].labels_file} but the model packs {sorted(files) or 'no files'}.")
        labels = tuple(line for line in files[outputs[0].labels_file].decode("utf-8").splitlines() if line)
    return TFLiteModelMetadata(
        name=_text(model.name),
        description=_text(model.description),
        version=_text(model.version),
        author=_text(model.author),
        min_parser_version=_text(model.minParserVersion),
        inputs=inputs,
        outputs=outputs,
        labels=labels,
    )


def _tensor(tensor: Any, schema: Any) -> TensorInfo:
    content = tensor.content
    color_space = None
    if content is not None and content.contentPropertiesType == schema.ContentProperties.ImageProperties:
        space = int(content.contentProperties.colorSpace)
        color_space = _COLOR_SPACES.get(space, str(space))
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    for unit in tensor.processUnits or []:
        if unit.optionsType == schema.ProcessUnitOptions.NormalizationOptions:
            mean = tuple(float(v) for v in unit.options.mean)
            std = tuple(float(v) for v in unit.options.std)
    labels_file = None
    for associated in tensor.associatedFiles or []:
        if associated.type == schema.AssociatedFileType.TENSOR_AXIS_LABELS:
            labels_file = _text(associated.name)
            break
    return TensorInfo(
        name=_text(tensor.name),
        description=_text(tensor.description),
        color_space=color_space,
        mean=mean,
        std=std,
        labels_file=labels_file,
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
