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
  "$PY" -c "import hierattn.runtime, hierattn.models, onnxruntime, ai_edge_litert, tensorflow, onnx2tf, coremltools, timm, ray.data, executorch.runtime" \
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

# Web demo (web_demo/): Debian's chromium for the headless browser tests, Node + npm for the JS core
# tests and the pinned npm packages (package-lock.json; `npm ci` also copies ONNX Runtime Web's and
# LiteRT.js's files into web_demo/vendor/). Reinstalled only when the lock file changes.
web_missing=""
command -v chromium >/dev/null 2>&1 || web_missing="$web_missing chromium"
command -v node >/dev/null 2>&1 || web_missing="$web_missing nodejs"
command -v npm >/dev/null 2>&1 || web_missing="$web_missing npm"
if [ -n "$web_missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing Debian$web_missing for the web demo" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $web_missing >/dev/null
  else
    echo "[bootstrap] missing for the web demo:$web_missing (install the Debian packages as root)" >&2
  fi
fi
WEB_STAMP="web_demo/node_modules/.hierattn-installed"
web_want=$(cat web_demo/package-lock.json web_demo/tools/vendor.mjs | sha256sum | cut -d' ' -f1)
if command -v npm >/dev/null 2>&1 && { [ ! -f "$WEB_STAMP" ] || [ "$(cat "$WEB_STAMP")" != "$web_want" ] || [ ! -f web_demo/vendor/ort/ort.wasm.min.mjs ] || [ ! -f web_demo/vendor/litert/core.js ]; }; then
  echo "[bootstrap] installing the web demo's npm packages (npm ci)" >&2
  (cd web_demo && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$web_want" > "$WEB_STAMP"
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
# hierattn-profile --host-kernels (docs/quantization.md): Linux perf samples this CPU's time per kernel.
if ! command -v perf >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing linux-perf" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
  else
    echo "[bootstrap] hierattn-profile --host-kernels needs (as root): apt-get install linux-perf" >&2
  fi
fi
# MediaPipe client tests (docs/export.md, TFLite on Android): mediapipe 1.2.2 in its own virtualenv
# under ~/.cache/hierattn (requirements/mediapipe.txt says why), built once per machine; its OpenCV
# needs Debian's libgl1 and libglib2.0-0. flatbuffers-compiler (flatc) only regenerates the metadata
# schema classes (scripts/gen_tflite_metadata_schema.sh).
if [ ! -e /usr/lib/x86_64-linux-gnu/libGL.so.1 ] || [ ! -e /usr/lib/x86_64-linux-gnu/libglib-2.0.so.0 ] || ! command -v flatc >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing libgl1, libglib2.0-0 (MediaPipe's OpenCV) and flatbuffers-compiler" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgl1 libglib2.0-0 flatbuffers-compiler >/dev/null
  else
    echo "[bootstrap] the MediaPipe client tests need (as root): apt-get install libgl1 libglib2.0-0 (and flatbuffers-compiler to regenerate the metadata schema classes)" >&2
  fi
fi
bash scripts/mediapipe_venv.sh >/dev/null
