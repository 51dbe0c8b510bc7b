"""Write artifacts so the output path only ever holds a complete file (or the previous one).

The converter writes into a temporary directory inside the output directory (same filesystem),
then ``os.replace`` moves the finished file into place in one step. Package directories
(``.mlpackage``) cannot be replaced atomically over an existing directory, so the old one is first
renamed aside, the new one renamed in, and only then the old one deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..runtime.errors import UsageError

TEMP_PREFIX = ".hierattn-export-"


def missing_ancestors(directory: Path) -> list[Path]:
    """``directory`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    for path in (directory, *directory.parents):
        if path.exists():
            break
        missing.append(path)
    return missing


@contextlib.contextmanager
def removed_if_left_empty(created: list[Path]) -> Iterator[None]:
    """On failure, remove the directories in ``created`` (deepest first) that are still empty, so a
    run that stops before writing anything leaves no trace on disk."""
    try:
        yield
    except BaseException:
        for path in created:
            try:
                path.rmdir()
            except OSError:  # not empty (or gone): its parents are not empty either
                break
        raise


def ensure_writable_dir(directory: Path) -> None:
    """Create ``directory`` if needed; raise a UsageError when it cannot be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Cannot create output directory {directory} ({exc.strerror}); choose another --output.") from exc
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"Output directory {directory} is not writable; choose another --output or fix its permissions.")


@contextlib.contextmanager
def temp_dir(directory: Path) -> Iterator[Path]:
    """A scratch directory inside ``directory``, removed on exit whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=directory))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def move_into_place(source: Path, destination: Path) -> None:
    """Move a finished file or directory to ``destination``, replacing what was there."""
    if source.is_dir():
        old = destination.with_name(f"{TEMP_PREFIX}old-{destination.name}")
        if destination.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(destination, old)
        try:
            os.replace(source, destination)
        except BaseException:
            if old.exists() and not destination.exists():
                os.replace(old, destination)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, destination)


_received: list[int] = []


def _raise_interrupt(signum: int, frame: object) -> None:
    _received.append(signum)
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def interrupts_raised() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise KeyboardInterrupt and are remembered.

    Remembered because a converter may catch the exception: torch's ONNX exporter treats a failed
    capture strategy as a reason to try the next one, so a Ctrl-C could be swallowed and the export
    finish. ``raise_if_interrupted`` turns a remembered signal back into KeyboardInterrupt.
    """
    _received.clear()
    try:
        previous = {signum: signal.signal(signum, _raise_interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received.clear()


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a signal arrived in ``interrupts_raised``, even if a library caught it."""
    if _received:
        raise KeyboardInterrupt(f"signal {_received[0]}")


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while artifact and sidecar are moved, so they always change together;
    a signal that arrived meanwhile raises KeyboardInterrupt right after the block."""
    received: list[int] = []
    try:
        previous = {
            signum: signal.signal(signum, lambda number, frame: received.append(number))
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        raise KeyboardInterrupt(f"signal {received[0]}")
