"""Latency statistics over accumulated samples (milliseconds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LatencyStats:
    """Summary of one row's timed iterations; ``p90_ms`` is the nearest-rank 90th percentile."""

    count: int
    median_ms: float
    p90_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float
    std_ms: float

    @classmethod
    def from_samples(cls, samples_ms: Sequence[float]) -> LatencyStats:
        if not samples_ms:
            raise ValueError("no latency samples")
        data = np.sort(np.asarray(samples_ms, dtype=np.float64))
        rank = max(int(np.ceil(0.9 * data.size)) - 1, 0)
        return cls(
            count=int(data.size),
            median_ms=float(np.median(data)),
            p90_ms=float(data[rank]),
            mean_ms=float(data.mean()),
            min_ms=float(data[0]),
            max_ms=float(data[-1]),
            std_ms=float(data.std()),
        )

    def throughput(self, batch: int) -> float:
        """Images per second at the median latency."""
        return 1000.0 * batch / self.median_ms if self.median_ms > 0 else 0.0
