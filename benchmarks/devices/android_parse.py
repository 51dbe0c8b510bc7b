"""Parsers for what phones print: LiteRT's ``benchmark_model`` and the sample app's benchmark mode.

``benchmark_model`` logs through TFLite's logger, so its lines look like ``INFO: count=50 first=...``
on stdout and gain a logcat prefix (``11-22 10:00:00.123  1234  1234 I tflite  : INFO: ...``) when
read from logcat. Statistics come from a ``Stat`` printer: ``count=N first=F curr=C min=A max=B
avg=M std=S`` (microseconds; doubles may be in scientific notation such as ``2.95034e+06``), or
``count=N curr=C(all same)`` / ``count=1 curr=C`` when every sample is equal. The app's format is
specified in docs/android.md (tag ``HierAttnBench``, ``<event> key=value ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...runtime.errors import HierAttnError

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_STAT_LINE = re.compile(rf"\bcount=(\d+)((?:\s+[a-z0-9_]+={NUMBER})*)\s*(\(all same\))?")
_PAIR = re.compile(rf"([a-z0-9_]+)=({NUMBER})")
_TIMINGS = re.compile(r"Inference timings in us:\s*(.*)")
_TIMING_ITEM = re.compile(rf"([A-Za-z][A-Za-z ()]*?):\s*({NUMBER})")
_FOOTPRINT = re.compile(rf"Memory footprint delta from the start of the tool \(MB\):\s*init=({NUMBER})\s+overall=({NUMBER})")
_PEAK = re.compile(rf"[Pp]eak memory footprint \(MB\)[^:]*:\s*({NUMBER})")
_INIT = re.compile(rf"Initialized session in ({NUMBER})\s*ms")
_RUNNING = re.compile(r"Running benchmark for at least (\d+) iterations")
_APP_LINE = re.compile(r"HierAttnBench\s*:\s*(start|result|done)\s+(.*)$")


class ParseError(HierAttnError):
    """The phone's output did not contain a complete benchmark result."""


@dataclass(frozen=True)
class StatLine:
    """One ``count=...`` line; times in microseconds. ``all_same``: every sample equals ``curr``."""

    count: int
    values: dict[str, float]
    all_same: bool = False

    def get(self, key: str) -> float:
        """A statistic; for an all-same (or single-sample) line every statistic equals ``curr``."""
        if key in self.values:
            return self.values[key]
        if key == "std" and (self.all_same or self.count == 1):
            return 0.0
        if self.all_same or self.count == 1:
            return self.values["curr"]
        raise KeyError(key)


@dataclass(frozen=True)
class BenchmarkModelResult:
    """What one ``benchmark_model`` run reported. Times in microseconds unless named _ms."""

    warmup: StatLine | None
    inference: StatLine
    timings_us: dict[str, float] = field(default_factory=dict)
    init_ms: float | None = None
    footprint_delta_mb: tuple[float, float] | None = None
    peak_memory_mb: float | None = None

    def latency_ms(self) -> dict[str, float | None]:
        stat = self.inference
        median = stat.values.get("median") if not (stat.all_same or stat.count == 1) else stat.get("curr")
        return {
            "mean_ms": stat.get("avg") / 1000.0,
            "min_ms": stat.get("min") / 1000.0,
            "max_ms": stat.get("max") / 1000.0,
            "std_ms": stat.get("std") / 1000.0,
            "median_ms": median / 1000.0 if median is not None else None,
            "p90_ms": stat.values["p90"] / 1000.0 if "p90" in stat.values else None,
        }


def _stat(line: str) -> StatLine | None:
    match = _STAT_LINE.search(line)
    if match is None:
        return None
    values = {k: float(v) for k, v in _PAIR.findall(match.group(2) or "")}
    return StatLine(int(match.group(1)), values, match.group(3) is not None)


def parse_benchmark_model(text: str) -> BenchmarkModelResult:
    """Parse ``benchmark_model`` output (plain stdout or logcat lines).

    The last ``count=`` line after the last "Running benchmark" banner is the timed run; a ``count=``
    line before it is the warm-up. Raises ParseError when no timed statistics are found.
    """
    stats: list[StatLine] = []
    timings: dict[str, float] = {}
    init_ms = footprint = peak = None
    for line in text.splitlines():
        if (stat := _stat(line)) is not None:
            stats.append(stat)
        elif (m := _TIMINGS.search(line)) is not None:
            timings = {k.strip(): float(v) for k, v in _TIMING_ITEM.findall(m.group(1))}
        elif (m := _FOOTPRINT.search(line)) is not None:
            footprint = (float(m.group(1)), float(m.group(2)))
        elif (m := _PEAK.search(line)) is not None:
            peak = float(m.group(1))
        elif (m := _INIT.search(line)) is not None:
            init_ms = float(m.group(1))
    if not stats:
        raise ParseError("benchmark_model printed no timing statistics (no 'count=' line); see its output above.")
    if init_ms is None and "Init" in timings:
        init_ms = timings["Init"] / 1000.0
    return BenchmarkModelResult(
        warmup=stats[-2] if len(stats) > 1 else None,
        inference=stats[-1],
        timings_us=timings,
        init_ms=init_ms,
        footprint_delta_mb=footprint,
        peak_memory_mb=peak,
    )


def _value(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def parse_app_event(line: str) -> tuple[str, dict[str, Any]] | None:
    """One ``HierAttnBench`` logcat line -> (event, fields); ``message`` runs to the end of the line."""
    match = _APP_LINE.search(line.rstrip())
    if match is None:
        return None
    body = match.group(2)
    message = None
    if " message=" in f" {body}":
        body, _, message = f" {body}".partition(" message=")
    fields = {k: _value(v) for k, v in (p.split("=", 1) for p in body.split() if "=" in p)}
    if message is not None:
        fields["message"] = message
    return match.group(1), fields


def parse_app_logcat(text: str, run_id: str | None = None) -> dict[str, Any] | None:
    """The ``result`` fields of run ``run_id`` once its ``done`` line is present; None while still running.

    Raises ParseError when the run finished with ``status=error`` (carrying the app's message).
    """
    result: dict[str, Any] | None = None
    for line in text.splitlines():
        parsed = parse_app_event(line)
        if parsed is None:
            continue
        event, fields = parsed
        if run_id is not None and str(fields.get("run_id")) != run_id:
            continue
        if event == "result":
            result = fields
        elif event == "done":
            if fields.get("status") != "ok":
                raise ParseError(f"The app's benchmark failed: {fields.get('message', 'no message')}")
            if result is None:
                raise ParseError("The app reported status=ok but no result line; check logcat for HierAttnBench.")
            return result
    return None
