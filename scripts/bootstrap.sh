#!/usr/bin/env bash
# Create .venv in the checkout (if needed) and install hierattn with every extra, pinned by
# requirements/constraints.txt. Idempotent: a second run only checks, unless pyproject.toml or the
# constraints changed. Also installs the JVM toolchain (Debian kotlin + junit4) for the Kotlin core
# tests when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TORCH_PINS="torch==2.14.1 torchvision==0.29.1"
STAMP="$VENV/.hierattn-installed"
want=$(cat pyproject.toml requirements/constraints.txt scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)

if [ ! -x "$PY" ]; then
  echo "[bootstrap] creating virtualenv at $VENV" >&2
  python3 -m venv "$VENV"
fi

if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  echo "[bootstrap] installing dependencies (torch first: a CPU-usable pinned build)" >&2
  "$PY" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" >&2 || true
  # torch and torchvision first and pinned: an unpinned torch pulled in by another package would
  # resolve to a different multi-GB build.
  "$PY" -m pip install -q $TORCH_PINS 2>&1 | grep -v "^WARNING: Location" >&2 || true
  "$PY" -m pip install -q -c requirements/constraints.txt -e ".[all,dev]" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  "$PY" -m pip check >&2
  "$PY" -c "import hierattn.runtime, hierattn.models, onnxruntime, ai_edge_litert, tensorflow, onnx2tf, coremltools, timm, ray.data" \
    || { echo "[bootstrap] installation is incomplete (see above)" >&2; exit 1; }
  echo "$want" > "$STAMP"
fi

if ! command -v kotlinc >/dev/null 2>&1 || [ ! -f /usr/share/java/junit4.jar ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing Debian kotlin and junit4 for the Kotlin core tests" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kotlin junit4 >/dev/null
  else
    echo "[bootstrap] kotlinc/junit4 missing: install Debian packages 'kotlin' and 'junit4' (as root) for the Kotlin core tests" >&2
  fi
fi
