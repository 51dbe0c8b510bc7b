#!/usr/bin/env bash
# Type-check the checkout with basedpyright (pyright's standard mode; config: [tool.basedpyright] in
# pyproject.toml). Internal imports are package-relative, so the checker follows them through the
# tree itself: no install layout is built. Exit code = the checker's. PYTHON overrides the
# interpreter (default .venv/bin/python, which has basedpyright).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
exec "$PY" -m basedpyright "$@"
