"""adb command lines, device selection and the one-line errors of ``--device android``."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.benchmarks.devices import android
from hierattn.runtime.errors import UsageError

DEVICES = "List of devices attached\nR58M12ABCDE\tdevice\nemulator-5554\toffline\n0123456789\tunauthorized\n\n"
FREQS = "\n".join(
    f"/sys/devices/system/cpu/cpu{i}/cpufreq/cpuinfo_max_freq {f}"
    for i, f in enumerate([1800000] * 4 + [2400000] * 3 + [2850000])
)


def test_parse_devices_keeps_ready_devices_only() -> None:
    assert android.parse_devices(DEVICES) == ["R58M12ABCDE"]
    assert android.parse_devices("List of devices attached\n\n") == []


def test_big_cores_and_mask() -> None:
    freqs = android.parse_max_freqs(FREQS)
    assert len(freqs) == 8
    assert android.big_cores(freqs) == [7]
    assert android.cpu_mask([4, 5, 6, 7]) == "f0"
    assert android.cpu_mask(android.big_cores(freqs)) == "80"
    assert android.big_cores({}) == []


def test_cpu10_is_parsed_by_number_not_glob_order() -> None:
    freqs = android.parse_max_freqs(FREQS + "\n/sys/devices/system/cpu/cpu10/cpufreq/cpuinfo_max_freq 3000000")
    assert android.big_cores(freqs) == [10]
    assert android.cpu_mask([10]) == "400"


def test_benchmark_model_command() -> None:
    cmd = android.benchmark_model_command("/data/local/tmp/hierattn/benchmark_model", "/data/local/tmp/hierattn/m.tflite", 4, 10, 50, "f0")
    assert cmd[:2] == ["taskset", "f0"]
    assert cmd[2] == "/data/local/tmp/hierattn/benchmark_model"
    for flag in ("--graph=/data/local/tmp/hierattn/m.tflite", "--num_threads=4", "--warmup_runs=10",
                 "--num_runs=50", "--use_xnnpack=true"):
        assert flag in cmd
    assert android.benchmark_model_command("b", "g", 1, 0, 5)[0] == "b"  # no pinning without a mask


def test_app_command_matches_the_documented_protocol() -> None:
    cmd = android.app_command("hierattn_xs_fp32.tflite", 2, 5, 30, "42")
    assert cmd[:5] == ["am", "start", "-W", "-n", "org.hierattn.demo/.BenchmarkActivity"]
    pairs = {cmd[i + 1]: (cmd[i], cmd[i + 2]) for i in range(5, len(cmd), 3)}
    assert pairs == {
        "model": ("--es", "hierattn_xs_fp32.tflite"), "threads": ("--ei", "2"), "warmup": ("--ei", "5"),
        "iterations": ("--ei", "30"), "delegate": ("--es", "cpu"), "run_id": ("--es", "42"),
    }


def test_adb_command_targets_the_serial() -> None:
    adb = android.Adb("/usr/bin/adb", "R58M12ABCDE")
    assert adb.command("shell", "ls") == ["/usr/bin/adb", "-s", "R58M12ABCDE", "shell", "ls"]


def _fake_adb(folder: Path, devices_output: str) -> Path:
    script = folder / "adb"
    script.write_text(f"#!/bin/sh\nprintf '{devices_output}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def _run_cli(path_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": str(path_dir)}
    return subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "android", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )


def test_no_adb_is_one_line_exit_2(tmp_path: Path) -> None:
    done = _run_cli(tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: adb is not on PATH")


def test_no_device_is_one_line_exit_2(tmp_path: Path) -> None:
    done = _run_cli(_fake_adb(tmp_path, "List of devices attached\\n\\n"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: No Android device connected")


def test_several_devices_need_a_serial(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_adb(tmp_path, "List of devices attached\\nA\\tdevice\\nB\\tdevice\\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="--serial"):
        android.Adb.connect(None)
    with pytest.raises(UsageError, match="not connected"):
        android.Adb.connect("C")
    assert android.Adb.connect("B").serial == "B"


FAKE_PHONE = """#!/bin/sh
# adb stand-in: one device, every command succeeds, benchmark_model prints a recorded transcript.
echo "$@" >> "{log}"
case "$*" in
  devices) printf 'List of devices attached\\nR58M12ABCDE\\tdevice\\n' ;;
  *getprop\\ ro.product.model*) echo "Pixel 7" ;;
  *getprop\\ ro.product.cpu.abi*) echo "arm64-v8a" ;;
  *getprop*) echo "34" ;;
  *cpuinfo_max_freq*) printf '{freqs}' ;;
  *benchmark_model\\ --graph*) cat "{transcript}" ;;
