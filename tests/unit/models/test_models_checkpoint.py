"""load_checkpoint: every accepted layout, and one clear error for every bad checkpoint."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hierattn.models import create_model, load_checkpoint, read_checkpoint, save_checkpoint
from hierattn.runtime.errors import CheckpointError, HierAttnError, UsageError


@pytest.fixture(scope="module")
def state_dict(reference_xs) -> dict[str, torch.Tensor]:
    return reference_xs["state_dict"]


def assert_reproduces(model, reference):
    with torch.no_grad():
        assert (model(reference["input"]) - reference["logits"]).abs().max().item() <= 1e-4


LAYOUTS = {
    "bare": lambda sd: sd,
    "dataparallel": lambda sd: {f"module.{k}": v for k, v in sd.items()},
    "state_dict_key": lambda sd: {"state_dict": sd, "epoch": 3},
    "model_key": lambda sd: {"model": sd},
    "model_state_dict_key": lambda sd: {"model_state_dict": sd, "optimizer": {"lr": 0.002}},
    "wrapped_dataparallel": lambda sd: {"state_dict": {f"module.{k}": v for k, v in sd.items()}},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_accepts_layout(tmp_path, state_dict, reference_xs, layout):
    path = tmp_path / "ckpt.pt"
    torch.save(LAYOUTS[layout](state_dict), path)
    model = load_checkpoint(path)
    assert model.checkpoint_info.arch == "hierattn_xs"
    assert model.checkpoint_info.num_classes == 8
    assert not model.training
    assert_reproduces(model, reference_xs)


def test_authors_reference_file_layout(reference_dir, reference_s):
    model = load_checkpoint(reference_dir / "hierattn_s_8cls.pt")
    assert model.checkpoint_info.arch == "hierattn_s"
    assert_reproduces(model, reference_s)


def test_project_format_round_trip(tmp_path, state_dict, reference_xs):
    model = create_model("hierattn_xs", num_classes=8)
    model.load_state_dict(state_dict)
    names = ("a", "b", "c", "d", "e", "f", "g", "h")
    path = save_checkpoint(tmp_path / "out" / "m.pt", model, "hierattn_xs", names, {"data": "test"})
    info, _ = read_checkpoint(path)
    assert info.class_names == names and info.provenance == {"data": "test"}
    assert info.input_size == (256, 256)
    assert_reproduces(load_checkpoint(path), reference_xs)
    assert [p.name for p in path.parent.iterdir()] == ["m.pt"], "temporary files left behind"


def test_six_class_checkpoint_infers_pad_classes(tmp_path):
    model = create_model("hierattn_s", num_classes=6)
    path = tmp_path / "pad.pt"
    torch.save(model.state_dict(), path)
    info = load_checkpoint(path).checkpoint_info
    assert info.arch == "hierattn_s" and info.num_classes == 6
    assert info.class_names == ("ACK", "BCC", "BKL", "MEL", "NV", "SCC") and info.class_names_source == "default"
    pad_codes = ("ACK", "BCC", "MEL", "NEV", "SCC", "SEK")
    named = load_checkpoint(path, class_names=pad_codes, names_from="--labels").checkpoint_info
    assert named.class_names == pad_codes and named.class_names_source == "--labels"
    with pytest.raises(UsageError, match=r"^Checkpoint has 6 classes but --labels lists 8: ACK, BCC, .*VASC; give 6 names"):
        load_checkpoint(path, class_names=(*pad_codes, "DF", "VASC"), names_from="--labels")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"arch": "hierattn_s"}, "holds hierattn_xs weights but arch hierattn_s was requested"),
        ({"num_classes": 6}, "8-class classifier but 6 classes were requested"),
        ({"class_names": ["a", "b"]}, "Checkpoint has 8 classes but class_names lists 2: a, b"),
    ],
)
def test_mismatch_errors_name_found_and_expected(reference_dir, kwargs, message):
    with pytest.raises(HierAttnError, match=message):
        load_checkpoint(reference_dir / "hierattn_xs_8cls.pt", **kwargs)


def test_missing_and_unexpected_keys(tmp_path, state_dict):
    broken = dict(state_dict)
    broken.pop("Layer3.1.Fusion.Conv.weight")
    broken["Extra.weight"] = torch.zeros(1)
    path = tmp_path / "broken.pt"
    torch.save(broken, path)
    with pytest.raises(CheckpointError, match=r"1 missing .*Layer3.1.Fusion.Conv.weight.*1 unexpected .*Extra.weight"):
        load_checkpoint(path)


class _Payload:
    """Pickles to a call of os.system that would create a marker file if ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_harmless_files_are_told_apart_from_malicious_pickles(tmp_path):
    """Only a pickle that imports globals gets the security refusal; other files say what they are."""
    harmless = tmp_path / "plain.pkl"
    harmless.write_bytes(pickle.dumps({"a": 1, "b": [1, 2]}))
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 60)
    spec = tmp_path / "model.onnx.json"
    spec.write_text('{"class_names": ["A"]}')
    cases = {harmless: "a pickle of plain Python data", image: "is a JPEG image, not a PyTorch checkpoint",
             spec: "is a JSON file, not a PyTorch checkpoint"}
    for path, message in cases.items():
        with pytest.raises(CheckpointError, match=message) as caught:
            load_checkpoint(path)
        assert "arbitrary code" not in str(caught.value)


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "payload_ran"
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "hook": _Payload(marker)}, path)
    with pytest.raises(CheckpointError, match="pickled code"):
        load_checkpoint(path)
    assert not marker.exists()
    # plain pickle file (not a torch zip) with the same payload
    legacy = tmp_path / "evil_legacy.pt"
    legacy.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(CheckpointError, match=r"pickled code .*\(posix.system\)"):
        load_checkpoint(legacy)
    assert not marker.exists()


def make_bad_checkpoints(directory: Path, reference_path: Path) -> dict[str, Path]:
    """One file per kind of bad checkpoint a user may pass."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    files["truncated"] = directory / "truncated.pt"
    files["truncated"].write_bytes(reference_path.read_bytes()[:50_000])
    files["not_a_checkpoint"] = directory / "notes.pt"
    files["not_a_checkpoint"].write_text("these are not weights\n")
    files["empty"] = directory / "empty.pt"
    files["empty"].write_bytes(b"")
    files["tensor_only"] = directory / "tensor.pt"
    torch.save(torch.zeros(3), files["tensor_only"])
    files["other_model"] = directory / "other.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), files["other_model"])
    files["malicious"] = directory / "malicious.pt"
    torch.save({"x": _Payload(directory / "ran")}, files["malicious"])
    files["missing"] = directory / "does_not_exist.pt"
    return files


def run_info(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hierattn.models.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_info_cli_one_line_errors(tmp_path, reference_dir):
    reference = reference_dir / "hierattn_xs_8cls.pt"
    cases = {name: [str(path)] for name, path in make_bad_checkpoints(tmp_path, reference).items()}
    cases["wrong_arch"] = [str(reference), "--arch", "hierattn_s"]
    for name, args in cases.items():
        result = run_info(*args)
        assert result.returncode != 0, name
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (name, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, name
    assert not (tmp_path / "ran").exists()


def test_info_cli_json(reference_dir):
    import json

    result = run_info(str(reference_dir / "hierattn_s_8cls.pt"), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["arch"] == "hierattn_s"
    assert summary["class_names"] == ["ACK", "BCC", "BKL", "DF", "MEL", "NV", "SCC", "VASC"]
    assert abs(summary["parameters"] / 1e6 - 2.14) < 0.01
    assert summary["flops"] == 2 * summary["macs"] > 1e9
