"""Expand command-line inputs (files and directories) into image paths, lazily and in a stable order.

Inside directories, hidden entries are skipped by default: names starting with ``.``, which covers
the ``._*`` AppleDouble files macOS writes into archives and zips (resource forks that look like
JPEGs by name but do not decode). A file named on the command line is always kept.
"""

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


def iter_inputs(items: Iterable[Path], warnings: list[str] | None = None, include_hidden: bool = False) -> Iterator[Path]:
    """Yield image paths one at a time, so an archive of any size never sits in memory as a list.

    Files are kept as given (even with an unusual suffix or a leading dot); a directory yields its image
    files in the order of ``sorted(dir.rglob("*"))`` without building that list, leaving out hidden files
    and folders unless ``include_hidden``. ``warnings`` collects a note for every directory that holds no
    images and for every directory walk that skipped hidden entries.
    """
    for item in items:
        if not item.is_dir():
            yield item
            continue
        found = False
        hidden = [0]
        for path in _walk_sorted(item, include_hidden, hidden):
            found = True
            yield path
        if warnings is None:
            continue
        if hidden[0]:
            warnings.append(f"{item}: skipped {hidden[0]} hidden file(s) or folder(s) (names starting with '.', "
                            "such as macOS ._* files); pass --include-hidden to classify them")
        if not found:
            warnings.append(f"{item}: directory contains no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")


def _walk_sorted(folder: Path, include_hidden: bool, hidden: list[int]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") and not include_hidden:
            hidden[0] += 1
            continue
        if entry.is_dir():
            yield from _walk_sorted(Path(entry.path), include_hidden, hidden)
        elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES:
            yield Path(entry.path)


def expand_inputs(items: Iterable[Path], include_hidden: bool = False) -> ExpandedInputs:
    """All of ``iter_inputs`` as a list, for callers that need every path up front."""
    warnings: list[str] = []
    paths = list(iter_inputs(items, warnings, include_hidden))
    return ExpandedInputs(paths, warnings)
