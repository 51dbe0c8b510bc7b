"""The quick README and docs examples, run for real: their output is what the docs show.

tests/unit/cli/test_docs_commands.py parses every example; these run the ones that finish in seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hierattn.runtime.defaults import sample_images_dir

ROOT = Path(__file__).resolve().parents[3]
MODULES = {"hierattn-info": "hierattn.models.cli", "hierattn-predict": "hierattn.runtime.cli"}


def _run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", MODULES[command], *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "COLUMNS": "80"}, timeout=300)


def _console_blocks(path: Path) -> list[tuple[list[str], list[str]]]:
    """(command words, output lines) of every ```console block of ``path``."""
    blocks = re.findall(r"```console\n\$ (.*?)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    return [(command.split(), [line.rstrip() for line in output.splitlines()]) for command, output in blocks]


def test_readme_console_examples_print_what_the_readme_shows() -> None:
    blocks = _console_blocks(ROOT / "README.md")
    assert blocks, "README.md has no ```console example"
    for words, shown in blocks:
        done = _run(words[0], *words[1:])
        assert done.returncode == 0, done.stderr
        assert [line.rstrip() for line in done.stdout.splitlines()] == shown, (words, done.stdout)


def test_docs_list_and_predict_examples_run() -> None:
    listed = _run("hierattn-info", "--list")  # docs/models.md
    assert listed.returncode == 0 and "hierattn_xs" in listed.stdout.split()
    archive = sample_images_dir("validation")  # docs/runtime_under_load.md: hierattn-predict ARCHIVE/ --csv
    streamed = _run("hierattn-predict", str(archive), "--csv")
    assert streamed.returncode == 0, streamed.stderr
    header, *rows = streamed.stdout.splitlines()
    assert header.startswith("path,label,top_k,crop_box,referral,error,warnings,model_sha256,ACK,")
    assert len(rows) == len([p for p in archive.rglob("*") if p.is_file() and not p.name.startswith(".")])
