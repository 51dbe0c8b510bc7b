"""Shared plumbing for the command-line tools: one-line errors, exit codes, stderr logging.

Exit codes: 0 ok, 1 the job failed (for example validation), 2 usage error. A ``HierAttnError``
becomes one line on stderr ("error: ...") and its exit code, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import typer

from .errors import HierAttnError

T = TypeVar("T")


def fail(message: str, exit_code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code=exit_code)


def run_or_exit(action: Callable[[], T]) -> T:
    """Run ``action``; turn a HierAttnError or Ctrl-C into a one-line message and an exit code."""
    try:
        return action()
    except HierAttnError as exc:
        raise fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def log(message: str) -> None:
    """Progress and diagnostics go to stderr so --json output on stdout stays one document."""
    print(message, file=sys.stderr)
