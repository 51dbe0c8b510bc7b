"""Interleaved timing and configuration checks of the CPU harness (no model needed)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from hierattn.benchmarks.artifacts import Artifact
from hierattn.benchmarks.timing import harness, runners
from hierattn.runtime.errors import UsageError


class CountingRunner(runners.Runner):
    """A real Runner subclass whose 'inference' only records when it ran."""

    backend = "counting"

    def __init__(self, name: str, calls: list[str]) -> None:
        super().__init__(1, 1)
        self.name, self.calls = name, calls

    def run(self) -> None:
        self.calls.append(self.name)


def make_cases(names: list[str], calls: list[str]) -> list[harness._Case]:
    info = harness.ModelInfo("m", "M", "file")
    return [harness._Case(Artifact("m", "onnx", "fp32", Path(n)), info, CountingRunner(n, calls)) for n in names]


def test_rows_are_interleaved_across_rounds() -> None:
    calls: list[str] = []
    cases = make_cases(["a", "b", "c"], calls)
    config = harness.BenchConfig(models=(), model_files=(Path("x.onnx"),), warmup=2, iters=7, rounds=4)
    harness._time_interleaved(cases, config)
    assert [len(c.samples) for c in cases] == [7, 7, 7]
    timed = calls[6:]  # after 2 warm-up runs of each of the 3 rows
    assert len(timed) == 21
    switches = sum(1 for x, y in itertools.pairwise(timed) if x != y)
    assert switches >= 3 * 4 - 1 - 3  # every round visits every row, not one row after another
    assert calls[:6] == ["a", "a", "b", "b", "c", "c"]


def test_seconds_budget_takes_at_least_one_sample_per_round() -> None:
    calls: list[str] = []
    cases = make_cases(["a", "b"], calls)
    config = harness.BenchConfig(models=(), model_files=(Path("x.onnx"),), warmup=0, iters=None, seconds=0.01, rounds=3)
    harness._time_interleaved(cases, config)
    assert all(len(c.samples) >= 3 for c in cases)


@pytest.mark.parametrize(
    "changes",
    [
        {"iters": None, "seconds": None},
        {"iters": 10, "seconds": 1.0},
        {"iters": 0},
        {"rounds": 0},
        {"formats": ("caffe",)},
        {"models": ("resnet50",)},
        {"models": (), "model_files": ()},
    ],
)
def test_invalid_configs_are_usage_errors(changes: dict[str, object]) -> None:
    config = harness.BenchConfig(**{"models": ("hierattn_xs",), **changes})  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        config.validate()


def test_missing_model_file_is_a_usage_error(tmp_path: Path) -> None:
    config = harness.BenchConfig(models=(), model_files=(tmp_path / "nope.onnx",))
    with pytest.raises(UsageError, match=r"nope\.onnx"):
        harness.run_cpu(config, lambda _: None)
