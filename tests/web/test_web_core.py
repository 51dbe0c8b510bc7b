"""The web page's JavaScript preprocessing core, run by Node's test runner against tests/golden.

The JS tests read every expected value (spec included) from the golden folder, so they follow the
Python runtime. The second test shows they are not vacuous: a Python runtime whose closing kernel
anchor is changed writes a different golden set, and the JS core must then fail on it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web_demo"
GOLDEN = REPO / "tests" / "golden"

# Regenerates the golden set with the closing window anchored at 0 instead of k // 2 (OpenCV's).
MUTATED_GOLDEN = """
import sys
import hierattn.runtime.crop as crop

def _morph(mask, kernel, use_max):
    return crop._window_reduce(crop._window_reduce(mask, kernel, 0, 1, use_max), kernel, 0, 0, use_max)

crop._morph = _morph
from hierattn.runtime.parity.golden import write_golden
from pathlib import Path
write_golden(Path(sys.argv[1]))
"""


def _node_test(golden_dir: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "pngjs").is_dir():
        pytest.fail("node or the web demo's npm packages are missing: run bash scripts/bootstrap.sh")
    env = {**os.environ, "HIERATTN_GOLDEN_DIR": str(golden_dir)}
    return subprocess.run([node, "--test", "--test-reporter=tap", "test/"], cwd=WEB, capture_output=True, text=True, env=env, timeout=300)


def _count(tap: str, key: str) -> int:
    match = re.search(rf"^# {key} (\d+)$", tap, re.M)
    assert match is not None, tap[-2000:]
    return int(match.group(1))


def test_js_core_passes_every_golden_vector() -> None:
    done = _node_test(GOLDEN)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    cases = len(json.loads((GOLDEN / "vectors.json").read_text())["cases"])
    assert f"golden cases: {cases}" in done.stdout
    assert _count(done.stdout, "fail") == 0
    assert _count(done.stdout, "skipped") == 0
    # 4 checks per case (grey+mask, box, pixels, tensor) plus the case itself, and the unit tests
    assert _count(done.stdout, "pass") >= 5 * cases


def test_js_core_fails_when_python_preprocessing_changes(tmp_path: Path) -> None:
    mutated = tmp_path / "golden"
    subprocess.run([sys.executable, "-c", MUTATED_GOLDEN, str(mutated)], check=True, timeout=300)
    assert json.loads((mutated / "vectors.json").read_text()) != json.loads((GOLDEN / "vectors.json").read_text())
    done = _node_test(mutated)
    assert done.returncode != 0, "the JS core passed a golden set made by a different preprocessing"
    failing = set(re.findall(r"^    not ok \d+ - (.+)$", done.stdout, re.M))
    assert {"grey and closed mask match bit for bit", "crop box is identical"} <= failing, done.stdout[-3000:]
