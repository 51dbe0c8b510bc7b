"""``hierattn-bench``: latency, size and fidelity of HierAttn and the paper's baselines on a CPU or a phone.

Parses options, calls ``harness`` (CPU) or ``android`` (adb), and writes the report. See
docs/benchmarks.md for the schema and the methodology.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from ..runtime.console import CliApp, choices_of, deprecated, fail, log, run_or_exit, split_list
from ..runtime.errors import UsageError
from ..runtime.native_log import quiet_native_logs

app = CliApp(
    renamed_values={"--json": "--json-out", "--csv": "--csv-out"},  # their old spellings took a PATH
    help="Benchmark latency, size and fidelity of HierAttn and mobile baselines on this CPU or an Android phone.",
)


class Device(str, Enum):
    CPU = "cpu"
    ANDROID = "android"
    BROWSER = "browser"
    ARM_EMULATED = "arm-emulated"
    X86_EMULATED = "x86-emulated"
    JVM = "jvm"


class AndroidRunnerKind(str, Enum):
    BENCHMARK_MODEL = "benchmark_model"
    APP = "app"


ARM_CPUS = ("cortex-a76", "cortex-a53")
X86_CPUS = ("Haswell",)
ARM_REPEATS = 4
QUICK = {"formats": ("pytorch", "onnx", "tflite"), "precisions": ("fp32",), "threads": (1, 2),
         "warmup": 5, "iters": 40, "rounds": 5}


def _split(items: list[str]) -> tuple[str, ...] | None:
    """A list option's items (already split at commas), None when the option was not given."""
    return tuple(items) or None


def _ints(items: list[str], option: str) -> tuple[int, ...]:
    text = ",".join(items)
    try:
        values = tuple(int(v) for v in items)
    except ValueError:
        raise UsageError(f"{option} takes integers, e.g. 1,2 (got {text!r}).") from None
    if not values or min(values) < 1:
        raise UsageError(f"{option} needs positive integers, e.g. 1,2 (got {text!r}).")
    return values


def _renamed(
    formats: list[str], old_formats: list[str], precisions: list[str], old_precisions: list[str],
    batch_size: int, old_batch: int | None,
) -> tuple[list[str], list[str], int]:
    """Fold the deprecated spellings (--formats, --precisions, --batch) into the current ones."""
    if old_formats:
        deprecated("--formats", "--format")
    if old_precisions:
        deprecated("--precisions", "--precision")
    if old_batch is not None:
        deprecated("--batch", "--batch-size")
    return [*formats, *old_formats], [*precisions, *old_precisions], old_batch if old_batch is not None else batch_size


def _write_outputs(document: dict[str, Any], rows: list[dict[str, Any]], json_path: str | None,
                   csv_path: Path | None, plot_path: Path | None, markdown_path: Path | None = None) -> None:
    import json

    from rich.console import Console

    from .reports import report

    stream = sys.stderr if json_path == "-" else sys.stdout
    if stream.isatty():
        Console(file=stream).print(report.render_table(rows))
    else:  # a log or a pipe: plain text at full width, a line per row
        stream.write(report.render_text(rows))
    for ratio in [] if document["config"].get("end_to_end") else document["ratios"] + document["arm_ratios"]:
        log("ratio " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in ratio.items()))
    if csv_path is not None:
        report.write_csv(rows, csv_path)
        log(f"wrote {csv_path}")
    if markdown_path is not None:
        from .reports.markdown import render

        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(render(document))
        log(f"wrote {markdown_path}")
    if plot_path is not None:
        from .reports.plots import write_plots

        for plot in write_plots(rows, plot_path):
            log(f"wrote {plot.path}")
    if json_path == "-":
        print(json.dumps(document, indent=2))
    elif json_path is not None:
        report.write_json(document, Path(json_path))
        log(f"wrote {json_path}")


