"""Connected components of a binary mask from row runs, and the filled area of each component.

Labelling pixel by pixel in numpy is far too slow for a 1024 x 1024 mask, so this works on row runs
(a few thousand at most for a dermoscopy mask): runs of consecutive rows that touch are joined with
vectorised min-label propagation plus pointer jumping. The filled area (component plus its holes)
comes from the containment tree of foreground (8-connected) and background (4-connected) components,
the same nesting that OpenCV's border following reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Runs:
    """Horizontal runs of one value, in row-major order: row, start, end (exclusive), component label.

    ``label`` is the index of the component's first run, so labels sort in raster order of the
    components' first pixels.
    """

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    stride: int

    def key(self, cols: np.ndarray) -> np.ndarray:
        return self.row * self.stride + cols

    def find(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Index of the run that contains each (row, col); the pixels must belong to these runs."""
        return np.searchsorted(self.key(self.start), rows * self.stride + cols, side="right") - 1


def _foreground_runs(padded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of a mask whose first and last columns are False, found in one pass over the flat array."""
    stride = padded.shape[1]
    flat = padded.reshape(-1).view(np.int8)
    # every row starts and ends with a 0, so flat transitions alternate start, end and never span rows
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    starts, ends = edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)
    rows = starts // stride
    return rows, starts - rows * stride, ends - rows * stride


def _background_runs(
    fg: tuple[np.ndarray, np.ndarray, np.ndarray], height: int, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gaps between foreground runs, row by row: (0, s0), (e0, s1), ..., (e_last, stride)."""
    rows, starts, ends = fg
    all_rows = np.arange(height, dtype=np.int64)
    bg_start_key = np.sort(np.concatenate([all_rows * stride, rows * stride + ends]))
    bg_end_key = np.sort(np.concatenate([rows * stride + starts, all_rows * stride + stride]))
    bg_rows = bg_start_key // stride
    return bg_rows, bg_start_key - bg_rows * stride, bg_end_key - bg_rows * stride


def _propagate(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Label every node with the smallest node index of its connected component."""
    labels = np.arange(n, dtype=np.int64)
    if u.size == 0:
        return labels
    while True:
        lu, lv = labels[u], labels[v]
        if np.array_equal(lu, lv):
            return labels
        low = np.minimum(lu, lv)
        np.minimum.at(labels, lu, low)
        np.minimum.at(labels, lv, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


def label_runs(runs: tuple[np.ndarray, np.ndarray, np.ndarray], stride: int, eight_connected: bool) -> Runs:
    """Component labels (8- or 4-connectivity) for row runs ``(rows, starts, ends)`` sorted row-major."""
    rows, starts, ends = runs
    start_key, end_key = rows * stride + starts, rows * stride + ends
    # candidate runs of the previous row: end >= start (8) or > start (4); start <= end (8) or < end (4)
    prev = (rows - 1) * stride
    lo = np.searchsorted(end_key, prev + starts, side="left" if eight_connected else "right")
    hi = np.searchsorted(start_key, prev + ends, side="right" if eight_connected else "left")
    counts = np.maximum(hi - lo, 0)
    v = np.repeat(np.arange(rows.size, dtype=np.int64), counts)
    offsets = np.arange(v.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    u = np.repeat(lo, counts) + offsets
    labels = _propagate(rows.size, u, v)
    return Runs(rows, starts, ends, labels, stride)


@dataclass(frozen=True)
class Component:
    """One 8-connected foreground component: filled area and bounding box (exclusive ends)."""

    filled_area: int
    box: tuple[int, int, int, int]


def largest_filled_component(mask: np.ndarray) -> Component | None:
    """The foreground component with the largest filled area; ties go to the first in raster order."""
    if not mask.any():
        return None
    padded = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=bool)
    padded[1:-1, 1:-1] = mask
    stride = padded.shape[1]
    fg_runs = _foreground_runs(padded)
    fg = label_runs(fg_runs, stride, eight_connected=True)
    bg = label_runs(_background_runs(fg_runs, padded.shape[0], stride), stride, eight_connected=False)

    fg_ids, fg_first = np.unique(fg.label, return_index=True)
    bg_ids, bg_first = np.unique(bg.label, return_index=True)
    fg_size = np.bincount(fg.label, weights=fg.end - fg.start, minlength=fg.row.size)[fg_ids]
    bg_size = np.bincount(bg.label, weights=bg.end - bg.start, minlength=bg.row.size)[bg_ids]

    # Nodes 0..F-1 are foreground components, F..F+B-1 background ones. The pixel above a component's
    # first pixel belongs to the component that encloses it (Suzuki-Abe nesting).
    n_fg = fg_ids.size
    fg_parent_run = bg.find(fg.row[fg_first] - 1, fg.start[fg_first])
    fg_parent = n_fg + np.searchsorted(bg_ids, bg.label[fg_parent_run])
    outer = 0  # the background component of the padding frame starts at run 0
    bg_parent = np.full(bg_ids.size, -1, dtype=np.int64)
    inner = np.arange(bg_ids.size) != outer
    holes_first = bg_first[inner]
    bg_parent_run = fg.find(bg.row[holes_first] - 1, bg.start[holes_first])
    bg_parent[inner] = np.searchsorted(fg_ids, fg.label[bg_parent_run])

    parent = np.concatenate([fg_parent, bg_parent])
    total = np.concatenate([fg_size, bg_size]).astype(np.int64)
    depth = np.zeros(parent.size, dtype=np.int64)
    has_parent = parent >= 0
    while True:
        updated = np.where(has_parent, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(updated, depth):
            break
        depth = updated
    for level in range(int(depth.max()), 0, -1):
        nodes = np.nonzero(depth == level)[0]
        np.add.at(total, parent[nodes], total[nodes])

    best = int(np.argmax(total[:n_fg]))  # fg ids are in raster order, argmax keeps the first on ties
    chosen = fg.label == fg_ids[best]
    box = (
        int(fg.start[chosen].min()) - 1,
        int(fg.row[chosen].min()) - 1,
        int(fg.end[chosen].max()) - 1,
        int(fg.row[chosen].max()),
    )
    return Component(filled_area=int(total[best]), box=box)
