"""Plain-text tables for logs and pipes: every cell in full, columns aligned, one line per row.

A rich table fits itself to a terminal by folding cells; written to a file it would fold to 80
columns, so a path became five lines of 15 characters. Commands print rich tables on a terminal and
these when stdout is a file or a pipe, where a line per row also suits grep and diff.
"""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """Header, a dashed rule and the rows; ``right[i]`` right-aligns column i (numbers). Ends with a newline."""
    right = right or [False] * len(headers)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return GAP.join(padded).rstrip()

    rule = GAP.join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)]) + "\n"