@app.command(no_args_is_help=True)
def main(
    device: list[str] = typer.Option(..., "--device", callback=choices_of(Device), help="Where to run: this machine's CPU, an Android phone over adb, local headless Chromium (browser), LiteRT's aarch64 build under qemu-user (arm-emulated: instruction counts, docs/arm.md), this machine's LiteRT on an emulated AVX2-only x86 CPU (x86-emulated), or the Android app's Kotlin core on the JVM (jvm, with --end-to-end only); repeat or separate with commas for one report: --device cpu,browser."),
    models: list[str] = typer.Option([], "--models", callback=split_list, help="Zoo models, repeated or comma-separated (default: HierAttn and the paper's baselines; arl_cnn14, arl_cnn50, resnet50_sa, irv2_sa on request; see docs/benchmarks.md)."),
    model_files: list[Path] = typer.Option([], "--model", help="An exported .onnx/.tflite/.pte file to time as its own row (repeat for several; torch-free except .pte)."),
    formats: list[str] = typer.Option([], "--format", "-f", callback=split_list, help="Formats to time: pytorch, onnx, tflite, executorch; repeat or separate with commas (default: all)."),
    precisions: list[str] = typer.Option([], "--precision", "-p", callback=split_list, help="Precisions: fp32, fp16, int8-dynamic, int8; repeat or separate with commas (default: per format)."),
    threads: list[str] = typer.Option(["1", "2"], "--threads", callback=split_list, help="Thread counts, each a separate row; repeat or separate with commas."),
    batch_size: int = typer.Option(1, "--batch-size", min=1, help="Batch size of the timed input."),
    warmup: int = typer.Option(10, "--warmup", help="Untimed runs per row before timing."),
    iters: int = typer.Option(None, "--iters", help="Timed runs per row (default 100 unless --seconds)."),
    seconds: float = typer.Option(None, "--seconds", help="Timed seconds per row instead of a fixed --iters."),
    rounds: int = typer.Option(10, "--rounds", help="Interleaving rounds: each round runs a slice of every row."),
    quick: bool = typer.Option(False, "--quick", help="HierAttn-xs and MobileNetV3-Large, fp32 PyTorch/ONNX/TFLite, short runs (< 3 min)."),
    cold_start: bool = typer.Option(True, "--cold-start/--no-cold-start", help="Measure cold start and peak RSS in a fresh process per row."),
    fidelity: bool = typer.Option(True, "--fidelity/--no-fidelity", help="Compare each artifact's logits with PyTorch on synthetic images."),
    out_dir: Path = typer.Option(Path("bench-out"), "--out", help="Directory for cached exported artifacts."),
    no_optimize: bool = typer.Option(False, "--no-optimize", help="Time HierAttn's plain graph instead of its exact deploy form (the default for fp32/fp16 exports; baselines are always exported as built)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON report on stdout (the table and logs go to stderr)."),
    json_path: str = typer.Option(None, "--json-out", help="Write the JSON report to PATH ('-': stdout)."),
    csv_path: Path = typer.Option(None, "--csv-out", help="Write the rows as CSV to PATH."),
    plot_path: Path = typer.Option(None, "--plot", help="Write PNG plots to PATH_params.png, PATH_macs.png, PATH_formats.png."),
    markdown_path: Path = typer.Option(None, "--markdown", help="Write report-ready Markdown tables (latency per thread count, ratios) to PATH."),
    serial: str = typer.Option(None, "--serial", help="Android: adb device serial (needed when several are connected)."),
    android_runner: AndroidRunnerKind = typer.Option(AndroidRunnerKind.BENCHMARK_MODEL, "--android-runner", help="Android: LiteRT benchmark_model binary or the sample app's benchmark mode."),
    benchmark_binary: Path = typer.Option(None, "--benchmark-binary", help="Android: local path of LiteRT's benchmark_model for the phone's ABI."),
    big_cores: bool = typer.Option(False, "--big-cores", help="Android: pin benchmark_model to the fastest cores with taskset."),
    cpus: list[str] = typer.Option([], "--cpu", callback=split_list, help=f"arm-emulated / x86-emulated: qemu CPU models, repeated or comma-separated, each its own rows (default {','.join(ARM_CPUS)} / {','.join(X86_CPUS)})."),
    arm_images: int = typer.Option(8, "--arm-images", help="arm-emulated / x86-emulated: images fed through the emulated kernels for the numerics columns."),
    validation_dir: Path = typer.Option(None, "--validation-dir", help="arm-emulated / x86-emulated --model rows: numerics images (default: the bundled validation set)."),
    reference_checkpoint: Path = typer.Option(None, "--reference-checkpoint", help="arm-emulated / x86-emulated --model rows: PyTorch checkpoint the files were exported from, for the vs-PyTorch columns."),
    end_to_end: bool = typer.Option(False, "--end-to-end", help="Instead of model rows: decode + preprocess + inference of a generated 12 MP photo and a 1 MP dermoscopy image, ms per stage, preprocessing versions 1 and 2, on --device cpu (Python runtime), jvm (the Kotlin core: no inference) and browser (the web page). Model: the first --model, else the bundled demo model."),
    old_formats: list[str] = typer.Option([], "--formats", callback=split_list, hidden=True, help="Deprecated spelling of --format."),
    old_precisions: list[str] = typer.Option([], "--precisions", callback=split_list, hidden=True, help="Deprecated spelling of --precision."),
    old_batch: int | None = typer.Option(None, "--batch", hidden=True, help="Deprecated spelling of --batch-size."),
) -> None:
    """Time every (model, format, precision, threads) row and write a table, JSON, CSV and plots."""
    quiet_native_logs()  # TensorFlow/LiteRT/ExecuTorch start-up INFO lines off the console
    formats, precisions, batch = _renamed(formats, old_formats, precisions, old_precisions, batch_size, old_batch)
    if as_json and json_path is not None:
        raise fail("--json prints the report on stdout and --json-out PATH writes it; give one.", 2)
    json_target = "-" if as_json else json_path

    def job() -> None:
        from . import environment

        if iters is not None and seconds is not None:
            raise UsageError("Give only one of --iters and --seconds.")
        settings: dict[str, Any] = {
            "formats": _split(formats), "precisions": _split(precisions), "threads": _ints(threads, "--threads"),
            "warmup": warmup, "iters": iters if iters is not None or seconds is not None else 100, "rounds": rounds,
        }
        names = _split(models)
        if quick:
            from .zoo import QUICK_MODELS

            names = names or QUICK_MODELS
            settings = {**QUICK, **{k: v for k, v in settings.items() if k in ("formats", "precisions") and v}}
            if seconds is not None:
                settings["iters"] = None
        env = environment.collect()
        devices = [Device(d) for d in dict.fromkeys(device)]
        if end_to_end:
            rows = _end_to_end_rows(devices, model_files, settings, out_dir)
            document = _document(env, {"device": "+".join(d.value for d in devices), "end_to_end": True,
                                       "iters": settings["iters"], "warmup": settings["warmup"]}, rows, [])
            _write_outputs(document, rows, json_target, csv_path, plot_path, markdown_path)
            return
        if Device.JVM in devices:
            raise UsageError("--device jvm times the Kotlin core's preprocessing only; add --end-to-end.")
        native = [d for d in devices if d is not Device.BROWSER]
        if len(native) > 1:
            raise UsageError("--device cpu, android, arm-emulated and x86-emulated cannot share one run; run them one "
                             "at a time.")
        rows: list[dict[str, Any]] = []
        skipped: list[dict[str, str]] = []
        config_dict: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
        if native in ([Device.ARM_EMULATED], [Device.X86_EMULATED]):
            from .emulated import arm

            on_arm = native == [Device.ARM_EMULATED]
            options = arm.ArmOptions(
                cpus=_split(cpus) or (ARM_CPUS if on_arm else X86_CPUS), models=names or (),
                model_files=tuple(model_files),
                precisions=settings["precisions"], repeats=iters if iters is not None else ARM_REPEATS,
                images=arm_images, validation_dir=validation_dir, reference_checkpoint=reference_checkpoint,
                out_dir=out_dir, formats=settings["formats"] or ("tflite",),
            )
            if on_arm:
                rows, skipped, env["arm_emulated"] = arm.run_arm(options, log)
            else:
                from .emulated.x86 import run_x86_emulated

                rows, skipped, env["x86_emulated"] = run_x86_emulated(options, log)
            config_dict = {"cpus": list(options.cpus), "models": list(options.models),
                           "model_files": [str(p) for p in model_files],
                           "precisions": list(options.precisions or arm.DEFAULT_PRECISIONS),
                           "repeats": options.repeats, "images": options.images}
        elif native == [Device.ANDROID]:
            from .devices import android

            rows, skipped, env_extra = android.run_android(android.AndroidOptions(
                serial=serial, runner=android_runner.value, benchmark_binary=benchmark_binary, big_cores=big_cores,
                models=names or (), model_files=tuple(model_files), precisions=settings["precisions"],
                threads=settings["threads"], warmup=settings["warmup"], iters=settings["iters"] or 50,
                out_dir=out_dir,
            ), log)
            env["android"] = env_extra
        elif native == [Device.CPU]:
            from .timing.harness import BenchConfig
            from .zoo import DEFAULT_MODELS

            config = BenchConfig(
                models=names if names is not None else (() if model_files else DEFAULT_MODELS),
                model_files=tuple(model_files),
                formats=settings["formats"] or BenchConfig.formats, precisions=settings["precisions"],
                threads=settings["threads"], batch=batch, warmup=settings["warmup"],
                iters=None if seconds is not None else settings["iters"], seconds=seconds,
                rounds=settings["rounds"], cold_start=cold_start, fidelity=fidelity, out_dir=out_dir,
                optimize=not no_optimize,
            )
            from .timing.harness import run_cpu

            rows, skipped = run_cpu(config, log)
            config_dict = config.to_dict()
        if Device.BROWSER in devices:
            from .devices import browser
            from .zoo import DEFAULT_MODELS

            web_rows, _, env["browser"] = browser.run_browser(browser.BrowserOptions(
                models=names if names is not None else (() if model_files else DEFAULT_MODELS), model_files=tuple(model_files),
                formats=settings["formats"], precisions=settings["precisions"],
                threads=settings["threads"], warmup=settings["warmup"], iters=settings["iters"] or 50, out_dir=out_dir,
            ), log)
            rows = [*rows, *web_rows]
        config_dict = {"device": "+".join(d.value for d in devices), **config_dict}
        document = _document(env, config_dict, rows, skipped)
        _write_outputs(document, rows, json_target, csv_path, plot_path, markdown_path)

    run_or_exit(job)


