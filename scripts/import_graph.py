"""Draw the package's import graph, one node per room (subpackage or top-level module group).

    python scripts/import_graph.py            # writes docs/img/import_graph.svg (needs Graphviz's dot)
    python scripts/import_graph.py --dot -    # the DOT text only

The graph is read by grimp, the engine behind the import-linter contracts in pyproject.toml, from
the installed package (whose root is this checkout), so it shows exactly what the contracts check.
Modules are merged into their room: ``hierattn.export.tflite.quant`` -> ``export.tflite``; a
top-level folder's own modules form the room named after the folder (``export``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
LAYER_ORDER = ["benchmarks", "training", "export", "models", "synthetic", "runtime"]


def room_of(module: str, rooms: set[str]) -> str | None:
    """The longest room name that ``module`` belongs to (``hierattn.`` stripped)."""
    name = module.removeprefix("hierattn.")
    parts = name.split(".")
    for depth in (2, 1):
        candidate = ".".join(parts[:depth])
        if candidate in rooms:
            return candidate
    return None


def room_edges(graph: grimp.ImportGraph) -> tuple[list[str], Counter[tuple[str, str]]]:
    """Rooms (top-level folders and their subpackages) and the number of imports between each pair."""
    packages = {m.removeprefix("hierattn.") for m in graph.modules if graph.find_children(m) or m.count(".") == 1}
    rooms = {p for p in packages if p.split(".")[0] in LAYER_ORDER and p.count(".") <= 1}
    edges: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        source = room_of(module, rooms)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = room_of(imported, rooms)
            if target is not None and target != source:
                edges[(source, target)] += 1
    return sorted(rooms), edges


def to_dot(rooms: list[str], edges: Counter[tuple[str, str]]) -> str:
    lines = [
        "digraph hierattn {",
        '  rankdir=TB; compound=true; fontname="Helvetica"; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555", arrowsize=0.6];',
    ]
    for top in LAYER_ORDER:
        members = [r for r in rooms if r.split(".")[0] == top]
        lines.append(f'  subgraph "cluster_{top}" {{ label="{top}/"; style="rounded"; color="#999999";')
        for room in members:
            label = room.split(".")[-1] + ("/" if "." in room else " (root)")
            fill = "#dbe9f6" if "." in room else "#f6e7cf"
            lines.append(f'    "{room}" [label="{label}", fillcolor="{fill}"];')
        lines.append("  }")
    for (source, target), count in sorted(edges.items()):
        lines.append(f'  "{source}" -> "{target}" [penwidth={min(1 + count / 4, 4):.1f}, tooltip="{count} imports"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "import_graph.svg")
    parser.add_argument("--dot", help="write the DOT text to this path ('-' for stdout) instead of rendering")
    args = parser.parse_args()
    rooms, edges = room_edges(grimp.build_graph("hierattn", cache_dir=None))
    dot = to_dot(rooms, edges)
    if args.dot:
        (sys.stdout.write(dot) if args.dot == "-" else Path(args.dot).write_text(dot))
        return 0
    if shutil.which("dot") is None:
        print("import_graph: Graphviz's 'dot' is not installed (apt-get install graphviz); --dot - prints the graph text.", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dot", "-Tsvg", "-o", str(args.out)], input=dot, text=True, check=True)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: {len(rooms)} rooms, {len(edges)} arrows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
