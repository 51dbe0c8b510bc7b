"""Drive a stream of images through a Classifier with a progress bar and a throughput summary.

Shared by ``hierattn-predict --jsonl/--csv-out`` and ``hierattn-eval``: both walk their inputs
lazily, hand the rows of every finished chunk to a callback (a ResultSink, or an accumulator of
probabilities), and report images/s and the error count at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..classifier import Classifier
from ..errors import HierAttnError
from .report import Row
from .stream import StreamOptions, classify_stream


@dataclass(frozen=True)
class RunSummary:
    """What a run did; ``skipped`` counts images a resumed output file already held as results,
    ``retried`` the images whose earlier row there was an error and that ran again."""

    classified: int
    errors: int
    skipped: int
    seconds: float
    retried: int = 0

    @property
    def images_per_second(self) -> float:
        return self.classified / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        text = (f"{self.classified} image(s) in {self.seconds:.1f} s ({self.images_per_second:.1f} images/s), "
                f"{self.errors} error(s)")
        text += f", {self.skipped} already done" if self.skipped else ""
        return text + (f", {self.retried} retried (their earlier row was an error)" if self.retried else "")

    def to_dict(self) -> dict[str, float | int]:
        return {"classified": self.classified, "errors": self.errors, "skipped": self.skipped, "retried": self.retried,
                "seconds": round(self.seconds, 3), "images_per_second": round(self.images_per_second, 2)}


def run_stream(
    classifier: Classifier,
    paths: Iterable[Path],
    options: StreamOptions,
    consume: Callable[[list[Row]], None],
    total: int | None = None,
    skipped: int = 0,
) -> RunSummary:
    """Classify ``paths`` chunk by chunk, passing each chunk's rows to ``consume`` as soon as it is done."""
    classified = errors = 0
    started = time.perf_counter()
    with _progress(total) as advance:
        for rows in classify_stream(classifier, paths, options):
            consume(rows)
            failed = sum(isinstance(row.outcome, HierAttnError) for row in rows)
            classified += len(rows)
            errors += failed
            advance(len(rows), classified / max(time.perf_counter() - started, 1e-9), errors)
    return RunSummary(classified, errors, skipped, time.perf_counter() - started)


@contextmanager
def _progress(total: int | None) -> Iterator[Callable[[int, float, int], None]]:
    """``advance(n, rate, errors)``; a rich bar on a terminal, silent when stderr is piped."""
    if not sys.stderr.isatty():
        yield lambda n, rate, errors: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:.1f} images/s"), TextColumn("{task.fields[errors]} errors"),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("classifying", total=total, rate=0.0, errors=0)
        yield lambda n, rate, errors: progress.update(task, advance=n, rate=rate, errors=errors)
