"""ExecuTorch end to end on the bundled demo model: export, validation, metadata, delegation, predict, bench.

``hierattn-export --format executorch`` runs once for the session with every precision the
converter declares (one lowering per precision, the expensive part); every test inspects its JSON
report and the ``.pte`` files. ``TESTED_PAIRS`` is a literal on purpose: test_export_pairs.py
compares it with what the converter declares, so a new supported pair without a test fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hierattn.runtime.spec import ModelSpec, sidecar_path

pytestmark = pytest.mark.slow

TESTED_PAIRS: list[tuple[str, str]] = [("executorch", "fp32"), ("executorch", "fp16"), ("executorch", "int8")]


@pytest.fixture(scope="session")
def executorch_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The CLI's JSON report per precision (bundled model, bundled calibration and validation images)."""
    out = tmp_path_factory.mktemp("executorch")
    command = [sys.executable, "-m", "hierattn.export.cli", "--format", "executorch", "--output", str(out), "--json"]
    for _, precision in TESTED_PAIRS:
        command += ["--precision", precision]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=1500)
    assert done.stdout.strip(), done.stderr[-3000:]
    document = json.loads(done.stdout)
    reports = {a["precision"]: dict(a, _stderr=done.stderr, _exit=done.returncode) for a in document["artifacts"]}
    return reports


def _path(reports: dict[str, dict[str, Any]], precision: str) -> Path:
    report = reports[precision]
    assert report["status"] == "ok", f"{precision}: {report['error']}\n{report['_stderr'][-3000:]}"
    return Path(report["path"])


@pytest.mark.parametrize("precision", [p for _, p in TESTED_PAIRS])
def test_pair_is_exported_validated_and_sealed(precision: str, executorch_exports: dict) -> None:
    report = executorch_exports[precision]
    path = _path(executorch_exports, precision)
    assert path.suffix == ".pte" and sidecar_path(path).is_file() and report["size_mb"] > 0.5
    validation = report["validation"]
    assert validation["passed"] and validation["images"] >= 16
    for key in ("max_abs_diff", "top1_agreement", "kl_divergence", "referral_flip_rate"):
        assert validation[key] is not None
    sidecar = json.loads(sidecar_path(path).read_text())
    assert sidecar["precision"] == precision
    assert sidecar["artifact"]["size"] == path.stat().st_size
    assert sidecar["extra"]["exporters"]["executorch"] and sidecar["extra"]["format"] == "executorch"
    if precision != "fp32":
        assert sidecar["extra"]["quantization"], "recipe missing from the metadata"


@pytest.mark.parametrize("precision", [p for _, p in TESTED_PAIRS])
def test_embedded_spec_round_trips_without_the_sidecar(precision: str, executorch_exports: dict, tmp_path: Path) -> None:
    from hierattn.runtime import Classifier
    from hierattn.runtime.artifact.integrity import Integrity

    path = _path(executorch_exports, precision)
    alone = tmp_path / path.name
    shutil.copy(path, alone)  # no sidecar beside it: the constant method alone carries the spec
    classifier = Classifier.load(alone)
    beside = ModelSpec.from_json(sidecar_path(path).read_text())
    assert classifier.integrity is Integrity.VERIFIED
    assert classifier.spec.to_dict() == beside.to_dict()
    assert classifier.backend.name == "executorch"


def test_graph_and_delegation_metadata(executorch_exports: dict) -> None:
    from hierattn.models.deploy import ALWAYS_APPLIED

    fp32 = ModelSpec.from_json(sidecar_path(_path(executorch_exports, "fp32")).read_text()).extra
    assert fp32["graph"] == "deploy"
    assert fp32["graph_rewrites"] == [*ALWAYS_APPLIED, "centered_rmsnorm", "xnnpack_forms"]
    int8 = ModelSpec.from_json(sidecar_path(_path(executorch_exports, "int8")).read_text()).extra
    assert int8["graph"] == "plain"
    for precision in ("fp32", "fp16", "int8"):
        delegation = executorch_exports[precision]["notes"]["delegation"]
        assert delegation["delegated_nodes"] > 100 and delegation["partitions"] >= 1
        assert delegation["portable_nodes"] == sum(delegation["portable_ops"].values())
    fp32_delegation = executorch_exports["fp32"]["notes"]["delegation"]
    assert fp32_delegation["portable_ops"] == {} and fp32_delegation["partitions"] == 1
    assert "WARNING: not fully delegated" not in executorch_exports["fp32"]["_stderr"]


