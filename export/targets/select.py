"""Choose the file to ship: the cheapest candidate whose on-target fidelity passes its gate.

Pure: it sees costs and validation results, never files or emulators, so the rule is tested
directly. A candidate is never selected with a failed check, a failed export or an unmeasured
cost, whatever it costs; the reason is kept for the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..validation import ValidationResult


@dataclass(frozen=True)
class Candidate:
    """One built file judged on one target.

    Attributes:
        precision: its precision (``fp32``, ``fp16``, ``int8-dynamic``, ``int8``).
        path: the file, None when the export failed.
        cost: per-inference cost in the target's unit, None when not measured.
        validation: fidelity against PyTorch on the target's kernels, None when not run.
        error: why the export or a measurement failed.
    """

    precision: str
    path: Path | None
    cost: float | None = None
    validation: ValidationResult | None = None
    error: str | None = None

    @property
    def failure(self) -> str | None:
        """Why this candidate cannot be selected, or None."""
        if self.error is not None:
            return self.error
        if self.validation is None:
            return "not validated on the target's kernels"
        failed = [c.line() for c in self.validation.checks if not c.passed]
        if failed:
            return "; ".join(failed)
        if self.cost is None:
            return "cost not measured"
        return None

    def to_dict(self, selected: bool, reference_cost: float | None) -> dict[str, Any]:
        ratio = self.cost / reference_cost if self.cost is not None and reference_cost else None
        return {
            "precision": self.precision, "path": str(self.path) if self.path else None, "cost": self.cost,
            "cost_vs_fp32": ratio, "validation": self.validation.to_dict() if self.validation else None,
            "passed": self.failure is None, "reason": self.failure, "selected": selected,
        }


def select(candidates: list[Candidate], tie: float = 0.0) -> Candidate | None:
    """The cheapest candidate that passes; None if none passes.

    Costs within ``tie`` (a fraction) of the cheapest count as equal, and among equals the earlier
    candidate (the wider precision: candidates come fp32 first) wins: neither a timed target's
    noise nor a few percent of instructions may buy a narrower format (``table.MIN_INSTRUCTION_GAIN``).
    """
    passing = [c for c in candidates if c.failure is None and c.cost is not None]
    if not passing:
        return None
    cheapest = min(c.cost for c in passing if c.cost is not None)
    return next(c for c in passing if c.cost is not None and c.cost <= cheapest * (1 + tie))
