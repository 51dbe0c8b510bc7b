"""The report's row fields: one table drives the JSON rows, the CSV header and the schema check.

docs/benchmarks.md documents the same fields; a test keeps the two in sync.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 5  # 2: arm-emulated rows (instruction counts; latency fields nullable); 3: end-to-end rows; 4: weights; 5: end-to-end CPU time

NUMBER = (int, float)
# name: (allowed JSON types, may be null)
ROW_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "device": ((str,), False),
    "model": ((str,), False),
    "label": ((str,), False),
    "family": ((str,), False),
    "weights": ((str,), True),  # "demo" (bundled trained checkpoint) or "random"; null for --model files
    "format": ((str,), False),
    "precision": ((str,), False),
    "graph": ((str,), True),
    "backend": ((str,), False),
    "backend_version": ((str,), True),
    "threads": ((int,), False),
    "threads_observed": ((int,), True),
    "threads_check": ((str,), False),
    "batch": ((int,), False),
    "warmup": ((int,), False),
    "iters": ((int,), False),
    # latency: null for arm-emulated rows (they count instructions); median also for benchmark_model
    "median_ms": (NUMBER, True),
    "p90_ms": (NUMBER, True),
    "mean_ms": (NUMBER, True),
    "min_ms": (NUMBER, True),
    "max_ms": (NUMBER, True),
    "std_ms": (NUMBER, True),
    "throughput_ips": (NUMBER, True),
    "insns_per_inference": (NUMBER, True),  # arm-emulated rows only
    "setup_insns": (NUMBER, True),
    "cold_start_ms": (NUMBER, True),
    "load_ms": (NUMBER, True),
    "first_ms": (NUMBER, True),
    "peak_rss_mb": (NUMBER, True),
    "size_mb": (NUMBER, True),
    "params_m": (NUMBER, True),
    "macs_g": (NUMBER, True),
    "fidelity_max_abs_diff": (NUMBER, True),
    "fidelity_top1_agreement": (NUMBER, True),
    "numerics_images": ((int,), True),
    "x86_max_abs_diff": (NUMBER, True),
    "x86_top1_agreement": (NUMBER, True),
    "top1_differences": ((list,), True),  # arm-emulated: [{image, arm, x86, pytorch}] where top-1 differs
    "paper_ms": (NUMBER, True),
    # end-to-end rows only (--end-to-end): the photo, the preprocessing version and each stage's median
    "end_to_end_image": ((str,), True),
    "preprocessing": ((int,), True),
    "decode_ms": (NUMBER, True),
    "preprocess_ms": (NUMBER, True),
    "inference_ms": (NUMBER, True),
    "cpu_ms": (NUMBER, True),  # median CPU time per run (all stages the runtime can measure)
    "decode_cpu_ms": (NUMBER, True),
    "preprocess_cpu_ms": (NUMBER, True),
    "inference_cpu_ms": (NUMBER, True),
    "pixel_buffer_bytes": ((int,), True),
    "artifact": ((str,), False),
}

ENVIRONMENT_FIELDS: tuple[str, ...] = (
    "timestamp", "command", "cpu_model", "cpu_count", "governor", "os", "python", "libraries",
)
TOP_LEVEL_FIELDS: tuple[str, ...] = ("schema_version", "environment", "config", "rows", "skipped")


def schema_errors(document: Any) -> list[str]:
    """Every way ``document`` departs from the report schema (empty when it conforms)."""
    if not isinstance(document, dict):
        return ["report is not a JSON object"]
    errors = [f"missing top-level key {key!r}" for key in TOP_LEVEL_FIELDS if key not in document]
    if document.get("schema_version") != SCHEMA_VERSION:
        errors.append(f"schema_version is {document.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    env = document.get("environment")
    if not isinstance(env, dict):
        errors.append("environment is not an object")
    else:
        errors += [f"environment lacks {key!r}" for key in ENVIRONMENT_FIELDS if key not in env]
    rows = document.get("rows")
    if not isinstance(rows, list):
        return [*errors, "rows is not a list"]
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(f"rows[{i}] is not an object")
            continue
        extra = set(row) - set(ROW_FIELDS)
        if extra:
            errors.append(f"rows[{i}] has unknown keys {sorted(extra)}")
        for name, (types, nullable) in ROW_FIELDS.items():
            if name not in row:
                errors.append(f"rows[{i}] lacks {name!r}")
            elif row[name] is None:
                if not nullable:
                    errors.append(f"rows[{i}].{name} is null")
            elif isinstance(row[name], bool) or not isinstance(row[name], types):
                errors.append(f"rows[{i}].{name} has type {type(row[name]).__name__}")
    if not isinstance(document.get("skipped"), list):
        errors.append("skipped is not a list")
    return errors
