"""Scale-out on Ray: the same Classifier and rows as the local path, run by a Ray Data actor pool.

Paths become a Ray Dataset; ``map_batches`` runs a pool of actors, each holding one Classifier built
from model bytes the driver verified and put in the object store (so worker nodes need no copy of
the model, only read access to the images). Results stream back to the driver in input order and go
through the same ResultSink as a local run (JSONL/CSV, with --resume), or are written by Ray as
Parquet files. ``ADDRESS`` is passed to ``ray.init``: ``local`` starts a local Ray runtime,
``auto`` joins the cluster this machine belongs to, ``ray://HEAD:10001`` connects with Ray Client.
See docs/runtime_under_load.md.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..console import log
from ..errors import UsageError, missing_backend
from .driver import RunSummary
from .stream import StreamOptions

LOCAL = "local"
_LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # Ray Data is the part we need
    except ImportError:
        raise missing_backend("ray", "ray", "--ray") from None
    return ray


def _init(ray: Any, address: str) -> None:
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # Ray Data logs every plan at INFO
    if ray.is_initialized():
        return
    started = time.perf_counter()
    if address == LOCAL:
        # A new local runtime gets Ray's token authentication, the safe default, and Ray announces it
        # at WARNING on every start; only that module's notice is held back while it starts.
        notices = logging.getLogger("ray._private.authentication.authentication_token_setup")
        level = notices.level
        notices.setLevel(logging.ERROR)
        try:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False,
                     object_store_memory=_LOCAL_OBJECT_STORE_BYTES, logging_level=logging.WARNING)
        finally:
            notices.setLevel(level)
    else:
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise UsageError(f"Cannot connect to the Ray cluster at {address!r} ({str(exc).strip()[:200]}); "
                             "pass --ray local for a local Ray runtime, or the address of a running cluster.") from exc
    log(f"ray: {address} runtime ready in {time.perf_counter() - started:.1f} s")


class _ClassifyActor:
    """One Classifier per actor, loaded from the verified model bytes (and sidecar) the driver shipped."""

    def __init__(self, name: str, model: Any, sidecar: str | None, options: StreamOptions, verify: bool) -> None:
        import ray

        from ..classifier import Classifier
        from ..spec import sidecar_path

        self._dir = tempfile.TemporaryDirectory(prefix="hierattn-ray-")
        path = Path(self._dir.name) / name
        path.write_bytes(ray.get(model))  # an ObjectRef: one copy in the object store, fetched once per actor
        if sidecar is not None:
            sidecar_path(path).write_text(sidecar, encoding="utf-8")
        self.classifier = Classifier.load(path, threads=1, verify=verify)
        self.options = options

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from .report import Row

        paths = [Path(str(p)) for p in batch["path"]]
        outcomes = self.classifier.predict_batch(paths, top_k=self.options.top_k, crop=self.options.crop)
        rows = [Row(p, o).to_dict() for p, o in zip(paths, outcomes, strict=True)]
        return _columns(rows, self.classifier.class_names)


def _columns(rows: list[dict[str, Any]], class_names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Flat columns Parquet can hold, plus the full row as JSON so JSONL output is the local format."""
    columns: dict[str, Any] = {
        "path": [r["path"] for r in rows],
        "label": [r["label"] or "" for r in rows],
        "error": [r["error"] or "" for r in rows],
        "referral": [r["referral"]["triggered"] if r["referral"] else False for r in rows],
        "row_json": [json.dumps(r) for r in rows],
    }
    for name in class_names:
        columns[f"p_{name}"] = [r["probabilities"][name] if r["probabilities"] else np.nan for r in rows]
    return {key: np.asarray(values) for key, values in columns.items()}


