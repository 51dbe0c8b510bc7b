"""The TFLite flatbuffer schema classes that LiteRT ships, loaded lazily and typed as ``Any``.

The generated accessors declare every field optional, so a type checker would demand a None check
on each of the hundreds of field reads. The files read here are the ones this package's converter
has just written, which carry every field; ``Any`` says so once instead of at every read.
"""

from __future__ import annotations

import importlib
from typing import Any


def tflite_schema() -> Any:
    """``ai_edge_litert.schema_py_generated`` (imported on first use: it is part of the litert extra)."""
    return importlib.import_module("ai_edge_litert.schema_py_generated")
