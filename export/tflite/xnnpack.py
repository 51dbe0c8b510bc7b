"""How much of a TFLite graph LiteRT hands to its default XNNPACK CPU delegate.

An op XNNPACK does not take runs on LiteRT's builtin kernels, and a graph split into several
delegate partitions pays a copy at every border; for int8 graphs the builtin fallbacks are often
reference kernels several times slower than fp32 XNNPACK. The exporter reports the coverage and
the tests require the whole graph to be one partition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DelegateCoverage:
    """Delegate partitions and the op types left to builtin kernels (empty when fully delegated)."""

    partitions: int
    undelegated: dict[str, int]

    @property
    def complete(self) -> bool:
        return self.partitions == 1 and not self.undelegated

    def to_dict(self) -> dict[str, object]:
        return {"partitions": self.partitions, "undelegated_ops": self.undelegated, "complete": self.complete}


def xnnpack_coverage(path: Path) -> DelegateCoverage:
    """Load ``path`` with LiteRT's default delegates and report which ops stay outside XNNPACK.

    After delegation LiteRT appends one ``DELEGATE`` node per partition; an original op whose output
    feeds a partition or a model output, without being inside a partition, runs on builtin kernels.
    """
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    ops = interpreter._get_ops_details()  # no public API lists the execution plan
    delegates = [op for op in ops if op["op_name"] == "DELEGATE"]
    originals = [op for op in ops if op["op_name"] != "DELEGATE"]
    producer = {int(t): op for op in originals for t in op["outputs"]}
    # Walk back from the model outputs through tensors the delegates do not produce.
    delegated_out = {int(t) for op in delegates for t in op["outputs"]}
    pending = [int(d["index"]) for d in interpreter.get_output_details()]
    pending += [int(t) for op in delegates for t in op["inputs"]]
    seen: set[int] = set()
    outside: Counter[str] = Counter()
    while pending:
        tensor = pending.pop()
        if tensor in seen or tensor in delegated_out or tensor not in producer:
            continue
        seen.add(tensor)
        op = producer[tensor]
        outside[op["op_name"]] += 1
        pending.extend(int(t) for t in op["inputs"] if t >= 0)
    return DelegateCoverage(partitions=len(delegates), undelegated=dict(sorted(outside.items())))
