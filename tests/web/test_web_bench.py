"""``hierattn-bench --device browser``: rows timed in headless Chromium, beside native rows in one report."""

from __future__ import annotations

import json
import subprocess
import sys

from hierattn.benchmarks.devices.browser import threads_check
from hierattn.benchmarks.reports.schema import schema_errors
from hierattn.runtime.defaults import DEFAULT_ONNX


def test_threads_check_needs_isolation_and_the_workers() -> None:
    ok = threads_check(2, {"crossOriginIsolated": True, "effective": 2, "workers": 1, "observed": 2})
    assert ok == (2, "verified: runtime kept 2, 1 pool worker(s) started")
    observed, check = threads_check(2, {"crossOriginIsolated": True, "effective": 2, "workers": 0, "observed": 1})
    assert observed == 1 and check.startswith("MISMATCH")
    observed, check = threads_check(4, {"crossOriginIsolated": False, "effective": 1, "workers": 0, "observed": 1})
    assert observed == 1 and "not cross-origin isolated" in check


def test_browser_rows_join_the_cpu_report() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "cpu", "--device", "browser", "--model", str(DEFAULT_ONNX),
         "--threads", "1,2", "--warmup", "1", "--iters", "4", "--rounds", "1", "--no-cold-start", "--no-fidelity", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert schema_errors(doc) == []
    assert doc["config"]["device"] == "cpu+browser"
    web = [r for r in doc["rows"] if r["format"] == "onnx-web"]
    native = [r for r in doc["rows"] if r["format"] == "onnx"]
    assert [r["threads"] for r in web] == [1, 2] and len(native) == 2
    for r in web:
        assert r["device"].startswith("browser:chromium-")
        assert r["threads_observed"] == r["threads"] and r["threads_check"].startswith("verified")
        assert r["iters"] == 4 and 0 < r["min_ms"] <= r["median_ms"] <= r["max_ms"]
        assert r["fidelity_max_abs_diff"] < 1e-4 and r["fidelity_top1_agreement"] == 1.0
        assert r["cold_start_ms"] == r["load_ms"] + r["first_ms"]
    assert doc["environment"]["browser"]["runtime"].startswith("onnxruntime-web")


def test_end_to_end_rows_in_the_browser(tmp_path) -> None:
    from hierattn.benchmarks.devices.browser import run_browser_end_to_end
    from hierattn.benchmarks.timing.endtoend import E2E_SOURCES, make_images

    images = make_images(tmp_path, {"photo_small": (E2E_SOURCES["photo_12mp"][0], 2100, 1600)})
    rows = run_browser_end_to_end(DEFAULT_ONNX, images, iters=2, log=lambda _: None)
    assert [r["preprocessing"] for r in rows] == [1, 2]
    for r in rows:
        assert r["device"].startswith("browser:chromium-") and r["iters"] == 2
        assert r["decode_ms"] > 0 and r["preprocess_ms"] > 0 and r["inference_ms"] > 0
    # version 2 reads the bitmap in 64-row RGBA strips into a half-size image: far less JS memory
    full_rgb = 2100 * 1600 * 3
    assert rows[0]["pixel_buffer_bytes"] > full_rgb
    assert rows[1]["pixel_buffer_bytes"] == 2100 * 64 * 4 + 1050 * 800 * 3