def _dataset(path: Path, paths: list[Path], address: str, options: StreamOptions, verify: bool) -> Any:
    """The lazy Ray Dataset of result columns for ``paths``."""
    from ..spec import sidecar_path

    ray = _import_ray()
    sidecar = sidecar_path(path)
    _init(ray, address)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # rows come back in input order, like the local path
    # Progress stays on: Ray draws bars on a terminal and logs at INFO (hidden above) when piped; turning
    # it off only adds Ray's warning that it is off.
    model = ray.put(path.read_bytes())
    blocks = max(1, min(len(paths) // options.batch_size, 4 * options.workers))
    items = ray.data.from_items([{"path": str(p)} for p in paths], override_num_blocks=blocks)
    return items.map_batches(
        _ClassifyActor,
        fn_constructor_kwargs={"name": path.name, "model": model, "options": options, "verify": verify,
                               "sidecar": sidecar.read_text(encoding="utf-8") if sidecar.is_file() else None},
        batch_size=options.batch_size,
        compute=ray.data.ActorPoolStrategy(size=options.workers),  # a fixed pool of that many classifier actors
        num_cpus=1,
        batch_format="numpy",
        # Only named parameters: Ray deprecates **ray_remote_args (removed in 2.64) and `concurrency` (2.51).
        # So Ray Data's actor defaults apply: an actor that crashes mid-run restarts and its batch is
        # retried; one whose classifier fails to load fails the run (max_consecutive_actor_init_deaths 0).
    )


def _model_classes(path: Path, verify: bool) -> tuple[str, ...]:
    """Load (and verify) the model on the driver: a bad file is refused before any cluster work."""
    from ..classifier import Classifier

    return Classifier.load(path, threads=1, verify=verify).class_names


def _row_batches(dataset: Any) -> Iterator[list[dict[str, Any]]]:
    for batch in dataset.iter_batches(batch_format="numpy", batch_size=None):
        yield [json.loads(str(text)) for text in batch["row_json"]]


def classify_on_ray(
    path: Path, paths: list[Path], address: str, options: StreamOptions, verify: bool
) -> tuple[list[dict[str, Any]], tuple[str, ...], RunSummary]:
    """Every row (as ``Row.to_dict()``) in input order; used by hierattn-eval."""
    names = _model_classes(path, verify)
    _init(_import_ray(), address)
    started = time.perf_counter()  # throughput without the runtime's start-up, which is logged apart
    rows = [row for batch in _row_batches(_dataset(path, paths, address, options, verify)) for row in batch]
    errors = sum(r["error"] is not None for r in rows)
    return rows, names, RunSummary(len(rows), errors, 0, time.perf_counter() - started)


def predict_on_ray(
    path: Path,
    items: Iterable[Path],
    address: str,
    options: StreamOptions,
    jsonl: Path | None,
    parquet: Path | None,
    verify: bool,
    resume: bool = False,
    include_hidden: bool = False,
) -> RunSummary:
    """hierattn-predict --ray: rows to a JSONL file (streamed, resumable) or Parquet files written by Ray."""
    from .inputs import iter_inputs
    from .sinks import ResultSink

    if (jsonl is None) == (parquet is None):
        raise UsageError("--ray writes to exactly one of --jsonl PATH or --parquet DIR.")
    if parquet is not None and resume:
        raise UsageError("--resume works with --jsonl; Parquet output is written whole by Ray.")
    paths = list(iter_inputs(items, include_hidden=include_hidden))
    if not paths:
        raise UsageError("no images found in the given paths; pass image files or folders that contain images.")
    names = _model_classes(path, verify)
    _init(_import_ray(), address)
    started = time.perf_counter()  # throughput without the runtime's start-up, which is logged apart
    if parquet is not None:
        _dataset(path, paths, address, options, verify).write_parquet(str(parquet))
        table = _import_ray().data.read_parquet(str(parquet))
        errors = table.filter(expr="error != ''").count()
        return RunSummary(table.count(), errors, 0, time.perf_counter() - started)
    assert jsonl is not None  # exactly one of jsonl / parquet, checked above
    count = errors = 0
    from ..artifact.integrity import model_sha256

    with ResultSink(jsonl, "jsonl", names, resume=resume, model_sha256=model_sha256(path)) as sink:
        todo = [p for p in paths if str(p) not in sink.done]
        if todo:
            for rows in _row_batches(_dataset(path, todo, address, options, verify)):
                sink.write_dicts(rows)
                count += len(rows)
                errors += sum(r["error"] is not None for r in rows)
    return RunSummary(count, errors, len(paths) - len(todo), time.perf_counter() - started, sink.retried)
