"""End-to-end rows for the Android app's Kotlin core on the JVM (``java -jar hierattn-core.jar``).

The command-line core decodes with javax.imageio (JPEG subsampled at the version 2 decoder scale,
docs/preprocessing.md) and preprocesses with the same Kotlin code the app runs; it has no model, so
the rows have decode and preprocess stages only. The JVM runs ``warmup + iters`` passes per image in
one process (``--repeat``), and the first ``warmup`` are dropped: the JIT compiles during them, as it
does on a phone after the first photos.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ...runtime.errors import HierAttnError
from ...runtime.spec import ModelSpec, sidecar_path
from ..timing.endtoend import VERSIONS, E2EImage, Log, base_row, e2e_row


def run_jvm(model: Path, images: list[E2EImage], warmup: int, iters: int, log: Log) -> list[dict[str, Any]]:
    """One row per (image, preprocessing version), the spec taken from ``model``'s sidecar."""
    from ...runtime.parity.cli import ensure_jar

    jar = ensure_jar()
    spec = ModelSpec.from_json(sidecar_path(model).read_text())
    rows = []
    with tempfile.TemporaryDirectory(prefix="hierattn-jvm-") as tmp:
        for version in VERSIONS:
            spec_file = Path(tmp) / f"spec_v{version}.json"
            spec_file.write_text(spec.with_updates(preprocessing=version).to_json())
            log(f"end-to-end jvm preprocessing {version}: {warmup} + {iters} runs per image")
            out = _run(jar, spec_file, images, warmup + iters)
            java = _java_version()
            for image, result in zip(images, out, strict=True):
                timings = result["timings"]
                stages = {"decode": timings["decode_ms"][warmup:], "preprocess": timings["preprocess_ms"][warmup:]}
                buffers = result["pixel_buffers"]
                base = base_row("jvm", model, spec, "kotlin-core", "kotlin-jvm", 1)
                base["backend_version"] = java
                base["threads_check"] = "one thread (the core is single-threaded)"
                # the core reports its thread's CPU time for decode + preprocess together
                cpu = {"preprocess": timings["cpu_ms"][warmup:]} if "cpu_ms" in timings else None
                rows.append(e2e_row(base, image, version, stages, int(buffers["decoder_bytes"] + buffers["core_bytes"]), warmup, cpu))
    return rows


def _run(jar: Path, spec_file: Path, images: list[E2EImage], repeat: int) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["java", "-jar", str(jar), "--spec", str(spec_file), "--repeat", str(repeat), *(str(i.path) for i in images)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise HierAttnError(f"the Kotlin core failed: {done.stderr.strip()[-300:]}")
    results = list(json.loads(done.stdout)["images"])
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise HierAttnError(f"the Kotlin core failed on an image: {errors[0]}")
    return results


def _java_version() -> str | None:
    done = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    first = (done.stderr or done.stdout).strip().splitlines()
    return first[0] if first else None
