"""Golden vectors for preprocessing version 2 (``vectors_v2.json``, docs/preprocessing.md "Golden vectors").

Every step is pinned by a hash, so the Kotlin and JS ports must match byte for byte: the reduction
factor, the reduced image, its grey image and closed mask, the crop box and the resized image. The
version 1 scenes are reused; the large ones (12 MP, 4001 x 2999, ...) are drawn from the integer
formula in ``procedural`` by every port, so only their hashes are committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..crop import closed_mask, grey_u8
from ..preprocess import crop_and_resize, to_tensor
from ..reduce import box_reduce, reduction_factor
from ..spec import ModelSpec
from .golden_images import GOLDEN_SCENES
from .procedural import procedural_image
from .samples import GOLDEN_FORMAT_VERSION, sample_positions
from .samples import sha256 as _sha256

PROCEDURAL_CASES: dict[str, tuple[int, int]] = {
    "photo_4000x3000": (4000, 3000),
    "odd_4001x2999": (4001, 2999),
    "odd_1027x1031": (1027, 1031),
    "wide_2100x1500": (2100, 1500),
    "tall_1500x2601": (1500, 2601),
}
"""Name -> (width, height): a 12 MP photo, both sides odd at k = 4 and k = 2, landscape and portrait."""


def golden_case_v2(name: str, rgb: np.ndarray, spec: ModelSpec, image: str | None) -> dict[str, Any]:
    """The JSON record of one image under version 2; ``image`` is its PNG, None for a procedural one."""
    height, width = rgb.shape[:2]
    k = reduction_factor(width, height, spec.input_size)
    reduced = np.asarray(box_reduce(Image.fromarray(rgb), k))
    resized, box = crop_and_resize(rgb, spec)
    tensor = to_tensor(resized, spec)
    out_h, out_w = spec.input_size
    return {
        "name": name,
        "image": image,
        "procedural": None if image else {"width": width, "height": height},
        "width": width,
        "height": height,
        "reduction": k,
        "reduced_width": int(reduced.shape[1]),
        "reduced_height": int(reduced.shape[0]),
        "reduced_sha256": _sha256(reduced),
        "grey_sha256": _sha256(grey_u8(reduced)),
        "mask_after_closing_sha256": _sha256(closed_mask(reduced, spec.crop).astype(np.uint8)),
        "crop_box": [int(v) for v in box] if box else None,
        "resized_sha256": _sha256(resized),
        "tensor_mean": [float(tensor[c].astype(np.float64).mean()) for c in range(3)],
        "samples": [{"c": c, "y": y, "x": x, "value": float(tensor[c, y, x])} for c, y, x in sample_positions(out_h, out_w)],
    }


def build_golden_v2(golden_dir: Path, spec: ModelSpec) -> dict[str, Any]:
    """The vectors_v2 document; the version 1 scenes are read back from ``golden_dir/images``."""
    spec = spec.with_updates(preprocessing=2)
    cases = []
    for name in GOLDEN_SCENES:
        relative = f"images/{name}.png"
        rgb = np.asarray(Image.open(golden_dir / relative).convert("RGB"))
        cases.append(golden_case_v2(name, rgb, spec, relative))
    for name, (width, height) in PROCEDURAL_CASES.items():
        cases.append(golden_case_v2(name, procedural_image(width, height), spec, None))
    return {"format_version": GOLDEN_FORMAT_VERSION, "spec": spec.to_dict(), "cases": cases}
