"""Tell what kind of file a path is from its first bytes, without loading it.

Commands that take one kind of file (a checkpoint, an exported model, an image) use this to say
"this is an exported ONNX model; run hierattn-predict --model ..." instead of a misleading parser
error. Pickles are scanned with ``pickletools`` (which parses opcodes and never runs them) for the
globals they would import: only those can run code when unpickled.
"""

from __future__ import annotations

import pickletools
from enum import Enum
from pathlib import Path

_HEAD = 64
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_STRING_OPS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING",
                         "BINSTRING", "STRING"})


class FileKind(str, Enum):
    """What a file is, as far as hierattn's commands are concerned."""

    MISSING = "missing"
    DIRECTORY = "directory"
    ZIP = "zip"  # torch.save's format (a checkpoint), or another zip archive
    PICKLE = "pickle"  # a raw pickle stream (also torch's legacy checkpoint format)
    ONNX = "onnx"
    TFLITE = "tflite"
    EXECUTORCH = "executorch"
    COREML = "coreml"
    IMAGE = "image"
    JSON = "json"
    UNKNOWN = "unknown"

    @property
    def is_exported_model(self) -> bool:
        return self in (FileKind.ONNX, FileKind.TFLITE, FileKind.EXECUTORCH, FileKind.COREML)


EXPORTED_NAMES = {
    FileKind.ONNX: "an exported ONNX model",
    FileKind.TFLITE: "an exported TFLite model",
    FileKind.EXECUTORCH: "an exported ExecuTorch program (.pte)",
    FileKind.COREML: "an exported Core ML package (.mlpackage)",
}


def sniff(path: Path) -> tuple[FileKind, str]:
    """(kind, detail) of ``path``; ``detail`` names the image format for images, else is empty."""
    if not path.exists():
        return FileKind.MISSING, ""
    if path.is_dir():
        if path.suffix.lower() == ".mlpackage" or (path / "Manifest.json").is_file():
            return FileKind.COREML, ""
        return FileKind.DIRECTORY, ""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return FileKind.UNKNOWN, ""
    return _from_head(head, path.suffix.lower())


def _from_head(head: bytes, suffix: str) -> tuple[FileKind, str]:
    if head.startswith(b"PK\x03\x04"):
        return FileKind.ZIP, ""
    if head[4:8] == b"TFL3":
        return FileKind.TFLITE, ""
    if head[4:6] == b"ET" or suffix == ".pte":
        return FileKind.EXECUTORCH, ""
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return FileKind.IMAGE, name
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileKind.IMAGE, "WebP"
    if head.startswith(b"\x80"):  # PROTO: pickle protocol 2 and later
        return FileKind.PICKLE, ""
    if suffix == ".onnx" or (head.startswith(b"\x08") and b"\x12" in head[:4]):  # ModelProto: ir_version first
        return FileKind.ONNX, ""
    if head.lstrip()[:1] in (b"{", b"["):
        return FileKind.JSON, ""
    return FileKind.UNKNOWN, ""


def pickle_globals(data: bytes, limit: int = 5) -> list[str]:
    """``module.name`` of the first ``limit`` globals a pickle stream would import, without unpickling it.

    Raises:
        ValueError: the bytes are not a well-formed pickle stream.
    """
    found: list[str] = []
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in _STRING_OPS and isinstance(arg, (str, bytes)):
            strings.append(arg if isinstance(arg, str) else arg.decode("latin-1"))
        elif opcode.name in ("GLOBAL", "INST") and isinstance(arg, str):
            found.append(arg.replace(" ", "."))
        elif opcode.name == "STACK_GLOBAL":
            found.append(".".join(strings[-2:]) if len(strings) >= 2 else "?")
        if len(found) >= limit:
            break
    return found


def what_it_is(kind: FileKind, detail: str = "") -> str:
    """``an exported ONNX model``, ``a JPEG image``...: the noun phrase for messages."""
    if kind.is_exported_model:
        return EXPORTED_NAMES[kind]
    return {
        FileKind.MISSING: "missing",
        FileKind.DIRECTORY: "a directory",
        FileKind.ZIP: "a zip archive",
        FileKind.PICKLE: "a pickle",
        FileKind.IMAGE: f"a {detail} image" if detail else "an image",
        FileKind.JSON: "a JSON file",
    }.get(kind, "a file of an unknown type")


def next_step(path: Path, kind: FileKind, info: bool = True) -> str:
    """What to run on ``path`` instead, as the end of a one-line message (``info``: mention hierattn-info)."""
    if kind.is_exported_model:
        text = f"classify with it: hierattn-predict --model {path} IMAGE...; its ops and time: hierattn-profile {path}"
        return text + (f"; its spec: hierattn-info {path}" if info else "")
    if kind is FileKind.IMAGE:
        return f"classify it with: hierattn-predict {path}"
    if kind is FileKind.JSON:
        return f"if it is a model's sidecar, describe the model with: hierattn-info {path}"
    if kind is FileKind.DIRECTORY:
        return "pass the .pt/.pth file inside it"
    return "pass a .pt/.pth file written by torch.save"
