"""Every command example in README.md and docs/ parses with the command's own parser (docs/cli.md).

Examples are the lines of fenced code blocks, and inline code spans, that start with a console script
name (after an optional ``$ `` or ``/usr/bin/time -v``), with ``\\`` continuations joined and ``#``
comments dropped. Synopsis lines (``[--opt]``, ``{a,b}``, ``a | b``, ``ARGS...``) are templates, not
commands, and are left out. Each example is parsed by the command's click parser, which runs the option
callbacks (so ``--format onnx,png`` fails) but not the command. An example may leave out a required
option (or, in prose, end in an option named without its value); it may not use an option that does not
exist, a bad value, a stray argument or an old spelling.
"""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEMPLATE = re.compile(r"\[|\]|\{|\}|\||\.\.\.|…|\(|\)|<|>")
PREFIX = re.compile(r"^\s*(?:\$\s+)?(?:/usr/bin/time -v\s+)?(?=hierattn-[a-z]+(?:\s|$))")


def _examples(path: Path) -> list[tuple[str, str]]:
    """(where, command line) for every example in ``path``."""
    found: list[tuple[str, str]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    fenced = False
    pending = ""
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced, pending = not fenced, ""
            continue
        if fenced:
            if pending:
                pending += " " + line.strip()
            elif PREFIX.match(line):
                pending = PREFIX.sub("", line).strip()
            if pending and pending.endswith("\\"):
                pending = pending[:-1]
                continue
            if pending:
                found.append((f"{path.name}:{number}", pending))
                pending = ""
            continue
        for span in re.findall(r"`([^`]+)`", line):
            if PREFIX.match(span):
                found.append((f"{path.name}:{number}", PREFIX.sub("", span).strip()))
    return found




def _parse(line: str) -> tuple[str, list[str]] | None:
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return None
    words = [w for w in words if not w.startswith((">", "2>"))][: next((i for i, w in enumerate(words) if w in ("|", ">", "&&", ";")), None)]
    if not words or words[0] not in SCRIPTS or TEMPLATE.search(" ".join(words)) or "--help" in words:
        return None
    return words[0], words[1:]


EXAMPLES = [item for path in DOCS for item in _examples(path)]
COMMANDS = [(where, line) for where, line in EXAMPLES if _parse(line) is not None]  # templates left out


def _command(name: str) -> Any:
    module, attribute = SCRIPTS[name].split(":")
    return get_command(getattr(importlib.import_module(module), attribute))


def test_the_docs_have_examples_of_most_commands() -> None:
    commands = {parsed[0] for _, line in COMMANDS if (parsed := _parse(line))}
    assert len(COMMANDS) > 60 and len(commands) >= 8, commands
    assert any("--format onnx,tflite" in line for where, line in EXAMPLES if where.startswith("README"))


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_example_parses(where: str, line: str) -> None:
    parsed = _parse(line)
    assert parsed is not None
    name, args = parsed
    command = _command(name)
    hidden = {opt for p in command.params if getattr(p, "hidden", False) for opt in p.opts}
    old = [arg for arg in args if arg.split("=")[0] in hidden]
    assert not old, f"{where}: {line!r} uses the old spelling {old[0]} (docs/cli.md)"
    try:
        command.make_context(name, list(args))
    except Exception as exc:  # the vendored click's UsageError family
        if type(exc).__name__ in ("MissingParameter", "NoArgsIsHelpError"):
            return  # an example may leave out a required option; a bare command name is a mention
        if type(exc).__name__ == "BadParameter" and any(re.fullmatch(r"[A-Z][A-Z0-9_]*", arg) for arg in args):
            return  # a template with a placeholder value (`--num-classes N`)
        if "requires an argument" in str(exc) and args and args[-1].startswith("--"):
            return  # prose naming an option (`hierattn-profile --arm`), not a command line
        pytest.fail(f"{where}: {line!r} does not parse: {type(exc).__name__}: {exc}")
