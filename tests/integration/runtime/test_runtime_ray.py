"""hierattn-predict --ray and hierattn-eval --ray on a local Ray runtime give exactly the local rows.

500 synthetic images through the sealed TFLite export: the Ray Data actor pool (2 classifier actors)
must write the same JSONL, byte for byte, as the local streaming path; Parquet output and the eval
path are checked on the same runtime in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.runtime.batch.stream import StreamOptions

pytestmark = pytest.mark.slow
PREDICT = [sys.executable, "-m", "hierattn.runtime.cli"]
IMAGES = 500


@pytest.fixture(scope="module")
def ray_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hierattn.synthetic import write_dataset

    root = tmp_path_factory.mktemp("ray_archive")
    paths = write_dataset(root, per_class=63, seed=9, size=96)
    for extra in sorted(paths)[IMAGES:]:
        extra.unlink()
    return root


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    yield ray
    ray.shutdown()


def test_ray_jsonl_equals_the_local_run(sealed_models: dict[str, Path], ray_archive: Path, tmp_path: Path) -> None:
    model = str(sealed_models["tflite"])
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    done = subprocess.run([*PREDICT, str(ray_archive), "--model", model, "--jsonl", str(local), "--workers", "2"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    on_ray = subprocess.run([*PREDICT, str(ray_archive), "--model", model, "--jsonl", str(remote), "--workers", "2",
                             "--ray", "local"], capture_output=True, text=True, timeout=900)
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    assert "500 image(s)" in on_ray.stderr and "0 error(s)" in on_ray.stderr
    assert "deprecat" not in on_ray.stderr.lower(), on_ray.stderr  # our Ray Data calls use its current API
    assert len(local.read_text().splitlines()) == IMAGES
    assert remote.read_bytes() == local.read_bytes()


def test_ray_parquet_and_eval_match_local(
    local_ray, sealed_models: dict[str, Path], stream_archive: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    from hierattn.runtime.batch.driver import run_stream
    from hierattn.runtime.batch.inputs import expand_inputs
    from hierattn.runtime.batch.ray_run import classify_on_ray, predict_on_ray
    from hierattn.runtime.classifier import Classifier

    model = sealed_models["onnx"]
    paths = expand_inputs([stream_archive]).paths[::5]
    options = StreamOptions(workers=2, batch_size=4)
    expected: list[dict] = []
    run_stream(Classifier.load(model), paths, options, lambda rows: expected.extend(r.to_dict() for r in rows))
    rows, names, summary = classify_on_ray(model, paths, "local", options, verify=True)
    assert summary.classified == len(paths) and names == Classifier.load(model).class_names
    assert [r["path"] for r in rows] == [r["path"] for r in expected]
    assert [r["label"] for r in rows] == [r["label"] for r in expected]
    out = tmp_path / "parquet"
    written = predict_on_ray(model, paths, "local", options, None, out, verify=True)
    assert written.classified == len(paths) and written.errors == 0
    table = pq.read_table(out).to_pydict()
    by_path = {r["path"]: r for r in expected}
    assert sorted(table["path"]) == sorted(by_path)
    for path, label, probability in zip(table["path"], table["label"], table[f"p_{names[0]}"], strict=True):
        assert label == by_path[path]["label"]
        assert probability == pytest.approx(by_path[path]["probabilities"][names[0]], abs=1e-6)
    assert json.loads(table["row_json"][0])["path"] == table["path"][0]
