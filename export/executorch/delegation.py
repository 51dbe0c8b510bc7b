"""How much of a lowered ExecuTorch program XNNPACK runs, and which ops fall back to portable kernels.

Counted on the Edge graph after partitioning: every operator node inside a lowered XNNPACK module is
delegated; every operator node left in the top-level graph (other than the delegate calls and the
``getitem`` that unpacks their outputs) runs on ExecuTorch's portable CPU kernels, one op at a time
and single-threaded, which is both slower and a second numerical path.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

_DELEGATE_CALL = "executorch_call_delegate"


@dataclass(frozen=True)
class DelegationReport:
    """Delegated and portable operator counts of one program.

    Attributes:
        partitions: number of XNNPACK subgraphs.
        delegated: operator nodes inside them.
        portable: operator nodes left to portable kernels, by op name (e.g. ``aten.mean.dim``).
    """

    partitions: int
    delegated: int
    portable: dict[str, int] = field(default_factory=dict)

    @property
    def portable_total(self) -> int:
        return sum(self.portable.values())

    @property
    def delegated_share(self) -> float:
        total = self.delegated + self.portable_total
        return self.delegated / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": "XnnpackBackend",
            "partitions": self.partitions,
            "delegated_nodes": self.delegated,
            "portable_nodes": self.portable_total,
            "delegated_share": round(self.delegated_share, 4),
            "portable_ops": dict(sorted(self.portable.items())),
        }

    def summary(self) -> str:
        """One line: ``XNNPACK 100.0% of 412 nodes (1 partition)`` plus the fallback ops."""
        total = self.delegated + self.portable_total
        line = f"XNNPACK {self.delegated_share:.1%} of {total} nodes ({self.partitions} partition{'s' * (self.partitions != 1)})"
        if self.portable:
            line += "; portable: " + ", ".join(f"{op} x{n}" for op, n in sorted(self.portable.items()))
        return line


def _op_name(node: torch.fx.Node) -> str:
    target = node.target
    name = getattr(target, "__name__", None) or str(target)
    return str(getattr(target, "_name", None) or name).replace("::", ".")


def _is_operator(node: torch.fx.Node) -> bool:
    return node.op == "call_function" and node.target is not operator.getitem


def delegation_report(graph_module: torch.fx.GraphModule) -> DelegationReport:
    """Count delegated and portable operator nodes of a lowered Edge ``graph_module``."""
    partitions = delegated = 0
    portable: Counter[str] = Counter()
    for node in graph_module.graph.nodes:
        if node.op == "get_attr" and node.name.startswith("lowered_module_"):
            partitions += 1
            lowered = getattr(graph_module, node.name)
            delegated += sum(_is_operator(n) for n in lowered.original_module.graph.nodes)
        elif _is_operator(node) and _DELEGATE_CALL not in _op_name(node):
            portable[_op_name(node)] += 1
    return DelegationReport(partitions=partitions, delegated=delegated, portable=dict(portable))

