#!/usr/bin/env bash
# Run the lint (ruff), the type check (basedpyright, scripts/typecheck.sh), the architecture contracts
# (import-linter, [tool.importlinter] in pyproject.toml) and the whole test suite (unit +
# integration, real converters and runtimes, the Kotlin core on the JVM). Creates .venv and installs
# everything first if needed. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Static checks first: they take a minute at most and fail before the long integration tests start.
.venv/bin/ruff check .
bash scripts/typecheck.sh
.venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
