"""MediaPipe Tasks as an app developer uses it, run inside the MediaPipe virtualenv (scripts/mediapipe_venv.sh),
not the project's: this file imports nothing from hierattn.

usage: python mediapipe_client.py MODEL.tflite RESIZED.npy IMAGE...

Prints one JSON document: every image's categories from ``vision.ImageClassifier`` (labels and
normalization come from the model's metadata alone), and the model's metadata as MediaPipe's own
generated schema classes read it. RESIZED.npy receives each image resized as MediaPipe's CPU
preprocessing does (OpenCV ``warpPerspective``, bilinear, corners mapped to corners), uint8 NHWC, so
the caller can feed it to the same model and see what the resize alone changes.
"""

import json
import sys
import zipfile
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.metadata import metadata_schema_py_generated as metadata_schema
from mediapipe.tasks.metadata import schema_py_generated as tflite_schema
from mediapipe.tasks.python import vision
from mediapipe.tasks.python.core.base_options import BaseOptions


def read_metadata(path):
    data = Path(path).read_bytes()
    model = tflite_schema.Model.GetRootAs(data, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == b"TFLITE_METADATA":
            buffer = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
            break
    else:
        return None
    assert metadata_schema.ModelMetadata.ModelMetadataBufferHasIdentifier(buffer, 0)
    meta = metadata_schema.ModelMetadataT.InitFromObj(metadata_schema.ModelMetadata.GetRootAs(buffer, 0))
    (subgraph,) = meta.subgraphMetadata
    (image,) = subgraph.inputTensorMetadata
    (output,) = subgraph.outputTensorMetadata
    (unit,) = image.processUnits
    (labels,) = output.associatedFiles
    with zipfile.ZipFile(path) as archive:
        packed = {info.filename: info.compress_type for info in archive.infolist()}
    return {
        "name": meta.name.decode(),
        "min_parser_version": meta.minParserVersion.decode(),
        "color_space": int(image.content.contentProperties.colorSpace),
        "mean": [float(v) for v in unit.options.mean],
        "std": [float(v) for v in unit.options.std],
        "output": output.name.decode(),
        "labels_file": labels.name.decode(),
        "labels_type": int(labels.type),
        "packed": packed,
    }


def mediapipe_resize(rgb, width, height):
    h, w = rgb.shape[:2]
    src = np.float32([[0, h], [0, 0], [w, 0], [w, h]])
    dst = np.float32([[0, height], [0, 0], [width, 0], [width, height]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def input_size(path):
    model = tflite_schema.Model.GetRootAs(Path(path).read_bytes(), 0)
    graph = model.Subgraphs(0)
    _, height, width, _ = graph.Tensors(graph.Inputs(0)).ShapeAsNumpy()
    return int(width), int(height)


def main(model_path, resized_path, images):
    width, height = input_size(model_path)
    options = vision.ImageClassifierOptions(base_options=BaseOptions(model_asset_path=model_path))
    results, resized = {}, []
    with vision.ImageClassifier.create_from_options(options) as classifier:
        for path in images:
            image = mp.Image.create_from_file(path)
            (head,) = classifier.classify(image).classifications
            results[path] = [[c.category_name, c.index, c.score] for c in head.categories]
            resized.append(mediapipe_resize(np.asarray(image.numpy_view())[..., :3], width, height))
    np.save(resized_path, np.stack(resized))
    print(json.dumps({"mediapipe": mp.__version__, "metadata": read_metadata(model_path), "results": results}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