def test_int8_recipe_is_the_shared_one(executorch_exports: dict) -> None:
    from hierattn.export.int8_profiles import INT8_RECIPE

    recipe = ModelSpec.from_json(sidecar_path(_path(executorch_exports, "int8")).read_text()).extra["quantization"]
    assert recipe["recipe_source"] == "hierattn.export.int8_profiles (hierattn)" and recipe["profile"] == "hierattn"
    assert f"1/{INT8_RECIPE.float_stem_stride}" in recipe["float_stem"]
    assert recipe["calibration_images"] == 64
    assert executorch_exports["int8"]["validation"]["top1_agreement"] >= 0.98
    fp32_size = executorch_exports["fp32"]["size_mb"]
    assert executorch_exports["int8"]["size_mb"] < 0.5 * fp32_size


def test_tampered_program_is_refused(executorch_exports: dict, tmp_path: Path) -> None:
    from hierattn.runtime import Classifier
    from hierattn.runtime.errors import ModelFileError

    path = _path(executorch_exports, "fp32")
    copy = tmp_path / path.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match"):
        Classifier.load(copy)


def test_predict_cli_runs_the_program(executorch_exports: dict, repo_root: Path) -> None:
    image = next((repo_root / "runtime/assets/samples/validation").rglob("*.jpg"))
    path = _path(executorch_exports, "fp32")
    command = [sys.executable, "-m", "hierattn.runtime.cli", str(image), "--model", str(path), "--json"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)
    text = json.dumps(document)
    assert any(name in text for name in ModelSpec().class_names)


def test_bench_rows_on_the_real_model(executorch_exports: dict, tmp_path: Path) -> None:
    from hierattn.benchmarks.timing.harness import BenchConfig, run_cpu

    files = (_path(executorch_exports, "fp32"), _path(executorch_exports, "int8"))
    config = BenchConfig(models=(), model_files=files, threads=(1, 2), warmup=1, iters=3, rounds=1, out_dir=tmp_path)
    rows, skipped = run_cpu(config, lambda _: None)
    assert skipped == []
    assert sorted((r["format"], r["precision"], r["threads"]) for r in rows) == [
        ("executorch", p, t) for p in ("fp32", "int8") for t in (1, 2)
    ]
    for row in rows:
        assert row["threads_observed"] == row["threads"], row["threads_check"]
        assert 0 < row["median_ms"] < 5000


def test_thread_pool_reset_reloads_the_program_before_the_old_pool_is_freed(executorch_exports: dict) -> None:
    """A method keeps a pointer to the pool it was loaded on, and ``Program.load_method`` caches methods:
    after 1 -> 2 -> 1 threads the pool is new though its size is not, so the backend must run a freshly
    loaded program. Running (or destroying) the stale one was a use after free that crashed
    ``hierattn-bench`` when LiteRT had run earlier in the process."""
    import numpy as np

    from hierattn.runtime.backends.executorch import ExecuTorchBackend, pool_size, set_threads

    backend = ExecuTorchBackend(_path(executorch_exports, "fp32"), threads=1)
    x = np.random.default_rng(0).random(backend.input.shape, dtype=np.float32)
    reference = backend.execute(x)
    loaded = backend._program
    assert set_threads(2) == 2 and set_threads(1) == 1 == pool_size()
    assert backend._program is None  # released while the pool it points to still existed
    np.testing.assert_allclose(backend.execute(x), reference, rtol=0, atol=1e-5)
    assert backend._program is not None and backend._program is not loaded
    assert set_threads(1) == 1  # same size: nothing is released or reloaded
    assert backend._program is not None
