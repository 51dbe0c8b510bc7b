"""One Classifier shared by 8 threads gives exactly the single-threaded results (ONNX Runtime, LiteRT).

Every thread classifies the same images and tensors in its own order, with batch sizes 1 and 3, many
times over; any cross-talk between calls (a shared interpreter's input tensor overwritten mid-call)
shows up as a result that differs from the single-threaded one.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from hierattn.runtime import Classifier

pytestmark = pytest.mark.slow
THREADS = 8
ROUNDS = 3


@pytest.mark.parametrize("fmt", ["onnx", "tflite"])
def test_eight_threads_match_single_threaded(sealed_models: dict[str, Path], stream_archive: Path, fmt: str) -> None:
    classifier = Classifier.load(sealed_models[fmt], threads=1, concurrency=4)
    images = sorted(stream_archive.rglob("*.png"))[::25][:8]
    tensors = np.random.default_rng(3).uniform(0, 1, size=(6, 3, 256, 256)).astype(np.float32)
    expected_logits = [classifier.predict_tensor(tensors[i : i + 3]) for i in (0, 3)]
    expected_labels = [classifier.predict(image).to_dict()["probabilities"] for image in images]
    failures: list[str] = []
    start = threading.Barrier(THREADS)

    def hammer(worker: int) -> None:
        rng = np.random.default_rng(worker)
        start.wait()
        try:
            for _ in range(ROUNDS):
                for i in rng.permutation(len(images)):
                    got = classifier.predict(images[i]).to_dict()["probabilities"]
                    if got != expected_labels[i]:
                        failures.append(f"thread {worker} image {images[i].name}: {got} != {expected_labels[i]}")
                for k in rng.permutation(2):
                    got = classifier.predict_tensor(tensors[3 * k : 3 * k + 3])
                    if not np.array_equal(got, expected_logits[k]):
                        failures.append(f"thread {worker} batch {k}: max diff {np.abs(got - expected_logits[k]).max()}")
        except Exception as exc:  # a crash in a thread must fail the test, not vanish
            failures.append(f"thread {worker}: {type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=hammer, args=(w,)) for w in range(THREADS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert not failures, failures[:5]
    if fmt == "tflite":
        assert 1 < classifier.backend.interpreters <= 4  # the pool grew under load and stayed bounded
