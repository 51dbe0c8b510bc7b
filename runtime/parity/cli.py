"""``hierattn-parity DIR``: do the Android (Kotlin) and web (JS) ports preprocess exactly as this runtime?

App developers run it on their own photos; we run it on images the golden set does not contain.
Every image is decoded once with Pillow (EXIF orientation applied, as the app does with
ExifInterface) and handed to the Kotlin core as a lossless PNG, so the check covers preprocessing
only: crop boxes must be identical and every value of the preprocessed image within 1/255.
JPEG decoders differ (javax.imageio vs libjpeg-turbo), so for JPEG files the Kotlin core also
decodes the original and the difference is reported separately, as information.

Torch-free: numpy, Pillow and a subprocess running the JVM core (``scripts/android_core_test.sh``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import typer
from PIL import Image

from ..console import CliApp, log, run_or_exit
from ..errors import HierAttnError, InvalidImageError, ModelFileError, UsageError
from ..image_io import load_rgb
from ..native_log import quiet_native_logs
from ..preprocess import preprocess
from ..spec import ModelSpec, sidecar_path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
JPEG_SUFFIXES = (".jpg", ".jpeg")
TOLERANCE_LEVELS = 1
"""Largest allowed difference of the uint8 preprocessed image, i.e. 1/255 after scaling."""

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO_ROOT / "scripts" / "android_core_test.sh"
CORE_JAR = REPO_ROOT / "android_demo" / "core" / "build" / "hierattn-core.jar"
DEBIAN_PACKAGES = "apt-get install -y kotlin junit4"


class JvmToolchainMissing(HierAttnError):
    """java or kotlinc is not installed; a usage-level problem of the machine (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class ImageParity:
    """How one image fared: Python and Kotlin crop boxes and the largest preprocessing difference."""

    path: str
    crop_box_python: list[int] | None
    crop_box_kotlin: list[int] | None
    max_abs_diff_levels: int | None
    max_abs_diff: float | None
    ok: bool
    error: str | None = None
    decoder_max_diff_levels: int | None = None


def find_images(folder: Path) -> list[Path]:
    """Image files under ``folder``, recursively, sorted."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a directory; pass a folder of images.")
    images = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise UsageError(f"{folder} contains no images ({', '.join(IMAGE_SUFFIXES)}).")
    return images


def ensure_jar() -> Path:
    """Build the JVM core jar if it is missing or stale, with the same script the tests use."""
    jar = Path(os.environ.get("HIERATTN_CORE_JAR", CORE_JAR))
    if "HIERATTN_CORE_JAR" in os.environ and jar.is_file():
        return jar
    for tool in ("java", "kotlinc"):
        if shutil.which(tool) is None:
            raise JvmToolchainMissing(f"'{tool}' is not installed; install the JVM toolchain with: {DEBIAN_PACKAGES}")
    if not BUILD_SCRIPT.is_file():
        raise UsageError(f"{BUILD_SCRIPT} not found; hierattn-parity needs a source checkout (pip install -e .).")
    done = subprocess.run(["bash", str(BUILD_SCRIPT), "--build-only"], capture_output=True, text=True)
    if done.returncode != 0:
        raise HierAttnError(f"building the Kotlin core failed: {done.stderr.strip().splitlines()[-1:]}")
    return jar


def run_kotlin(jar: Path, spec_file: Path, images: list[Path], dump_dir: Path) -> list[dict[str, Any]]:
    """Run the JVM CLI on ``images``; one result dict per image, in order."""
    done = subprocess.run(
        ["java", "-jar", str(jar), "--spec", str(spec_file), "--dump-dir", str(dump_dir), *map(str, images)],
        capture_output=True,
        text=True,
    )
    if done.returncode == 2 or not done.stdout.strip():
        raise HierAttnError(f"the Kotlin core failed: {done.stderr.strip()}")
    return list(json.loads(done.stdout)["images"])


def _kotlin_resized(result: dict[str, Any]) -> np.ndarray:
    return np.asarray(Image.open(result["resized_png"]).convert("RGB")).astype(np.int16)


def compare_folder(folder: Path, spec: ModelSpec) -> list[ImageParity]:
    """Preprocess every image of ``folder`` in Python and in Kotlin and compare them."""
    images = find_images(folder)
    jar = ensure_jar()
    results: list[ImageParity] = []
    with tempfile.TemporaryDirectory(prefix="hierattn-parity-") as tmp:
        tmpdir = Path(tmp)
        spec_file = tmpdir / "spec.json"
        spec_file.write_text(spec.to_json())
        decoded, python, errors = [], {}, {}
        for i, path in enumerate(images):
            try:
                rgb = load_rgb(path)
            except InvalidImageError as exc:
                errors[i] = str(exc)
                continue
            png = tmpdir / f"in_{i:05d}.png"
            Image.fromarray(rgb).save(png)
            decoded.append((i, png))
            python[i] = preprocess(rgb, spec)
        kotlin = dict(zip((i for i, _ in decoded), run_kotlin(jar, spec_file, [p for _, p in decoded], tmpdir / "kt"), strict=True))
        jpegs = [i for i in python if images[i].suffix.lower() in JPEG_SUFFIXES]
        kotlin_jpeg = dict(zip(jpegs, run_kotlin(jar, spec_file, [images[i] for i in jpegs], tmpdir / "kt_jpeg"), strict=True)) if jpegs else {}
        for i, path in enumerate(images):
            if i in errors:
                results.append(ImageParity(str(path), None, None, None, None, False, errors[i]))
                continue
            results.append(_compare_one(str(path), python[i], kotlin[i], kotlin_jpeg.get(i), spec))
    return results


def _compare_one(path: str, py: Any, kt: dict[str, Any], kt_jpeg: dict[str, Any] | None, spec: ModelSpec) -> ImageParity:
    py_box = None if py.crop_box is None else [int(v) for v in py.crop_box]
    if "error" in kt:
        return ImageParity(path, py_box, None, None, None, False, kt["error"])
    kt_box = kt["crop_box"]
    theirs = _kotlin_resized(kt)
    ours = py.resized.astype(np.int16)
    diff = int(np.abs(ours - theirs).max()) if ours.shape == theirs.shape else None
    decoder = None
    if kt_jpeg is not None and "error" not in kt_jpeg:
        other = _kotlin_resized(kt_jpeg)
        decoder = int(np.abs(ours - other).max()) if other.shape == ours.shape else None
    ok = kt_box == py_box and diff is not None and diff <= TOLERANCE_LEVELS
    error = None if diff is not None else f"shape differs: python {ours.shape}, kotlin {theirs.shape}"
    scaled = None if diff is None else float(diff * spec.scale)
    return ImageParity(path, py_box, kt_box, diff, scaled, ok, error, decoder)


def load_spec(spec_file: Path | None, model: Path | None) -> ModelSpec:
    """The spec to compare with: ``--spec``, the sidecar or metadata of ``--model``, else the default."""
    if spec_file is not None and model is not None:
        raise UsageError("pass either --spec or --model, not both.")
    if spec_file is not None:
        if not spec_file.is_file():
            raise UsageError(f"--spec {spec_file}: no such file.")
        return ModelSpec.from_json(spec_file.read_text())
    if model is not None:
        sidecar = sidecar_path(model)
        if sidecar.is_file():
            return ModelSpec.from_json(sidecar.read_text())
        if not model.exists():
            raise ModelFileError(f"--model {model}: no such file.")
        from ..classifier import Classifier

        return Classifier.load(model).spec
    return ModelSpec()


def _print_table(results: list[ImageParity]) -> None:
    print(f"{'image':40} {'crop (python)':22} {'crop (kotlin)':22} {'max diff':>8}  result")
    for r in results:
        name = r.path if len(r.path) <= 40 else "..." + r.path[-37:]
        diff = "-" if r.max_abs_diff_levels is None else f"{r.max_abs_diff_levels}/255"
        status = "ok" if r.ok else f"DIFFERS{': ' + r.error if r.error else ''}"
        if r.decoder_max_diff_levels is not None:
            status += f" (JPEG decoders differ by up to {r.decoder_max_diff_levels}/255, not counted)"
        print(f"{name:40} {r.crop_box_python!s:22} {r.crop_box_kotlin!s:22} {diff:>8}  {status}")
    agreed = sum(r.ok for r in results)
    print(f"{agreed}/{len(results)} images agree (crop boxes identical, values within {TOLERANCE_LEVELS}/255)")


class ParityRuntime(str, Enum):
    """Which port to check: the Android app's Kotlin core, or the web page's JS core in Chromium."""

    kotlin = "kotlin"
    web = "web"


app = CliApp(help=(__doc__ or "").partition("\n")[0])


def write_json(results: list[Any], extra: dict[str, Any]) -> None:
    """One JSON document on stdout: ``ok``, the runtime's ``extra`` fields, every image and a summary."""
    doc = {
        "ok": all(r.ok for r in results),
        **extra,
        "images": [asdict(r) for r in results],
        "summary": {"images": len(results), "agreed": sum(r.ok for r in results)},
    }
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")


def _web(folder: Path, model: Path | None, spec: Path | None, as_json: bool) -> None:
    """``--runtime web``: JS core and ONNX Runtime Web in headless Chromium (docs/web.md)."""
    from ..defaults import default_model_path
    from ..web.assets import model_with_sidecar
    from . import web as web_parity

    def job() -> tuple[list[Any], dict[str, Any]]:
        if spec is not None:
            raise UsageError("--runtime web reads the spec from the model's sidecar; pass --model, not --spec.")
        chosen = model or default_model_path()
        if chosen is None:
            raise UsageError("no --model given and the bundled demo model is missing; pass --model.")
        model_with_sidecar(chosen)
        images = find_images(folder)
        log(f"running {len(images)} image(s) in headless Chromium with {chosen.name}")
        return web_parity.compare_folder_web(images, chosen)

    results, details = run_or_exit(job)
    if as_json:
        extra = {"runtime": "web", "tolerance_levels": web_parity.TOLERANCE_LEVELS,
                 "prob_tolerance": web_parity.PROB_TOLERANCE, **details}
        write_json(results, extra)
    else:
        web_parity.print_table(results)
    raise typer.Exit(code=0 if all(r.ok for r in results) else 1)


@app.command(no_args_is_help=True)
def main(
    folder: Path = typer.Argument(..., help="Folder of images, searched recursively."),
    spec: Path | None = typer.Option(None, "--spec", help="Model metadata JSON (the exported <model>.tflite.json)."),
    model: Path | None = typer.Option(None, "--model", help="Exported model whose sidecar or embedded metadata to use."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout instead of a table."),
    runtime: ParityRuntime = typer.Option(
        ParityRuntime.kotlin, "--runtime", help="kotlin: the Android core on the JVM; web: the page's JS core and model in headless Chromium."
    ),
) -> None:
    """Compare a port's preprocessing (Kotlin, or the web page's) with the Python runtime's on every image of FOLDER."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    if runtime is ParityRuntime.web:
        _web(folder, model, spec, as_json)

    def job() -> list[ImageParity]:
        model_spec = load_spec(spec, model)
        log(f"comparing with {model_spec.input_size[0]}x{model_spec.input_size[1]} input, crop={model_spec.crop.enabled}")
        return compare_folder(folder, model_spec)

    results = run_or_exit(job)
    all_ok = all(r.ok for r in results)
    if as_json:
        doc = {
            "ok": all_ok,
            "tolerance_levels": TOLERANCE_LEVELS,
            "images": [asdict(r) for r in results],
            "summary": {"images": len(results), "agreed": sum(r.ok for r in results)},
        }
        json.dump(doc, sys.stdout)
        sys.stdout.write("\n")
    else:
        _print_table(results)
    raise typer.Exit(code=0 if all_ok else 1)


if __name__ == "__main__":
    app()
