"""Parsers of benchmark_model and app output, on real-format transcripts in tests/fixtures/benchmark_model."""

from __future__ import annotations

from pathlib import Path

import pytest

from hierattn.benchmarks.devices.android_parse import (
    ParseError,
    parse_app_event,
    parse_app_logcat,
    parse_benchmark_model,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "benchmark_model"


def read(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_plain_stdout_gives_timed_run_not_warmup() -> None:
    result = parse_benchmark_model(read("plain_stdout.txt"))
    assert result.inference.count == 55
    assert result.warmup is not None and result.warmup.count == 27
    latency = result.latency_ms()
    assert latency["mean_ms"] == pytest.approx(18.2416)
    assert latency["min_ms"] == pytest.approx(17.755)
    assert latency["max_ms"] == pytest.approx(19.870)
    assert latency["std_ms"] == pytest.approx(0.398)
    assert latency["median_ms"] is None  # benchmark_model prints no median
    assert result.init_ms == pytest.approx(61.532)
    assert result.timings_us["First inference"] == pytest.approx(30412)
    assert result.timings_us["Inference (avg)"] == pytest.approx(18241.6)
    assert result.footprint_delta_mb == pytest.approx((14.5742, 27.8125))
    assert result.peak_memory_mb == pytest.approx(33.5039)


def test_logcat_prefixes_are_ignored() -> None:
    result = parse_benchmark_model(read("logcat.txt"))
    assert result.inference.count == 84
    assert result.warmup is not None and result.warmup.count == 41
    assert result.latency_ms()["mean_ms"] == pytest.approx(12.0629)
    assert result.init_ms == pytest.approx(112.87)
    assert result.peak_memory_mb is None
    assert result.footprint_delta_mb == pytest.approx((20.1133, 41.7266))


def test_all_same_and_scientific_notation() -> None:
    result = parse_benchmark_model(read("all_same_scientific.txt"))
    assert result.inference.all_same and result.inference.count == 3
    latency = result.latency_ms()
    for key in ("mean_ms", "min_ms", "max_ms", "median_ms"):
        assert latency[key] == pytest.approx(1204.11)
    assert latency["std_ms"] == 0.0
    assert result.warmup is not None and result.warmup.count == 1
    assert result.warmup.get("avg") == pytest.approx(2.95034e6)
    assert result.init_ms == pytest.approx(2900.0)
    assert result.timings_us["First inference"] == pytest.approx(2.95034e6)


def test_failed_run_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="count="):
        parse_benchmark_model(read("truncated.txt"))


def test_app_result_is_read_once_done() -> None:
    result = parse_app_logcat(read("app_logcat.txt"), "1732240000000")
    assert result is not None
    assert result["median_ms"] == pytest.approx(12.31)
    assert result["p90_ms"] == pytest.approx(13.02)
    assert result["threads"] == 4 and result["iterations"] == 50
    assert result["file"].endswith("1732240000000.json")


def test_app_run_still_going_returns_none() -> None:
    running = "\n".join(read("app_logcat.txt").splitlines()[:2])
    assert parse_app_logcat(running, "1732240000000") is None
    assert parse_app_logcat(read("app_logcat.txt"), "999") is None  # another run's lines are ignored


def test_app_error_carries_the_message() -> None:
    with pytest.raises(ParseError, match=r"not in assets; copy it with \./gradlew copyModel"):
        parse_app_logcat(read("app_logcat_error.txt"), "1732240100000")


def test_app_event_message_runs_to_end_of_line() -> None:
    event, fields = parse_app_event("E HierAttnBench: done run_id=1 status=error message=a b=c d")
    assert event == "done" and fields["message"] == "a b=c d" and fields["status"] == "error"
