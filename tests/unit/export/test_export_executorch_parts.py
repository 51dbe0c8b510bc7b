"""ExecuTorch pieces without a full export: spec slot, missing extra, delegation count, float stem, registry."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from hierattn.export.executorch import program as slot
from hierattn.runtime.errors import HierAttnError, MissingBackendError


def _program_bytes(text: str) -> bytes:
    """Bytes shaped like a flatbuffer string field holding the slot: length, payload, NUL."""
    payload = slot.padded_slot(text).encode()
    return b"PTE-HEADER" + struct.pack("<I", len(payload)) + payload + b"\0" + b"TAIL" * 8


def test_slot_is_rewritten_in_place_keeping_the_size(tmp_path: Path) -> None:
    path = tmp_path / "m.pte"
    path.write_bytes(_program_bytes('{"a": 1}'))
    before = path.stat().st_size
    slot.set_constant_string(path, '{"a": 2, "b": "longer"}')
    data = path.read_bytes()
    assert len(data) == before
    start = slot.slot_offset(data)
    assert data[start : start + slot.SLOT_BYTES].decode().strip() == '{"a": 2, "b": "longer"}'
    assert data.endswith(b"TAIL" * 8)


def test_slot_errors(tmp_path: Path) -> None:
    with pytest.raises(HierAttnError, match=r"no .*spec slot"):
        slot.slot_offset(b"no slot here")
    with pytest.raises(HierAttnError, match="more than one"):
        slot.slot_offset(_program_bytes("{}") + _program_bytes("{}"))
    with pytest.raises(HierAttnError, match="raise SLOT_BYTES"):
        slot.padded_slot("{" + "x" * slot.SLOT_BYTES + "}")


def test_pte_without_the_extra_is_one_line_naming_it(tmp_path: Path) -> None:
    """Simulate the extra missing (``import executorch`` fails) in a fresh process running the CLI."""
    model = tmp_path / "model.pte"
    model.write_bytes(b"not really a program")
    image = tmp_path / "x.png"
    from PIL import Image

    Image.new("RGB", (32, 32)).save(image)
    code = (
        "import sys; sys.modules['executorch'] = None\n"
        "from hierattn.runtime.cli import app\n"
        f"app([{str(image)!r}, '--model', {str(model)!r}, '--no-verify'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "pip install 'hierattn[executorch]'" in lines[0] and "Traceback" not in done.stderr


def test_missing_extra_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hierattn.runtime.backends import open_backend

    monkeypatch.setitem(sys.modules, "executorch", None)
    model = tmp_path / "model.pte"
    model.write_bytes(b"x")
    with pytest.raises(MissingBackendError, match=r"hierattn\[executorch\]"):
        open_backend(model)


def test_delegation_report_names_portable_ops() -> None:
    import torch

    from hierattn.export.executorch.converter import lower
    from hierattn.export.executorch.delegation import delegation_report

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.norm = torch.nn.LayerNorm(8)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.conv(x).mean(dim=(2, 3))  # keepdim=False: not an XNNPACK mean
            return self.norm(y)

    program = torch.export.export(Tiny().eval(), (torch.zeros(1, 3, 8, 8),))
    report = delegation_report(lower(program, "{}").exported_program().graph_module)
    assert report.partitions >= 1 and report.delegated >= 1
    assert any("layer_norm" in op for op in report.portable)
    assert 0 < report.delegated_share < 1
    assert "portable:" in report.summary()
    assert report.to_dict()["portable_nodes"] == report.portable_total


def test_float_stem_ends_at_the_first_quarter_resolution_conv() -> None:
    import torch

    from hierattn.export.executorch.quant import stem_node_names

    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, stride=2, padding=1),  # 1/2
        torch.nn.SiLU(),
        torch.nn.Conv2d(4, 4, 3, stride=2, padding=1),  # 1/4: the last stem node
        torch.nn.Conv2d(4, 4, 3, stride=2, padding=1),
    ).eval()
    graph = torch.export.export(model, (torch.zeros(1, 3, 32, 32),)).module()
    names = stem_node_names(graph, 32, 4)
    convs = [n.name for n in graph.graph.nodes if n.op == "call_function" and "conv" in str(n.target)]
    assert convs[0] in names and convs[1] in names and convs[2] not in names
    assert stem_node_names(graph, 32, 0) == set()


def test_converter_declares_what_xnnpack_runs() -> None:
    from hierattn.export.base import ExportFormat, Precision
    from hierattn.export.registry import get_converter
    from hierattn.runtime.errors import UsageError

    converter = get_converter(ExportFormat.EXECUTORCH)
    assert converter.supported_precisions == {Precision.FP32, Precision.FP16, Precision.INT8}
    assert converter.needs_calibration(Precision.INT8)
    with pytest.raises(UsageError, match="executorch export does not support precision int8-dynamic"):
        converter.check_supported(Precision.INT8_DYNAMIC)
