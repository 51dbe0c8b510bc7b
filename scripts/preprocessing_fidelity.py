"""Does preprocessing version 2 change what the model answers? Old vs new inputs on held-out sets.

    .venv/bin/python scripts/preprocessing_fidelity.py --set A=HELDOUT_A --set B=HELDOUT_B
        [--model runtime/assets/default/hierattn_xs_demo.onnx] [--limit N] [--json out.json]

Held-out sets come from ``hierattn-synth DIR --per-class 50 --seed 2020`` (A, the demo's) and
``--seed 4242`` (B), class folders named by the model's labels. Each image runs three ways under
versions 1 and 2 (docs/preprocessing.md): as stored (320 px: too small to be reduced, so both
versions must give identical inputs), and as a 12 MP JPEG copy (BICUBIC upscale to 4000 x 3000,
quality 92: the case version 2 exists for), where version 2 decodes with Pillow's draft mode and,
separately, from the full decode (what the browser does). Prints per set the top-1 agreement with
version 1 and the accuracy of every path. Torch-free: the runtime and ONNX Runtime or LiteRT.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from hierattn.runtime.classifier import Classifier
from hierattn.runtime.defaults import default_model_path
from hierattn.runtime.image_io import load_rgb
from hierattn.runtime.preprocess import preprocess

PATHS = ("v1_native", "v2_native", "v1_12mp", "v2_12mp_draft", "v2_12mp_full_decode")


def _jpeg_12mp(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).resize((4000, 3000), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def run_set(classifier: Classifier, folder: Path, limit: int | None) -> dict[str, object]:
    v1 = classifier.spec.with_updates(preprocessing=1)
    v2 = classifier.spec.with_updates(preprocessing=2)
    classes = list(classifier.spec.class_names)
    files = sorted(p for p in folder.rglob("*.png") if p.parent.name in classes)[:limit]
    preds, labels, identical = [], [], 0
    for path in files:
        rgb = load_rgb(path)
        data = _jpeg_12mp(rgb)
        inputs = [preprocess(rgb, v1), preprocess(rgb, v2), preprocess(data, v1), preprocess(data, v2),
                  preprocess(load_rgb(data), v2)]
        identical += int(np.array_equal(inputs[0].resized, inputs[1].resized))
        preds.append(classifier.predict_tensor(np.stack([p.tensor for p in inputs])).argmax(axis=1))
        labels.append(classes.index(path.parent.name))
    p, y = np.asarray(preds), np.asarray(labels)
    return {
        "images": len(files),
        "native_inputs_identical": identical,
        "accuracy": {name: float((p[:, i] == y).mean()) for i, name in enumerate(PATHS)},
        "agreement_with_v1_native": float((p[:, 0] == p[:, 1]).mean()),
        "agreement_with_v1_12mp_draft": float((p[:, 2] == p[:, 3]).mean()),
        "agreement_with_v1_12mp_full_decode": float((p[:, 2] == p[:, 4]).mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, metavar="NAME=DIR", help="a held-out set (repeatable)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the bundled demo ONNX)")
    parser.add_argument("--limit", type=int, default=None, help="first N images of each set only")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    model = args.model or default_model_path()
    if model is None:
        parser.exit(2, "error: no --model and the bundled demo model is missing\n")
    classifier = Classifier.load(model, threads=1)
    results = {}
    for item in args.set:
        name, _, folder = item.partition("=")
        if not Path(folder).is_dir():
            parser.exit(2, f"error: --set {item}: expected NAME=DIR with an existing folder\n")
        results[name] = run_set(classifier, Path(folder), args.limit)
        print(name, json.dumps(results[name]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
