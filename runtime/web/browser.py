"""Run a job of the web demo in local headless Chromium: serve the page, drive it with Node.

``web_demo/tools/browser.mjs`` (playwright-core, Debian's chromium) does the driving and prints one
JSON document; this module writes the job, runs it against a page served by ``web_server.serving``
and turns failures into one-line errors.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import HierAttnError
from .assets import WEB_DEMO, browser_ready
from .server import model_url, serving

DRIVER = WEB_DEMO / "tools" / "browser.mjs"


class BrowserJobError(HierAttnError):
    """The page or the browser failed; the message carries the driver's own error line."""


def run_job(model: Path, job: dict[str, Any], query: str = "", timeout: float = 900.0, isolated: bool = True) -> dict[str, Any]:
    """Serve ``model`` on localhost, run ``job`` (see browser.mjs) in Chromium, return its JSON result.

    Args:
        model: the .onnx or .tflite file; its sidecar must sit next to it.
        job: the job fields without ``url`` (added here).
        query: more of the page's URL query string, e.g. ``"threads=2"``.
        timeout: seconds before the browser is given up on.
        isolated: send the cross-origin isolation headers (False: what a plain static host does).
    """
    node, chromium = browser_ready()
    with serving(model, isolated=isolated) as base, tempfile.TemporaryDirectory(prefix="hierattn-web-") as tmp:
        job_file = Path(tmp) / "job.json"
        url = f"{base}?model={model_url(model)}" + (f"&{query}" if query else "")
        job_file.write_text(json.dumps({**job, "url": url, "chromium": str(chromium)}))
        try:
            done = subprocess.run([node, str(DRIVER), str(job_file)], capture_output=True, text=True, timeout=timeout, cwd=WEB_DEMO)
        except subprocess.TimeoutExpired:
            raise BrowserJobError(f"the browser did not finish within {timeout:.0f} s") from None
    if done.returncode != 0 or not done.stdout.strip():
        lines = [line for line in done.stderr.strip().splitlines() if line.startswith("error: ")]
        detail = lines[-1][len("error: "):] if lines else done.stderr.strip()[-500:]
        raise BrowserJobError(f"headless Chromium: {detail}")
    return json.loads(done.stdout)
