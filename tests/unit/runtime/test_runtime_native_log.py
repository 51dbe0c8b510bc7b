"""The native-log filter drops the native libraries' INFO start-up lines on descriptor 2 (this process's
and its children's) and lets warnings, errors and Python's own stderr through."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hierattn.runtime.native_log import is_chatter

CHATTER = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796662296.757058   13468 port.cc:153] oneDNN custom operations are on.",
    "I0000 00:00:1796662301.824048   13468 cudart_stub.cc:31] Could not find cuda drivers on your machine.",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "[cpuinfo_utils.cpp:125] CPU info and manual query on # of cpus dont match.",
    "[2026-12-07 17:04:54,957 E 26412 26412] core_worker.cc:2465: Actor with class name: 'MapWorker(MapBatches(_ClassifyActor))'"
    " and ID: 'e982' has constructor arguments in the object store and max_restarts > 0. If the arguments ...",
]
KEPT = [
    "W0000 00:00:1796662301.824048   13468 foo.cc:31] a warning",
    "E0000 00:00:1796662301.824048   13468 foo.cc:31] an error",
    "[program.cpp:168] Program identifier 'HEAD' != expected 'ET12'",
    "ERROR: Didn't find op for builtin opcode",
    "WARNING: a TFLite warning",
    "[2026-12-07 17:04:54,957 E 26412 26412] core_worker.cc:2465: Actor died unexpectedly",
    "warning: model.tflite carries no sha256 record",
]

PROGRAM = r"""
import os, subprocess, sys
from hierattn.runtime.native_log import quiet_native_logs
print("installed", quiet_native_logs(), file=sys.stderr)
for line in sys.argv[1:]:
    os.write(2, (line + "\n").encode())  # as a C++ library writes: straight to descriptor 2
subprocess.run([sys.executable, "-c", "import os; os.write(2, b'INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\nchild error\\n')"])
print("python stderr", file=sys.stderr)
"""


@pytest.mark.parametrize("line", CHATTER)
def test_chatter_is_recognised(line):
    assert is_chatter(line.encode())


@pytest.mark.parametrize("line", KEPT)
def test_warnings_and_errors_are_kept(line):
    assert not is_chatter(line.encode())


def _run(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROGRAM, *CHATTER, *KEPT], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    return done.stderr.splitlines()


def test_the_filter_drops_chatter_of_the_process_and_its_children():
    env = {k: v for k, v in os.environ.items() if k not in ("HIERATTN_NATIVE_LOGS", "_HIERATTN_LOG_FILTER")}
    lines = _run(env)
    assert lines[0] == "installed True"
    assert sorted(lines[1:]) == sorted([*KEPT, "child error", "python stderr"])


def test_hierattn_native_logs_1_shows_everything():
    env = {k: v for k, v in os.environ.items() if k != "_HIERATTN_LOG_FILTER"}
    lines = _run({**env, "HIERATTN_NATIVE_LOGS": "1"})
    assert lines[0] == "installed False"
    assert set(CHATTER) <= set(lines) and "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." in lines
