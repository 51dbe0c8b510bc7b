"""Append-only result files (JSONL or CSV) that survive a killed run and can be resumed.

Every image is one line, written with a single ``write`` and flushed after each chunk, so a SIGKILL
loses at most the chunk in flight and can leave at most one partial last line. Opening with
``resume=True`` cuts that partial line off, reads the paths already present and lets the caller skip
them: no row is lost and none is written twice. The data reaches the operating system on every
flush, which is what survives a killed process (a power cut needs fsync; see docs/runtime_under_load.md).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from .report import Row, csv_fields, csv_header

FORMATS = ("jsonl", "csv")


class ResultSink:
    """Writes Rows to ``path`` (or stdout for ``-``) as JSONL or CSV lines."""

    def __init__(self, path: Path | str, fmt: str, class_names: tuple[str, ...], resume: bool = False) -> None:
        if fmt not in FORMATS:
            raise UsageError(f"Unknown output format {fmt!r}; choose from {', '.join(FORMATS)}.")
        self.path, self.fmt, self.class_names = str(path), fmt, class_names
        self.done: set[str] = set()
        self.repaired_bytes = 0
        if self.path == "-":
            if resume:
                raise UsageError("--resume needs an output file, not stdout ('-').")
            self._file: IO[str] = sys.stdout
        else:
            self._file = self._open_file(Path(path), resume)
        if fmt == "csv" and (self.path == "-" or Path(path).stat().st_size == 0):
            self._file.write(self._line(csv_header(class_names)))
            self._file.flush()

    def _open_file(self, path: Path, resume: bool) -> IO[str]:
        exists = path.is_file() and path.stat().st_size > 0
        if exists and not resume:
            raise UsageError(f"{path} already exists; pass --resume to skip the images it holds, or choose another file.")
        if exists:
            self.repaired_bytes = _cut_partial_line(path)
            self.done = self._read_done(path)
        try:
            return open(path, "a", encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"Cannot write results to {path} ({exc}); choose a writable path.") from exc

    def _read_done(self, path: Path) -> set[str]:
        done: set[str] = set()
        with open(path, encoding="utf-8", newline="") as handle:
            if self.fmt == "csv":
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is not None and header != csv_header(self.class_names):
                    raise UsageError(f"{path} holds CSV with other columns than this model's; resume with the model that wrote it.")
                done.update(record[0] for record in reader if record)
                return done
            for number, line in enumerate(handle, 1):
                try:
                    done.add(json.loads(line)["path"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise UsageError(
                        f"{path} line {number} is not a hierattn result; resume only files that hierattn-predict wrote."
                    ) from None
        return done

    def _line(self, fields: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(fields)
        return buffer.getvalue()

    def write(self, rows: list[Row]) -> None:
        """Append the rows and flush them to the operating system."""
        self.write_dicts([row.to_dict() for row in rows])

    def write_dicts(self, rows: list[dict[str, Any]]) -> None:
        """Append rows already in ``Row.to_dict()`` form (as they come back from Ray workers)."""
        if self.fmt == "jsonl":
            text = "".join(json.dumps(row) + "\n" for row in rows)
        else:
            text = "".join(self._line(csv_fields(row, self.class_names)) for row in rows)
        self._file.write(text)
        self._file.flush()

    def close(self) -> None:
        if self._file is not sys.stdout:
            self._file.close()

    def __enter__(self) -> ResultSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
