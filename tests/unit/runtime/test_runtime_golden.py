"""The committed golden vectors (tests/golden) still match what the runtime produces today.

Regenerating writes every file into a temporary folder; images are compared by pixels (PNG encoders
may differ in bytes), vectors.json field by field. If this fails after an intended preprocessing
change, regenerate with ``python -m hierattn.runtime.parity.golden tests/golden`` and tell the Kotlin port.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hierattn.runtime.parity.golden import write_golden
from hierattn.runtime.parity.golden_images import GOLDEN_SCENES
from hierattn.runtime.spec import ModelSpec

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    write_golden(out)
    return out


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_vectors_json_has_not_drifted(regenerated: Path) -> None:
    committed = json.loads((GOLDEN / "vectors.json").read_text())
    fresh = json.loads((regenerated / "vectors.json").read_text())
    assert committed["format_version"] == fresh["format_version"] == 1
    assert committed["spec"] == fresh["spec"] == ModelSpec(preprocessing=1).to_dict()
    assert [c["name"] for c in committed["cases"]] == [c["name"] for c in fresh["cases"]]
    for old, new in zip(committed["cases"], fresh["cases"], strict=True):
        np.testing.assert_allclose(old.pop("tensor_mean"), new.pop("tensor_mean"), rtol=0, atol=1e-9)
        assert old == new, old["name"]


def test_vectors_v2_json_has_not_drifted(regenerated: Path) -> None:
    committed = json.loads((GOLDEN / "vectors_v2.json").read_text())
    fresh = json.loads((regenerated / "vectors_v2.json").read_text())
    assert committed["spec"] == fresh["spec"] == ModelSpec(preprocessing=2).to_dict()
    assert [c["name"] for c in committed["cases"]] == [c["name"] for c in fresh["cases"]]
    for old, new in zip(committed["cases"], fresh["cases"], strict=True):
        np.testing.assert_allclose(old.pop("tensor_mean"), new.pop("tensor_mean"), rtol=0, atol=1e-9)
        assert old == new, old["name"]


def test_v2_golden_set_has_a_12_megapixel_and_odd_sized_images() -> None:
    cases = {c["name"]: c for c in json.loads((GOLDEN / "vectors_v2.json").read_text())["cases"]}
    photo = cases["photo_4000x3000"]
    assert photo["width"] * photo["height"] == 12_000_000 and photo["reduction"] == 4
    odd = cases["odd_4001x2999"]
    assert odd["width"] % 4 and odd["height"] % 4 and odd["reduced_width"] == 1001 and odd["reduced_height"] == 750
    assert {c["reduction"] for c in cases.values()} == {1, 2, 4}
    # the version 1 scenes are all too small to be reduced: version 2 gives them the same pixels
    v1 = {c["name"]: c for c in json.loads((GOLDEN / "vectors.json").read_text())["cases"]}
    for name, case in v1.items():
        assert cases[name]["resized_sha256"] == case["resized_sha256"] and cases[name]["crop_box"] == case["crop_box"], name


def test_images_have_not_drifted(regenerated: Path) -> None:
    committed = json.loads((GOLDEN / "vectors.json").read_text())
    for case in committed["cases"]:
        for key in ("image", "resized"):
            np.testing.assert_array_equal(_pixels(GOLDEN / case[key]), _pixels(regenerated / case[key]), err_msg=case[key])


def test_golden_set_covers_the_required_geometry() -> None:
    cases = json.loads((GOLDEN / "vectors.json").read_text())["cases"]
    assert len(cases) == len(GOLDEN_SCENES) >= 12
    for case in cases:
        assert max(case["width"], case["height"]) <= 640
        assert len(case["samples"]) == 8
    boxes = {case["name"]: case["crop_box"] for case in cases}
    assert boxes["all_black"] is None and boxes["all_white"] is None and boxes["elongated_ellipse"] is None
    assert boxes["centred_vignette"] is not None and boxes["small_circle"] is not None
    assert boxes["big_circle"] is not None and boxes["ring_with_hole"] is not None
