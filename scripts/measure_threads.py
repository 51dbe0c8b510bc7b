"""Throughput of one Classifier shared by N threads versus one thread (docs/runtime_under_load.md).

    .venv/bin/python scripts/measure_threads.py MODEL [--threads 8] [--seconds 4] [--repeats 5] [--concurrency 1 2]

Every thread calls ``predict_tensor`` on a one-image batch in a loop for ``--seconds``, in ``--repeats`` interleaved rounds (medians reported); each inference
uses one intra-op thread, so the numbers show what sharing the classifier buys. For a .tflite model
each ``--concurrency`` value is measured (1 = a plain lock around one interpreter, n = a pool of n).
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path

import numpy as np

from hierattn.runtime import Classifier


def throughput(classifier: Classifier, threads: int, seconds: float) -> float:
    x = np.random.default_rng(0).uniform(0, 1, size=(1, 3, *classifier.spec.input_size)).astype(np.float32)
    classifier.predict_tensor(x)  # warm-up (and the first pool interpreter)
    counts = [0] * threads
    stop = time.perf_counter() + seconds
    start = threading.Barrier(threads + 1)

    def loop(index: int) -> None:
        start.wait()
        while time.perf_counter() < stop:
            classifier.predict_tensor(x)
            counts[index] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    start.wait()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one measurement")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds; medians are reported")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    levels = args.concurrency if args.model.suffix == ".tflite" else [None]
    classifiers = {c: Classifier.load(args.model, threads=1, concurrency=c) for c in levels}
    samples: dict[tuple[int | None, int], list[float]] = {(c, n): [] for c in levels for n in (1, args.threads)}
    for _ in range(args.repeats):  # interleaved, so load from other processes hits every setting alike
        for (concurrency, threads), values in samples.items():
            values.append(throughput(classifiers[concurrency], threads, args.seconds))
    results = []
    for concurrency, classifier in classifiers.items():
        single = statistics.median(samples[(concurrency, 1)])
        shared = statistics.median(samples[(concurrency, args.threads)])
        results.append({"concurrency": concurrency, "single_thread_per_s": round(single, 2),
                        "shared_per_s": round(shared, 2), "speedup": round(shared / single, 2),
                        "single_range": [round(min(samples[(concurrency, 1)]), 2), round(max(samples[(concurrency, 1)]), 2)],
                        "shared_range": [round(min(samples[(concurrency, args.threads)]), 2),
                                         round(max(samples[(concurrency, args.threads)]), 2)],
                        "interpreters": getattr(classifier.backend, "interpreters", None)})
    backend = next(iter(classifiers.values())).backend.name
    print(json.dumps({"model": str(args.model), "backend": backend, "threads": args.threads,
                      "seconds": args.seconds, "repeats": args.repeats, "results": results}, indent=2))


if __name__ == "__main__":
    main()