esac
"""


def test_benchmark_model_run_builds_schema_rows(tmp_path: Path) -> None:
    log = tmp_path / "adb.log"
    script = tmp_path / "adb"
    script.write_text(FAKE_PHONE.format(
        log=log, freqs=FREQS.replace("\n", "\\n"),
        transcript=Path(__file__).resolve().parents[2] / "fixtures" / "benchmark_model" / "plain_stdout.txt",
    ))
    script.chmod(0o755)
    model = tmp_path / "hierattn_xs_fp32.tflite"
    model.write_bytes(b"\0" * 2048)
    binary = tmp_path / "benchmark_model"
    binary.write_bytes(b"\0")
    done = subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "android", "--model", str(model),
         "--benchmark-binary", str(binary), "--threads", "1,4", "--warmup", "3", "--iters", "20",
         "--big-cores", "--json"],
        capture_output=True, text=True, env={**os.environ, "PATH": f"{tmp_path}:/usr/bin:/bin"}, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    from hierattn.benchmarks.reports.schema import schema_errors

    assert schema_errors(document) == []
    assert document["environment"]["android"]["model"] == "Pixel 7"
    rows = document["rows"]
    assert [r["threads"] for r in rows] == [1, 4]
    assert all(r["device"] == "android:R58M12ABCDE" and r["format"] == "tflite" for r in rows)
    assert rows[0]["mean_ms"] == pytest.approx(18.2416) and rows[0]["median_ms"] is None
    assert rows[0]["cold_start_ms"] == pytest.approx(61.532 + 30.412)
    calls = log.read_text().splitlines()
    assert any(c.startswith("-s R58M12ABCDE push") and c.endswith("/data/local/tmp/hierattn/benchmark_model") for c in calls)
    runs = [c for c in calls if "--graph=" in c]
    assert len(runs) == 2 and all("taskset 80 /data/local/tmp/hierattn/benchmark_model" in c for c in runs)
    assert "--num_threads=4" in runs[1] and "--warmup_runs=3" in runs[1] and "--num_runs=20" in runs[1]


FAKE_APP_PHONE = """#!/bin/sh
# adb stand-in for the sample app: remembers the run_id of `am start` and answers logcat with it.
case "$*" in
  devices) printf 'List of devices attached\\nR58M12ABCDE\\tdevice\\n' ;;
  *am\\ start*) echo "$*" | sed 's/.*--es run_id \\([0-9]*\\).*/\\1/' > "{state}" ; echo "$*" >> "{state}.calls" ;;
  *logcat\\ -d*) sed "s/1732240000000/$(head -1 "{state}")/g" "{transcript}" ;;
  *getprop*) echo "x" ;;
esac
"""


def test_app_run_reads_the_result_from_logcat(tmp_path: Path) -> None:
    state = tmp_path / "run_id"
    script = tmp_path / "adb"
    script.write_text(FAKE_APP_PHONE.format(
        state=state, transcript=Path(__file__).resolve().parents[2] / "fixtures" / "benchmark_model" / "app_logcat.txt",
    ))
    script.chmod(0o755)
    model = tmp_path / "hierattn_xs_fp32.tflite"
    model.write_bytes(b"\0" * 1024)
    done = subprocess.run(
        [sys.executable, "-m", "hierattn.benchmarks.cli", "--device", "android", "--android-runner", "app",
         "--model", str(model), "--threads", "4", "--json"],
        capture_output=True, text=True, env={**os.environ, "PATH": f"{tmp_path}:/usr/bin:/bin"}, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["rows"]
    assert row["backend"] == "app" and row["median_ms"] == pytest.approx(12.31) and row["p90_ms"] == pytest.approx(13.02)
    assert row["cold_start_ms"] == pytest.approx(85.12 + 40.311) and row["iters"] == 50
    (call,) = Path(f"{state}.calls").read_text().splitlines()
    assert "org.hierattn.demo/.BenchmarkActivity --es model hierattn_xs_fp32.tflite --ei threads 4" in call
