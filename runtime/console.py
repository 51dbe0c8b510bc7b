"""Shared plumbing for the command-line tools: the app type, the grammar helpers, one-line errors.

Exit codes: 0 ok, 1 the job failed (for example validation), 2 usage error. A ``HierAttnError``
becomes one line on stderr ("error: ...") and its exit code, never a traceback. The grammar every
command follows (docs/cli.md) lives here so that it is one piece of code: ``CliApp`` (flags shown
without a value placeholder, renamed value options rewritten with a warning), ``split_list`` (list
options take repeats and commas alike) and ``deprecated`` (the one wording of a rename).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, TypeVar

import typer
import typer.core

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


def deprecated(old: str, new: str) -> None:
    """Warn that ``old`` was renamed; the old spelling keeps working for one release (docs/cli.md)."""
    log(f"warning: {old} is deprecated; use {new} (the old spelling will be removed in the next release)")


def split_list(values: Sequence[str] | None) -> list[str]:
    """Callback of every list option: repeats and commas alike (``--x a,b --x c`` -> a, b, c)."""
    return [part.strip() for value in values or () for part in str(value).split(",") if part.strip()]


def choices_of(enum: type[Enum]) -> Callable[[Sequence[str] | None], list[str]]:
    """A ``split_list`` callback that also checks every item against ``enum``'s values."""
    allowed = [str(member.value) for member in enum]

    def split_checked(values: Sequence[str] | None) -> list[str]:
        items = split_list(values)
        for item in items:
            if item not in allowed:
                raise typer.BadParameter(f"{item!r} is not one of {', '.join(allowed)}.")
        return items

    split_checked.__name__ = "split_list"
    return split_checked


_display_type_rich = typer.core.TyperOption.display_type_rich


def _no_flag_placeholder(self: typer.core.TyperOption, ctx: Any) -> str | None:
    # Typer's rich help prints "<bool>" after every flag, as if it took a value; `--json true` would
    # then read "true" as an input path. A flag takes no value, so it shows none.
    if self.is_flag:
        return None
    return _display_type_rich(self, ctx)


# Every command imports this module, so its help shows flags without a placeholder, whichever app type it uses.
typer.core.TyperOption.display_type_rich = _no_flag_placeholder  # type: ignore[method-assign]


class CliApp(typer.Typer):
    """The Typer app of every hierattn command (docs/cli.md).

    ``renamed_values`` maps an old option that took a value to its new name, for options whose old
    spelling now names a flag (``hierattn-bench --json PATH`` -> ``--json-out PATH``): the console
    script rewrites ``--old VALUE`` with a deprecation warning for one release.
    """

    def __init__(self, *, renamed_values: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("no_args_is_help", True)
        super().__init__(**kwargs)
        self.renamed_values = dict(renamed_values or {})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.renamed_values and not args and "args" not in kwargs:
            kwargs["args"] = rewrite_renamed(sys.argv[1:], self.renamed_values)
        return super().__call__(*args, **kwargs)


def rewrite_renamed(argv: list[str], renamed: dict[str, str]) -> list[str]:
    """``--old VALUE`` or ``--old=VALUE`` -> ``--new VALUE`` (with a warning) for each ``renamed`` option.

    ``--old`` followed by another option, or last, is the new flag and stays as it is.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            out.extend(argv[i:])
            break
        name, eq, value = token.partition("=")
        following = argv[i + 1] if i + 1 < len(argv) else None
        takes_value = bool(eq) or (following is not None and (following == "-" or not following.startswith("-")))
        if name in renamed and takes_value:
            new = renamed[name]
            deprecated(f"{name} PATH", f"{new} PATH ({name} alone prints to stdout)")
            out.extend([new, value if eq else str(following)])
            i += 1 if eq else 2
            continue
        out.append(token)
        i += 1
    return out
