"""Result files (JSONL or CSV) that survive a killed run, resume, and end with one row per input.

Every image is one line, written with a single ``write`` and flushed after each chunk, so a SIGKILL
loses at most the chunk in flight and can leave at most one partial last line. Opening with
``resume=True`` cuts that partial line off and reads the rows already present: inputs whose latest
row is a result are skipped, inputs whose latest row is an error run again. A retried input's new row
is appended, so until the run ends the file may hold an older row too (a reader takes the last row of
a path); when the run ends, the superseded rows are dropped by writing a new file beside the old one
and renaming it over it, so a kill at any moment leaves either the old file or the new one.

Every row records the sha256 of the model that produced it (``model_sha256``), and resuming a file
with another model is refused. The data reaches the operating system on every flush, which is what
survives a killed process (a power cut needs fsync; see docs/runtime_under_load.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from .report import Row, csv_fields, csv_header

FORMATS = ("jsonl", "csv")


@dataclass
class FileState:
    """What a results file already holds: the latest outcome per path and how many rows are superseded."""

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    rows: int = 0
    unrecorded: int = 0  # rows without a model_sha256 (written by hierattn before it recorded one)

    @property
    def superseded(self) -> int:
        return self.rows - len(self.done) - len(self.failed)

    def add(self, path: str, ok: bool) -> None:
        self.rows += 1
        (self.failed if ok else self.done).discard(path)
        (self.done if ok else self.failed).add(path)


class ResultSink:
    """Writes Rows to ``path`` (or stdout for ``-``) as JSONL or CSV lines, tagged with the model's sha256."""

    def __init__(
        self,
        path: Path | str,
        fmt: str,
        class_names: tuple[str, ...],
        resume: bool = False,
        model_sha256: str = "",
    ) -> None:
        if fmt not in FORMATS:
            raise UsageError(f"Unknown output format {fmt!r}; choose from {', '.join(FORMATS)}.")
        self.path, self.fmt, self.class_names, self.model_sha256 = str(path), fmt, class_names, model_sha256
        self.state = FileState()
        self.repaired_bytes = 0
        self.retried = 0
        if self.path == "-":
            if resume:
                raise UsageError("--resume needs an output file, not stdout ('-').")
            self._file: IO[str] = sys.stdout
        else:
            self._file = self._open_file(Path(path), resume)
        if fmt == "csv" and (self.path == "-" or Path(path).stat().st_size == 0):
            self._file.write(_line(csv_header(class_names)))
            self._file.flush()

    @property
    def done(self) -> set[str]:
        """Paths whose latest row is a result: a resumed run skips them (error rows run again)."""
        return self.state.done

    def _open_file(self, path: Path, resume: bool) -> IO[str]:
        exists = path.is_file() and path.stat().st_size > 0
        if exists and not resume:
            raise UsageError(
                f"{path} already exists; pass --resume to keep its results and retry its errors, or choose another file."
            )
        if exists:
            self.repaired_bytes = _cut_partial_line(path)
            self.state = self._read_state(path)
        try:
            return open(path, "a", encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"Cannot write results to {path} ({exc}); choose a writable path.") from exc

    def _read_state(self, path: Path) -> FileState:
        state = FileState()
        for number, row in _rows(path, self.fmt, self.class_names):
            recorded = row.get("model_sha256") or ""
            if not recorded:
                state.unrecorded += 1
            elif self.model_sha256 and recorded != self.model_sha256:
                raise UsageError(
                    f"{path} holds results of another model (line {number}: model sha256 {recorded[:16]}..., "
                    f"this model: {self.model_sha256[:16]}...); resume with the model that wrote it, or write "
                    "to another file."
                )
            state.add(row["path"], not row.get("error"))
        return state

    def write(self, rows: list[Row]) -> None:
        """Append the rows and flush them to the operating system."""
        self.write_dicts([row.to_dict() for row in rows])

    def write_dicts(self, rows: list[dict[str, Any]]) -> None:
        """Append rows already in ``Row.to_dict()`` form (as they come back from Ray workers)."""
        tagged = [{**row, "model_sha256": self.model_sha256} for row in rows]
        if self.fmt == "jsonl":
            text = "".join(json.dumps(row) + "\n" for row in tagged)
        else:
            text = "".join(_line(csv_fields(row, self.class_names)) for row in tagged)
        self._file.write(text)
        self._file.flush()
        for row in rows:
            if row["path"] in self.state.failed:
                self.retried += 1
            self.state.add(row["path"], not row.get("error"))

    def close(self, compact: bool = True) -> None:
        """Close the file; with ``compact``, drop rows a later row of the same path superseded."""
        if self._file is sys.stdout:
            return
        self._file.close()
        if compact and self.state.superseded > 0:
            compact_results(Path(self.path), self.fmt, self.class_names)

    def __enter__(self) -> ResultSink:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(compact=exc_type is None)  # an interrupted run leaves the rows; the next resume reads the last


def _line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def _rows(path: Path, fmt: str, class_names: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) for every row of a results file; raise UsageError on a file hierattn did not write."""
    with open(path, encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is not None and header != csv_header(class_names):
                raise UsageError(
                    f"{path} holds CSV with other columns than this model's; resume with the model (and the "
                    "hierattn version) that wrote it, or write to another file."
                )
            for number, record in enumerate(reader, 2):
                if record:
                    row = dict(zip(header or [], record, strict=False))
                    yield number, row
            return
        for number, line in enumerate(handle, 1):
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row["path"], str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                raise UsageError(
                    f"{path} line {number} is not a hierattn result; resume only files that hierattn-predict wrote."
                ) from None
            yield number, row


def compact_results(path: Path, fmt: str, class_names: tuple[str, ...]) -> int:
    """Rewrite ``path`` keeping only the last row of each input, atomically; return the rows dropped.

    The new file is written next to the old one, flushed to disk, then renamed over it, so a kill at
    any point leaves a complete file (the old or the new); a leftover temporary file is a dotfile.
    """
    last: dict[str, int] = {}
    for number, row in _rows(path, fmt, class_names):
        last[row["path"]] = number
    keep = set(last.values())
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    dropped = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out, open(path, encoding="utf-8", newline="") as src:
            for number, line in enumerate(src, 1):
                if (fmt == "csv" and number == 1) or number in keep:
                    out.write(line)
                else:
                    dropped += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return dropped


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows opening a directory."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _cut_partial_line(path: Path) -> int:
    """Truncate ``path`` after its last newline; return how many bytes of a partial line were dropped."""
    with open(path, "rb+") as handle:
        size = handle.seek(0, 2)
        keep, step = size, 1 << 16
        while keep > 0:
            start = max(0, keep - step)
            handle.seek(start)
            block = handle.read(keep - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            keep = start
        handle.truncate(keep)
    return size - keep
