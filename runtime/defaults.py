"""Where the bundled default model would come from, when ``--model`` is not given."""

from __future__ import annotations

from pathlib import Path


def default_model_path() -> Path | None:
    """The bundled demo model shipped inside the package, or None while no such asset exists."""
    return None
