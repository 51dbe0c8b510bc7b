"""Every console script follows docs/cli.md: walks each command's --help and its options."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from hierattn.runtime.console import rewrite_renamed, split_list

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
RENAMED = {"--batch", "--formats", "--precisions"}  # old spellings: hidden, never shown by --help
PATH_LISTS = {("hierattn-bench", "--model")}  # lists of paths take repeats only (a path may hold a comma)


def _app(name: str) -> Any:
    module, attribute = SCRIPTS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def _options(name: str) -> list[Any]:
    return [p for p in get_command(_app(name)).params if p.param_type_name == "option" and not p.hidden]


def _kind(param: Any) -> str:
    if param.is_flag:
        return "flag"
    return "path" if "Path" in str(param.type_descriptor.annotation) else "value"


def test_every_console_script_is_walked() -> None:
    assert len(SCRIPTS) >= 11 and all(name.startswith("hierattn-") for name in SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_help_follows_the_grammar(name: str) -> None:
    result = CliRunner().invoke(_app(name), ["--help"], env={"COLUMNS": "300", "TERMINAL_WIDTH": "300"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output, "flags take no value and show no placeholder"
    for param in _options(name):
        option = max(param.opts, key=len)
        assert param.help, f"{name} {option} has no help"
        assert option in result.output, f"{name} --help does not show {option}"
        assert option not in RENAMED, f"{name} {option} is an old spelling; keep it hidden"
        if option in ("--json", "--csv", "--resume", "--overwrite", "--include-hidden"):
            assert param.is_flag, f"{name} {option} must be a flag (docs/cli.md)"
        if option.endswith("-out") or option in ("--jsonl", "--parquet", "--plot", "--markdown", "--output"):
            assert _kind(param) == "path" or param.type_descriptor.annotation is str, f"{name} {option} takes a PATH"
        if option in ("--model", "--checkpoint", "--data"):
            assert _kind(param) == "path", f"{name} {option} is a file or folder, not a name"
        if param.multiple and (name, option) not in PATH_LISTS:
            assert getattr(param.callback, "__name__", "") == "split_list", (
                f"{name} {option} is a list: it must take commas as well as repeats")


def test_one_name_one_kind_across_commands() -> None:
    kinds: dict[str, set[tuple[str, str]]] = {}
    for name in SCRIPTS:
        for param in _options(name):
            kinds.setdefault(max(param.opts, key=len), set()).add((_kind(param), name))
    mixed = {option: seen for option, seen in kinds.items() if len({kind for kind, _ in seen}) > 1}
    assert not mixed, f"options whose kind differs between commands: {mixed}"
    assert {kind for kind, _ in kinds["--json"]} == {"flag"}


def test_list_options_take_commas_and_repeats() -> None:
    assert split_list(["onnx,tflite", "coreml", " fp16 , "]) == ["onnx", "tflite", "coreml", "fp16"]
    command = get_command(_app("hierattn-export"))
    parsed = command.make_context("hierattn-export", ["--format", "onnx,tflite", "-f", "coreml", "-p", "fp32,int8"])
    assert parsed.params["format"] == ["onnx", "tflite", "coreml"] and parsed.params["precision"] == ["fp32", "int8"]
    with pytest.raises(Exception, match="'png' is not one of onnx, tflite"):
        command.make_context("hierattn-export", ["--format", "onnx,png"])


def test_old_spellings_that_took_a_path_are_rewritten_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    renamed = {"--json": "--json-out", "--csv": "--csv-out"}
    argv = ["--device", "cpu", "--json", "r.json", "--csv=r.csv", "--json", "--quick"]
    assert rewrite_renamed(argv, renamed) == ["--device", "cpu", "--json-out", "r.json", "--csv-out", "r.csv",
                                              "--json", "--quick"]
    assert rewrite_renamed(["--json", "-"], renamed) == ["--json-out", "-"]
    assert capsys.readouterr().err.count("deprecated; use --json-out PATH") == 2
