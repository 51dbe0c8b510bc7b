"""Export for one target: build the candidates, judge each on the target's kernels, seal the choice.

The export pipeline builds and validates every candidate on this machine as usual; then each file
runs again on the target's kernels (emulated or native) against the same PyTorch logits, with the
same per-precision gate, and its cost is measured in the target's unit. The cheapest file that
passes is selected and its metadata (embedded and sidecar, re-sealed) records the target, the cost
and the fidelity measured there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...runtime.console import log
from ...runtime.errors import HierAttnError
from ...runtime.spec import ModelSpec, sidecar_path
from ..base import ExportFormat
from ..data import validation_batch
from ..integrity import seal_artifact
from ..options import ExportOptions, ExportReport, Status
from ..pipeline import export_models, load_source, torch_logits
from ..registry import get_converter
from ..validation import compare_logits
from .measure import TargetKernels
from .select import Candidate, select
from .table import Target


@dataclass(frozen=True)
class TargetReport:
    """The export run, every candidate as judged on the target, and the one selected (None: none passed)."""

    target: Target
    export: ExportReport
    candidates: tuple[Candidate, ...]
    selected: Candidate | None
    images: int
    kernels: dict[str, Any]

    @property
    def reference_cost(self) -> float | None:
        return next((c.cost for c in self.candidates if c.precision == "fp32"), None)

    @property
    def ok(self) -> bool:
        return self.selected is not None

    def to_dict(self) -> dict[str, Any]:
        doc = self.export.to_dict()
        by_path = {str(c.path): c for c in self.candidates if c.path is not None}
        for artifact in doc["artifacts"]:
            candidate = by_path.get(str(artifact["path"]))
            artifact["selected"] = candidate is not None and candidate is self.selected
            artifact["on_target"] = (candidate.to_dict(artifact["selected"], self.reference_cost)
                                     if candidate is not None else None)
        doc["target"] = {"name": self.target.name, "runner": self.target.runner.value, "cpu": self.target.cpu,
                         "unit": self.target.unit, "features": self.target.features, "images": self.images,
                         "kernels": self.kernels,
                         "selected": str(self.selected.path) if self.selected and self.selected.path else None}
        doc["ok"] = self.ok
        return doc


def export_for_target(options: ExportOptions, target: Target) -> TargetReport:
    """Export ``options.precisions`` as TFLite candidates and select the cheapest that passes on ``target``."""
    options = replace(options, formats=(ExportFormat.TFLITE,))
    report = export_models(options)
    source = load_source(options.checkpoint, options.arch)
    images, _ = validation_batch(source.spec, options.validation_dir)
    reference = torch_logits(source.model, images)
    kernels = TargetKernels(target, log)
    built = [a for a in report.artifacts if a.path is not None and a.status is not Status.EXPORT_FAILED]
    specs = {a.path: ModelSpec.from_json(sidecar_path(a.path).read_text()) for a in built if a.path is not None}
    costs: dict[Path, dict[str, Any]] = {}
    if specs:
        layout = next(iter(specs.values())).layout
        try:
            costs = kernels.costs(list(specs), layout, images[0])
        except HierAttnError as exc:
            log(f"[{target.name}] cost measurement failed: {exc}")
    candidates = []
    for artifact in report.artifacts:
        if artifact.path is None or artifact.path not in specs:
            candidates.append(Candidate(artifact.precision.value, None, error=artifact.error or "export failed"))
            continue
        spec = specs[artifact.path]
        try:
            logits = kernels.logits(artifact.path, spec.layout, images)
        except HierAttnError as exc:
            candidates.append(Candidate(artifact.precision.value, artifact.path, error=f"did not run: {exc}"))
            continue
        validation = compare_logits(reference, logits, spec, options.tolerances[artifact.precision])
        for check in validation.checks:
            log(f"[{target.name}] {artifact.path.name}: {check.line()}")
        cost = costs.get(artifact.path, {}).get("cost")
        candidates.append(Candidate(artifact.precision.value, artifact.path, cost, validation))
    chosen = select(candidates, target.tie)
    target_report = TargetReport(target, report, tuple(candidates), chosen, len(images), kernels.facts())
    if chosen is not None and chosen.path is not None:
        _seal_choice(chosen, target_report, costs.get(chosen.path, {}))
        log(f"[{target.name}] selected {chosen.path.name}: {chosen.cost:.4g} {target.unit}")
    else:
        log(f"[{target.name}] no candidate passed its gate on the target's kernels; nothing selected")
    return target_report


def _seal_choice(chosen: Candidate, report: TargetReport, measured: dict[str, Any]) -> None:
    """Embed the target, its cost and the on-target fidelity in the chosen file and its sidecar."""
    assert chosen.path is not None and chosen.validation is not None and chosen.cost is not None
    spec = ModelSpec.from_json(sidecar_path(chosen.path).read_text())
    ref = report.reference_cost
    v = chosen.validation
    record = {
        "name": report.target.name, "runner": report.target.runner.value, "cpu": report.target.cpu,
        "unit": report.target.unit, "cost": chosen.cost, "cost_vs_fp32": chosen.cost / ref if ref else None,
        "fidelity": {"images": v.images, "top1_agreement": v.top1_agreement,
                     "referral_flip_rate": v.referral_flip_rate, "max_abs_diff": v.max_abs_diff, "passed": v.passed},
        "kernels": report.kernels,
        "setup_insns": measured.get("setup_insns"),
        "candidates": [{"precision": c.precision, "cost": c.cost, "passed": c.failure is None} for c in
                       report.candidates],
    }
    extra = {k: v for k, v in spec.extra.items() if k != "integrity"}
    extra["target"] = {k: val for k, val in record.items() if val is not None}
    seal_artifact(chosen.path, spec.with_updates(extra=extra), get_converter(ExportFormat.TFLITE).embed_metadata)

