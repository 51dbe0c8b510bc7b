"""Expand command-line inputs (files and directories) into image paths, lazily and in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"})


@dataclass(frozen=True)
class ExpandedInputs:
    """Image paths in input order (directories sorted, walked recursively) and notes on empty ones."""

    paths: list[Path]
    warnings: list[str] = field(default_factory=list)


def iter_inputs(items: Iterable[Path], warnings: list[str] | None = None) -> Iterator[Path]:
    """Yield image paths one at a time, so an archive of any size never sits in memory as a list.

    Files are kept as given (even with an unusual suffix); a directory yields its image files in the
    order of ``sorted(dir.rglob("*"))`` without building that list. ``warnings`` collects a note for
    every directory that holds no images.
    """
    for item in items:
        if not item.is_dir():
            yield item
            continue
        found = False
        for path in _walk_sorted(item):
            found = True
            yield path
        if not found and warnings is not None:
            warnings.append(f"{item}: directory contains no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")


def _walk_sorted(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir():
            yield from _walk_sorted(Path(entry.path))
        elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES:
            yield Path(entry.path)


def expand_inputs(items: Iterable[Path]) -> ExpandedInputs:
    """All of ``iter_inputs`` as a list, for callers that need every path up front."""
    warnings: list[str] = []
    paths = list(iter_inputs(items, warnings))
    return ExpandedInputs(paths, warnings)
