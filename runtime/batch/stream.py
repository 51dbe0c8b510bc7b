"""Classify a stream of image paths with parallel workers and batched inference, in bounded memory.

Paths are cut into chunks of ``batch_size``; each worker thread decodes, preprocesses and classifies a
whole chunk (one batched inference call) on the shared, thread-safe Classifier. At most
``2 * workers`` chunks are in flight, so memory does not grow with the archive, and results come
back in input order whatever order the workers finish in.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..classifier import Classifier
from ..errors import UsageError
from .report import Row


@dataclass(frozen=True)
class StreamOptions:
    """How to run a stream.

    Attributes:
        workers: threads that decode, preprocess and run inference side by side.
        batch_size: images per inference call (backends with a fixed batch of 1 loop inside).
        top_k: ranked classes per image.
        crop: apply the circle crop when the model's spec enables it.
    """

    workers: int = 1
    batch_size: int = 8
    top_k: int = 3
    crop: bool = True

    def __post_init__(self) -> None:
        if self.workers < 1 or self.batch_size < 1:
            raise UsageError(f"workers and batch size must be at least 1, got {self.workers} and {self.batch_size}.")


def chunked(items: Iterable[Path], size: int) -> Iterator[list[Path]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def classify_stream(classifier: Classifier, paths: Iterable[Path], options: StreamOptions) -> Iterator[list[Row]]:
    """Yield one list of Rows per chunk, in input order; bad images become error rows."""

    def work(chunk: list[Path]) -> list[Row]:
        outcomes = classifier.predict_batch(chunk, top_k=options.top_k, crop=options.crop)
        return [Row(path, outcome) for path, outcome in zip(chunk, outcomes, strict=True)]

    if options.workers == 1:  # no thread hop: the simplest path is also the 1-worker baseline
        for chunk in chunked(paths, options.batch_size):
            yield work(chunk)
        return
    pending: deque[Future[list[Row]]] = deque()
    with ThreadPoolExecutor(options.workers, thread_name_prefix="hierattn-worker") as pool:
        try:
            for chunk in chunked(paths, options.batch_size):
                pending.append(pool.submit(work, chunk))
                if len(pending) >= 2 * options.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:  # the consumer stopped early (error, Ctrl-C): drop queued work
                future.cancel()
