"""Keep native libraries' start-up chatter off the console; their warnings and errors still show.

TensorFlow, LiteRT, absl and ExecuTorch write INFO lines from C++ straight to file descriptor 2,
some before any setting can reach them (absl's "All log messages before absl::InitializeLog() ..."
and TensorFlow's oneDNN and CUDA notes print at import whatever ``TF_CPP_MIN_LOG_LEVEL`` says;
ExecuTorch's log level is fixed when it is compiled). ``quiet_native_logs`` points descriptor 2 at a
pipe read by a small child process that drops those INFO lines and copies every other line to the
real stderr. A child process, not a thread, so the last words of a crash still reach the console.
Python's ``sys.stderr`` keeps writing to the real stderr, so a terminal stays a terminal for
progress bars. ``HIERATTN_NATIVE_LOGS=1`` turns the filter off.

Only the standard library: the file also runs as the filter program itself (``python -I -S FILE``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import subprocess
import sys
from typing import BinaryIO

ENV_SHOW_ALL = "HIERATTN_NATIVE_LOGS"
CHATTER = re.compile(
    rb"^(?:"
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|I\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] "  # absl/glog INFO (W, E and F lines pass)
    rb"|To enable the following instructions: .*rebuild TensorFlow"  # 2nd line of an INFO above
    rb"|INFO: "  # TFLite/LiteRT's own INFO lines ("Created TensorFlow Lite XNNPACK delegate for CPU.")
    # ExecuTorch's CPU probe when its thread pool starts ("Reading file /sys/...", "Failed to open midr
    # file", "CPU info and manual query on # of cpus dont match."); its other lines (errors) pass.
    rb"|\[cpuinfo_utils\.cpp:\d+\] "
    # Ray 2.60 logs this at error level for every Ray Data actor pool, ours included, though nothing
    # failed (ray-project/ray#57733); our pool's one argument in the object store is held by the driver.
    rb"|\[[^\]]+ E \d+ \d+\] core_worker\.cc:\d+: Actor with class name: 'MapWorker\(.*"
    rb"has constructor arguments in the object store and max_restarts > 0"
    rb")"
)
"""Lines dropped: INFO-level start-up notes of the native libraries and one false alarm of Ray's."""
_WAIT_S = 2.0


def is_chatter(line: bytes) -> bool:
    """True for a native library's INFO line that the filter drops."""
    return CHATTER.match(line) is not None


def quiet_native_logs() -> bool:
    """Filter this process's (and its children's) descriptor 2; returns True if the filter is on.

    Does nothing when ``HIERATTN_NATIVE_LOGS=1``, off POSIX, when already on, or when ``sys.stderr``
    is not descriptor 2 (a test runner capturing output), so it is safe to call from every command.
    """
    if os.environ.get(ENV_SHOW_ALL) == "1" or os.name != "posix" or os.environ.get("_HIERATTN_LOG_FILTER"):
        return False
    try:
        if sys.stderr is None or sys.stderr.fileno() != 2:
            return False
    except (AttributeError, OSError, ValueError):
        return False
    sys.stderr.flush()
    real = os.dup(2)
    read, write = os.pipe()
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", __file__], stdin=read, stdout=real, stderr=real)
    except OSError:
        for fd in (real, read, write):
            os.close(fd)
        return False
    os.close(read)
    os.dup2(write, 2)
    os.close(write)
    os.environ["_HIERATTN_LOG_FILTER"] = "1"  # children inherit the filtered descriptor: no second filter
    sys.stderr = open(real, "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace")  # noqa: SIM115
    atexit.register(_close, child, real)
    return True


def _close(child: subprocess.Popen[bytes], real: int) -> None:
    """Hand descriptor 2 back; the filter ends once every writer (children too) has closed the pipe."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os.dup2(real, 2)
    # A lingering child process (a Ray worker) may still hold the pipe; the filter exits after it.
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=_WAIT_S)


def _filter(source: BinaryIO, sink: BinaryIO) -> None:
    for line in source:
        if not is_chatter(line):
            sink.write(line)
            sink.flush()


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the command; the filter drains what it wrote
    _filter(sys.stdin.buffer, sys.stdout.buffer)
