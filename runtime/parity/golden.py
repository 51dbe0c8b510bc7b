"""Golden vectors for ports of the preprocessing (the Kotlin app): write them, or check they still hold.

``python -m hierattn.runtime.parity.golden tests/golden`` writes ``images/``, ``resized/``,
``vectors.json`` (preprocessing version 1) and ``vectors_v2.json`` (version 2, see ``golden_v2``) as
described in docs/preprocessing.md ("Golden vectors").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import typer
from PIL import Image

from ..console import CliApp, log, run_or_exit
from ..crop import closed_mask, grey_u8
from ..preprocess import crop_and_resize, to_tensor
from ..spec import ModelSpec
from .golden_images import GOLDEN_SCENES, golden_image
from .golden_v2 import build_golden_v2
from .samples import GOLDEN_FORMAT_VERSION, sample_positions
from .samples import sha256 as _sha256


def golden_case(name: str, rgb: np.ndarray, spec: ModelSpec) -> tuple[dict[str, Any], np.ndarray]:
    """The JSON record for one image, and its resized uint8 image."""
    resized, box = crop_and_resize(rgb, spec)
    tensor = to_tensor(resized, spec)
    height, width = spec.input_size
    record = {
        "name": name,
        "image": f"images/{name}.png",
        "width": int(rgb.shape[1]),
        "height": int(rgb.shape[0]),
        "grey_sha256": _sha256(grey_u8(rgb)),
        "mask_after_closing_sha256": _sha256(closed_mask(rgb, spec.crop).astype(np.uint8)),
        "crop_box": list(box) if box else None,
        "resized": f"resized/{name}.png",
        "resized_sha256": _sha256(resized),
        "tensor_mean": [float(tensor[c].astype(np.float64).mean()) for c in range(3)],
        "samples": [
            {"c": c, "y": y, "x": x, "value": float(tensor[c, y, x])} for c, y, x in sample_positions(height, width)
        ],
    }
    return record, resized


def build_golden(spec: ModelSpec | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The vectors document and every image to write (relative path -> RGB uint8 array)."""
    spec = spec or ModelSpec(preprocessing=1)
    cases, files = [], {}
    for name in GOLDEN_SCENES:
        rgb = golden_image(name)
        record, resized = golden_case(name, rgb, spec)
        cases.append(record)
        files[record["image"]] = rgb
        files[record["resized"]] = resized
    return {"format_version": GOLDEN_FORMAT_VERSION, "spec": spec.to_dict(), "cases": cases}, files


def write_golden(out_dir: Path, spec: ModelSpec | None = None) -> dict[str, Any]:
    """Write images, resized images, vectors.json and vectors_v2.json under ``out_dir``; return the version 1 document."""
    document, files = build_golden(spec)
    for relative, array in files.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(array).save(path, optimize=True)
    (out_dir / "vectors.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    v2 = build_golden_v2(out_dir, spec or ModelSpec())
    (out_dir / "vectors_v2.json").write_text(json.dumps(v2, indent=2) + "\n", encoding="utf-8")
    return document


app = CliApp(help="Write golden preprocessing vectors.")


@app.command()
def main(
    out_dir: Path = typer.Argument(..., help="Output folder, normally tests/golden."),
) -> None:
    """Regenerate the golden images, vectors.json and vectors_v2.json (deterministic; commit the result)."""
    document = run_or_exit(lambda: write_golden(out_dir))
    log(f"wrote {len(document['cases'])} cases to {out_dir}")


if __name__ == "__main__":
    app()
