"""``hierattn-parity --runtime web DIR``: the page's JS core and browser runtime against this runtime.

Every image runs twice in headless Chromium: once decoded by the browser itself (EXIF orientation
applied, what a phone user gets), once from the RGB pixels Pillow decoded (the JS core and the
model alone). Each is compared with the Python runtime (Pillow decode, numpy preprocessing, ONNX
Runtime): crop boxes identical, resized pixels within 1/255, top-1 identical, probabilities within
PROB_TOLERANCE.
"""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..classifier import Classifier
from ..errors import InvalidImageError
from ..image_io import load_rgb
from ..prediction import softmax
from ..preprocess import preprocess
from ..spec import ModelSpec
from ..web.assets import model_with_sidecar
from ..web.browser import run_job

TOLERANCE_LEVELS = 1
PROB_TOLERANCE = 1e-3
"""Largest allowed difference of any class probability (fp32 models)."""


@dataclass(frozen=True)
class PathParity:
    """One way through the browser (browser decode, or Pillow's pixels) against Python."""

    crop_box: list[int] | None
    max_diff_levels: int | None
    label: str | None
    max_prob_diff: float | None
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class WebImageParity:
    """How one image fared: Python's result and both browser paths."""

    path: str
    crop_box_python: list[int] | None
    label_python: str | None
    browser_decode: PathParity | None
    core_only: PathParity | None
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class _Python:
    size: tuple[int, int]  # (width, height) after EXIF orientation
    box: list[int] | None
    resized: np.ndarray
    probabilities: np.ndarray


def _python(classifier: Classifier, rgb: np.ndarray) -> _Python:
    pre = preprocess(rgb, classifier.spec)
    probs = softmax(classifier.predict_tensor(pre.tensor[None])[0])
    size = (int(rgb.shape[1]), int(rgb.shape[0]))
    return _Python(size, None if pre.crop_box is None else [int(v) for v in pre.crop_box], pre.resized, probs)


def _compare(py: _Python, web: dict[str, Any], spec: ModelSpec) -> PathParity:
    if "error" in web:
        return PathParity(None, None, None, None, False, web["error"])
    if (web["width"], web["height"]) != py.size:
        error = f"decoded as {web['width']}x{web['height']}, Python {py.size[0]}x{py.size[1]} (EXIF orientation?)"
        return PathParity(web["crop_box"], None, web["label"], None, False, error)
    height, width = spec.input_size
    resized = np.frombuffer(base64.b64decode(web["resized_b64"]), dtype=np.uint8)
    if resized.size != height * width * 3:
        return PathParity(web["crop_box"], None, web["label"], None, False, f"resized image has {resized.size} bytes")
    levels = int(np.abs(resized.reshape(height, width, 3).astype(np.int16) - py.resized.astype(np.int16)).max())
    prob_diff = float(np.abs(np.asarray(web["probabilities"], dtype=np.float64) - py.probabilities).max())
    label_py = spec.class_names[int(np.argmax(py.probabilities))]
    ok = web["crop_box"] == py.box and levels <= TOLERANCE_LEVELS and web["label"] == label_py and prob_diff <= PROB_TOLERANCE
    return PathParity(web["crop_box"], levels, web["label"], prob_diff, ok)


def compare_folder_web(images: list[Path], model: Path) -> tuple[list[WebImageParity], dict[str, Any]]:
    """Run every image through Python and the browser; the results and the browser's details."""
    model_file, sidecar = model_with_sidecar(model)
    spec = ModelSpec.from_json(sidecar.read_text())  # the page reads the sidecar, so Python does too
    classifier = Classifier.load(model_file, spec=spec)
    python: dict[int, _Python] = {}
    errors: dict[int, str] = {}
    items: list[dict[str, Any]] = []
    owners: list[int] = []
    with tempfile.TemporaryDirectory(prefix="hierattn-webparity-") as tmp:
        for i, path in enumerate(images):
            try:
                rgb = load_rgb(path)
            except InvalidImageError as exc:
                errors[i] = str(exc)
                continue
            python[i] = _python(classifier, rgb)
            raw = Path(tmp) / f"{i:05d}.rgb"
            raw.write_bytes(np.ascontiguousarray(rgb).tobytes())
            items.append({"kind": "file", "path": str(path.resolve())})
            items.append({"kind": "rgb", "path": str(raw), "width": int(rgb.shape[1]), "height": int(rgb.shape[0])})
            owners.append(i)
        out = run_job(model_file, {"job": "analyse", "images": items}) if items else {"results": []}
    web = {owner: (out["results"][2 * k], out["results"][2 * k + 1]) for k, owner in enumerate(owners)}
    results = []
    for i, path in enumerate(images):
        if i in errors:
            results.append(WebImageParity(str(path), None, None, None, None, False, errors[i]))
            continue
        py = python[i]
        decoded, core = (_compare(py, w, spec) for w in web[i])
        label = spec.class_names[int(np.argmax(py.probabilities))]
        results.append(WebImageParity(str(path), py.box, label, decoded, core, decoded.ok and core.ok))
    details = {"browser": out.get("browser"), "threads": out.get("threads"), "model": str(model_file), "sidecar": str(sidecar)}
    return results, details


def _cell(p: PathParity | None) -> str:
    if p is None:
        return "-"
    if p.error:
        return f"error: {p.error}"
    prob = "-" if p.max_prob_diff is None else f"{p.max_prob_diff:.1e}"
    return f"{p.crop_box!s:20} {p.max_diff_levels}/255 {p.label} {prob}"


def print_table(results: list[WebImageParity]) -> None:
    """Human-readable table: per image, Python's box and label, then each browser path."""
    print(f"{'image':36} {'python crop, top-1':28} {'browser decode: crop, px, top-1, prob':46} core only")
    for r in results:
        name = r.path if len(r.path) <= 36 else "..." + r.path[-33:]
        status = "ok" if r.ok else f"DIFFERS{': ' + r.error if r.error else ''}"
        print(f"{name:36} {str(r.crop_box_python) + ' ' + str(r.label_python):28} {_cell(r.browser_decode):46} {_cell(r.core_only)}  {status}")
    agreed = sum(r.ok for r in results)
    print(f"{agreed}/{len(results)} images agree (crop boxes identical, pixels within {TOLERANCE_LEVELS}/255, "
          f"top-1 identical, probabilities within {PROB_TOLERANCE:g})")
