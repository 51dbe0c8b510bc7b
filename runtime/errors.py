"""Error types for problems a user can cause.

Every user-facing failure (bad path, corrupt image, wrong checkpoint, missing optional backend) is a
``HierAttnError`` carrying one sentence that says what was wrong and how to fix it. The command-line
tools print that sentence on stderr and exit non-zero instead of showing a traceback.
"""

from __future__ import annotations


class HierAttnError(Exception):
    """Base class for errors caused by user input or environment; the message is shown as is."""

    exit_code: int = 1


class UsageError(HierAttnError):
    """Invalid combination of options or arguments (exit code 2, like a CLI usage error)."""

    exit_code = 2


class InvalidImageError(HierAttnError):
    """The input is not a decodable image, or is unsafe to decode (decompression bomb)."""


class ModelFileError(HierAttnError):
    """A model artifact or its metadata is missing, unreadable or inconsistent."""


class CheckpointError(HierAttnError):
    """A PyTorch checkpoint cannot be loaded: corrupt, unsafe, or not matching the architecture."""


class MissingBackendError(HierAttnError):
    """An optional dependency (backend, converter) is not installed; the message names the extra."""


def missing_backend(module: str, extra: str, purpose: str) -> MissingBackendError:
    """Build the standard error for an optional package that is not installed."""
    return MissingBackendError(
        f"{purpose} needs the Python package '{module}', which is not installed. "
        f"Install it with: pip install 'hierattn[{extra}]'"
    )
