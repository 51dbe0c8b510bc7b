"""Expand command-line inputs (files and directories) into an ordered list of image paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"})


@dataclass(frozen=True)
class ExpandedInputs:
    """Image paths in input order (directories sorted, walked recursively) and notes on empty ones."""

    paths: list[Path]
    warnings: list[str] = field(default_factory=list)


def expand_inputs(items: Iterable[Path]) -> ExpandedInputs:
    """Files are kept as given (even with an unusual suffix); directories contribute their image files."""
    paths: list[Path] = []
    warnings: list[str] = []
    for item in items:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                warnings.append(f"{item}: directory contains no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")
            paths.extend(found)
        else:
            paths.append(item)
    return ExpandedInputs(paths, warnings)
