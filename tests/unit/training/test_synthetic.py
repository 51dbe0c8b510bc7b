"""The synthetic generator: seeded, both styles, every class, the documented folder layout."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from hierattn.runtime.errors import UsageError
from hierattn.runtime.spec import ISIC2019_CLASSES
from hierattn.synthetic import STYLES, generate_image, write_dataset


@pytest.mark.parametrize("class_name", ISIC2019_CLASSES)
@pytest.mark.parametrize("style", STYLES)
def test_same_seed_gives_identical_bytes(class_name: str, style: str) -> None:
    first = generate_image(class_name, style, seed=7, size=160)
    second = generate_image(class_name, style, seed=7, size=160)
    assert first.mode == "RGB" and first.size == (160, 160)
    assert first.tobytes() == second.tobytes()


def test_different_seeds_and_classes_differ() -> None:
    base = np.asarray(generate_image("MEL", "dermoscopy", 1))
    assert not np.array_equal(base, np.asarray(generate_image("MEL", "dermoscopy", 2)))
    assert not np.array_equal(base, np.asarray(generate_image("NV", "dermoscopy", 1)))


def test_dermoscopy_has_black_corners_smartphone_does_not() -> None:
    for seed in range(4):
        dermo = np.asarray(generate_image("NV", "dermoscopy", seed), dtype=np.float32)
        phone = np.asarray(generate_image("NV", "smartphone", seed), dtype=np.float32)
        corners = lambda a: np.concatenate([a[:8, :8], a[:8, -8:], a[-8:, :8], a[-8:, -8:]])  # noqa: E731
        assert corners(dermo).mean() < 20
        assert corners(phone).mean() > 60


def test_write_dataset_layout(tmp_path) -> None:
    paths = write_dataset(tmp_path, per_class=2, seed=3, size=96)
    assert len(paths) == 2 * len(ISIC2019_CLASSES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ISIC2019_CLASSES)
    assert {p.name.split("_")[0] for p in paths} == set(STYLES)
    again = write_dataset(tmp_path / "again", per_class=2, seed=3, size=96)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]


def test_bad_arguments_raise_usage_errors(tmp_path) -> None:
    with pytest.raises(UsageError, match="Unknown class"):
        generate_image("XYZ", "dermoscopy", 0)
    with pytest.raises(UsageError, match="Unknown style"):
        generate_image("MEL", "clinical", 0)
    with pytest.raises(UsageError, match="per-class"):
        write_dataset(tmp_path, per_class=0, seed=0)


def test_cli_json(tmp_path) -> None:
    out = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "hierattn.synthetic.cli", str(out), "--per-class", "1", "--size", "96", "--json"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["images"] == len(ISIC2019_CLASSES)
    bad = subprocess.run([sys.executable, "-m", "hierattn.synthetic.cli", str(out), "--per-class", "0"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_generator_does_not_import_torch() -> None:
    code = "import sys, hierattn.synthetic as s; s.generate_image('NV', 'smartphone', 0, 64); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
