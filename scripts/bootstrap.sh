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
  "$PY" -c "import hierattn.runtime, hierattn.models, onnxruntime, ai_edge_litert, tensorflow, onnx2tf, coremltools, timm" \
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

# hierattn-bench --device arm-emulated (docs/arm.md): qemu-user, a C compiler for the
# instruction-count plugin, cross binutils for its test loop, and Debian's arm64 package lists for the
# guest userland (the packages themselves are fetched into ~/.cache/hierattn on first use).
if ! command -v qemu-aarch64 >/dev/null 2>&1 || ! command -v aarch64-linux-gnu-as >/dev/null 2>&1 \
   || ! command -v gcc >/dev/null 2>&1 || ! apt-cache show libc6:arm64 >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing qemu-user, gcc and aarch64 binutils; enabling arm64 packages" >&2
    dpkg --add-architecture arm64
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      qemu-user gcc libc6-dev binutils-aarch64-linux-gnu >/dev/null
  else
    echo "[bootstrap] arm-emulated benchmarks need (as root): dpkg --add-architecture arm64 && apt-get update && apt-get install qemu-user gcc binutils-aarch64-linux-gnu" >&2
  fi
fi
