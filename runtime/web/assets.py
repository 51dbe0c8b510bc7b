"""Where the web demo lives and what it needs: the page folder, Node, npm packages, Chromium.

The page is a static folder (``web_demo/``) that needs ``npm ci`` once (ONNX Runtime Web's files
are copied into ``web_demo/vendor/``); the browser tools also need Node and Debian's chromium.
Each missing piece is a one-line error naming the command that installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import HierAttnError, ModelFileError
from ..spec import sidecar_path

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DEMO = REPO_ROOT / "web_demo"
CHROMIUM = Path(os.environ.get("HIERATTN_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "run `bash scripts/bootstrap.sh` (as root it installs chromium, nodejs and the npm packages)"


class WebToolchainMissing(HierAttnError):
    """Node, the npm packages or Chromium are not installed: a problem of the machine (exit code 2)."""

    exit_code = 2


def web_demo_dir() -> Path:
    """The page folder, checked to have its vendored ONNX Runtime Web files."""
    if not (WEB_DEMO / "index.html").is_file():
        raise WebToolchainMissing(f"{WEB_DEMO} not found; the web demo needs a source checkout (pip install -e .).")
    if not (WEB_DEMO / "vendor" / "ort" / "ort.wasm.min.mjs").is_file():
        raise WebToolchainMissing(f"ONNX Runtime Web is not installed in {WEB_DEMO}: run `npm ci` there, or {INSTALL_HINT}.")
    return WEB_DEMO


def node_executable() -> str:
    """``node`` on PATH, or a WebToolchainMissing."""
    node = shutil.which("node")
    if node is None:
        raise WebToolchainMissing(f"'node' is not installed; {INSTALL_HINT}.")
    return node


def browser_ready() -> tuple[str, Path]:
    """Node and Chromium for the headless tools, plus playwright-core in web_demo/node_modules."""
    node = node_executable()
    web_demo_dir()
    if not (WEB_DEMO / "node_modules" / "playwright-core").is_dir():
        raise WebToolchainMissing(f"playwright-core is not installed in {WEB_DEMO}: run `npm ci` there, or {INSTALL_HINT}.")
    if not CHROMIUM.is_file():
        raise WebToolchainMissing(f"{CHROMIUM} not found: apt-get install -y chromium, or {INSTALL_HINT}.")
    return node, CHROMIUM


WEB_SUFFIXES = {".onnx": "onnx-web", ".tflite": "tflite-web"}
"""What the page runs: .onnx with ONNX Runtime Web, .tflite with LiteRT.js (report format names)."""


def model_with_sidecar(model: Path) -> tuple[Path, Path]:
    """The model file and its sidecar: the page reads the spec from the sidecar, as the Kotlin app does."""
    if not model.is_file():
        raise ModelFileError(f"--model {model}: no such file.")
    if model.suffix.lower() not in WEB_SUFFIXES:
        raise ModelFileError(f"--model {model}: the web page runs .onnx (ONNX Runtime Web) and .tflite (LiteRT.js) files.")
    sidecar = sidecar_path(model)
    if not sidecar.is_file():
        raise ModelFileError(f"{sidecar} not found: the page reads the model's spec from its sidecar; re-export the model.")
    return model, sidecar