def _document(env: dict[str, Any], config: dict[str, Any], rows: list[dict[str, Any]], skipped: list[dict[str, str]]) -> dict[str, Any]:
    from .reports.report import build_document

    return build_document(env, config, rows, skipped)


def _end_to_end_rows(devices: list[Device], model_files: list[Path], settings: dict[str, Any], out_dir: Path) -> list[dict[str, Any]]:
    """``--end-to-end``: rows of timing.endtoend for cpu, devices.jvm and devices.browser."""
    from ..runtime.defaults import default_model_path
    from .timing.endtoend import make_images, run_python

    unsupported = [d.value for d in devices if d not in (Device.CPU, Device.JVM, Device.BROWSER)]
    if unsupported:
        raise UsageError(f"--end-to-end runs on --device cpu, jvm and browser, not {', '.join(unsupported)}.")
    model = model_files[0] if model_files else default_model_path()
    if model is None:
        raise UsageError("no --model given and the bundled demo model is missing; pass --model FILE.onnx.")
    images = make_images(out_dir / "end_to_end")
    iters = settings["iters"] or 20
    rows: list[dict[str, Any]] = []
    if Device.CPU in devices:
        rows += run_python(model, images, settings["threads"][0], settings["warmup"], iters, log)
    if Device.JVM in devices:
        from .devices.jvm import run_jvm

        rows += run_jvm(model, images, settings["warmup"], iters, log)
    if Device.BROWSER in devices:
        from .devices.browser import run_browser_end_to_end

        rows += run_browser_end_to_end(model, images, iters, log)
    return rows


if __name__ == "__main__":
    app()
