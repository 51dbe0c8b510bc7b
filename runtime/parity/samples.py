"""What every golden vectors file records besides whole images: byte hashes and fixed tensor positions."""

from __future__ import annotations

import hashlib

import numpy as np

GOLDEN_FORMAT_VERSION = 1


def sha256(array: np.ndarray) -> str:
    """sha256 of the array's bytes in C order (the ports hash their row-major buffers)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def sample_positions(height: int, width: int) -> list[tuple[int, int, int]]:
    """Eight fixed (c, y, x) positions: the corners, the centre and three interior points."""
    return [
        (0, 0, 0),
        (1, 0, width - 1),
        (2, height - 1, 0),
        (0, height - 1, width - 1),
        (1, height // 2, width // 2),
        (2, height // 4, 3 * width // 4),
        (0, 25 * height // 32, width // 7),
        (1, height // 15, 25 * width // 64),
    ]
