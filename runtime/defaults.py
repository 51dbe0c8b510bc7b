"""Where the bundled demo assets live: the default model, its checkpoint and the sample images.

The runtime owns them because it is the bottom layer: ``hierattn-predict`` runs the default ONNX
file without torch, and every layer above may read the same paths. The demo model is HierAttn-xs
trained on synthetic images: demo only, not for clinical use (see assets/default/MODEL_CARD.md).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ModelFileError

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_CHECKPOINT = ASSETS / "default" / "hierattn_xs_demo.pt"
DEFAULT_ONNX = ASSETS / "default" / "hierattn_xs_demo.onnx"
SAMPLES = ASSETS / "samples"


def _existing(path: Path, what: str) -> Path:
    if not path.exists():
        raise ModelFileError(
            f"The bundled {what} is missing ({path}); reinstall hierattn or regenerate it with "
            "'python -m hierattn.training.demo OUTDIR --install'."
        )
    return path


def default_model_path() -> Path | None:
    """The bundled demo model (ONNX fp32), what ``hierattn-predict`` uses without ``--model``; None if missing."""
    return DEFAULT_ONNX if DEFAULT_ONNX.exists() else None


def default_checkpoint_path() -> Path:
    """The bundled demo PyTorch checkpoint."""
    return _existing(DEFAULT_CHECKPOINT, "demo checkpoint")


def sample_images_dir(kind: str) -> Path:
    """Bundled synthetic sample images: ``kind`` is "calibration" or "validation"."""
    if kind not in ("calibration", "validation"):
        raise ValueError(f"kind must be 'calibration' or 'validation', got {kind!r}")
    return _existing(SAMPLES / kind, f"{kind} image set")
