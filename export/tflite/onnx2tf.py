"""Run onnx2tf (ONNX -> TensorFlow SavedModel + float TFLite files) in an isolated, offline subprocess.

Why a subprocess with retries: onnx2tf crashed intermittently on this model (heap corruption,
roughly every other run on the same input), which would take the whole export process down.
Why the pre-created sample file: onnx2tf loads ``calibration_image_sample_data_20x128x128x3_float32.npy``
from its working directory for its own sanity inference and downloads it when absent; writing it
first (and pointing any proxy at a closed port) guarantees the export never touches the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...runtime.errors import HierAttnError

SAMPLE_FILE = "calibration_image_sample_data_20x128x128x3_float32.npy"
ATTEMPTS = 3
TIMEOUT_S = 1800
_OFFLINE_PROXY = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Onnx2TfOutput:
    """Files onnx2tf wrote: the SavedModel (input to our own quantization) and its float TFLite files."""

    saved_model: Path
    float32: Path
    float16: Path
    version: str


def onnx2tf_version() -> str:
    from importlib.metadata import version

    return version("onnx2tf")


def write_sample_file(workdir: Path, calibration: np.ndarray | None) -> Path:
    """Write onnx2tf's sample file: 20 NHWC images at 128x128 from ``calibration`` or a fixed seed."""
    path = workdir / SAMPLE_FILE
    if calibration is not None and len(calibration) > 0:
        nhwc = np.transpose(np.asarray(calibration, dtype=np.float32), (0, 2, 3, 1))
        rows = np.linspace(0, nhwc.shape[1] - 1, 128).round().astype(int)
        cols = np.linspace(0, nhwc.shape[2] - 1, 128).round().astype(int)
        sample = nhwc[:, rows][:, :, cols]
        sample = np.resize(sample, (20, 128, 128, 3)).astype(np.float32)
    else:
        sample = np.random.default_rng(0).random((20, 128, 128, 3), dtype=np.float32)
    np.save(path, sample)
    return path


def _command(onnx_path: Path, out_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "onnx2tf",
        "-i",
        str(onnx_path),
        "-o",
        str(out_dir),
        "-osd",  # SavedModel with a signature: the input of our own TFLite quantization
        "-coion",  # keep the ONNX tensor names (image, logits) in the TFLite signature
        "-nuo",  # the ONNX file is already simplified by onnxslim; skip the onnxsim executable
        "-v",
        "error",
    ]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[key] = _OFFLINE_PROXY
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    return env


def _outputs(onnx_path: Path, out_dir: Path, version: str) -> Onnx2TfOutput | None:
    stem = onnx_path.stem
    result = Onnx2TfOutput(
        saved_model=out_dir,
        float32=out_dir / f"{stem}_float32.tflite",
        float16=out_dir / f"{stem}_float16.tflite",
        version=version,
    )
    complete = (out_dir / "saved_model.pb").is_file() and all(
        p.is_file() and p.stat().st_size > 0 for p in (result.float32, result.float16)
    )
    return result if complete and _loads(result.float32) else None


def _loads(path: Path) -> bool:
    from ai_edge_litert.interpreter import Interpreter

    try:
        Interpreter(model_path=str(path)).allocate_tensors()
    except (RuntimeError, ValueError):
        return False
    return True


def run_onnx2tf(onnx_path: Path, workdir: Path, calibration: np.ndarray | None = None) -> Onnx2TfOutput:
    """Convert ``onnx_path`` with onnx2tf in ``workdir``; retry up to ATTEMPTS times on a crash.

    Outputs go to ``workdir/onnx2tf-<sha256 of the ONNX file>``, so exporting several precisions of
    the same model into one workdir converts it once.

    Raises:
        HierAttnError: every attempt failed; the message carries the tail of onnx2tf's log.
    """
    # onnx2tf runs with its own working directory: every path handed to it must be absolute.
    onnx_path, workdir = onnx_path.resolve(), workdir.resolve()
    version = onnx2tf_version()
    base = workdir / f"onnx2tf-{hashlib.sha256(onnx_path.read_bytes()).hexdigest()[:16]}"
    for previous in sorted(base.glob("attempt*")):
        outputs = _outputs(onnx_path, previous, version)
        if outputs is not None:
            return outputs
    base.mkdir(parents=True, exist_ok=True)
    write_sample_file(base, calibration)
    log_tail, code = "", None
    for attempt in range(1, ATTEMPTS + 1):
        out_dir = base / f"attempt{attempt}"
        shutil.rmtree(out_dir, ignore_errors=True)
        log_path = base / f"attempt{attempt}.log"
        with open(log_path, "wb") as log:
            try:
                code = subprocess.run(
                    _command(onnx_path, out_dir),
                    cwd=base,
                    env=_environment(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=TIMEOUT_S,
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                code = None
        outputs = _outputs(onnx_path, out_dir, version) if code == 0 else None
        if outputs is not None:
            return outputs
        log_tail = log_path.read_text(errors="replace")[-1500:]
    raise HierAttnError(
        f"onnx2tf {version} failed {ATTEMPTS} times converting {onnx_path.name} (last exit code "
        f"{code}); see its log tail below and report the model that fails.\n{log_tail}"
    )
