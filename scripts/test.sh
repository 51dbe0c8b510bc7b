#!/usr/bin/env bash
# Run the whole test suite (unit + integration, real converters and runtimes, the Kotlin core on the
# JVM). Creates .venv and installs everything first if needed. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
