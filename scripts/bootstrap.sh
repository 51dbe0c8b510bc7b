#!/usr/bin/env bash
# Create .venv in the checkout (if needed) and install hierattn with every extra, pinned by
# requirements/constraints.txt. Idempotent: a second run only checks, unless pyproject.toml or the
# constraints changed. As root with apt, it also installs the Debian tools of the optional parts:
# kotlin + junit4 (Kotlin core tests), chromium + nodejs + npm (web demo), qemu-user + gcc + aarch64
# binutils (arm-emulated benchmarks), linux-perf (hierattn-profile --host-kernels), libgl1 +
# libglib2.0-0 + flatbuffers-compiler (MediaPipe client tests); and the MediaPipe virtualenv.
#
# Each step prints one line; what pip, apt and npm say goes to out/bootstrap.log. A failed step
# prints the end of that log and its path.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TORCH_PINS="torch==2.14.1 torchvision==0.29.1"
STAMP="$VENV/.hierattn-installed"
LOG_REL=out/bootstrap.log
LOG="$ROOT/$LOG_REL"
want=$(cat pyproject.toml requirements/constraints.txt scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
mkdir -p "$(dirname "$LOG")"

# step DESCRIPTION COMMAND...: one progress line; the command's output goes to the log.
step() {
  local what=$1 started=$SECONDS rc=0
  shift
  printf '\n=== %s %s\n$ %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$what" "$*" >>"$LOG"
  printf '[bootstrap] %s ...' "$what" >&2
  "$@" >>"$LOG" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    printf ' ok (%d s)\n' $((SECONDS - started)) >&2
    return 0
  fi
  printf ' failed (exit %d)\n' "$rc" >&2
  echo "[bootstrap] last lines of $LOG_REL:" >&2
  tail -n 25 "$LOG" | sed 's/^/  /' >&2
  echo "[bootstrap] full log: $LOG_REL" >&2
  exit "$rc"
}

pip_install() {
  "$PY" -m pip install --progress-bar off "$@"
}

check_install() {
  "$PY" -m pip check
  "$PY" -c "import hierattn.runtime, hierattn.models, onnxruntime, ai_edge_litert, tensorflow, onnx2tf, coremltools, timm, ray.data, executorch.runtime"
}

npm_ci() {
  (cd web_demo && npm ci --no-audit --no-fund)
}

apt_install() {  # apt_install [--no-install-recommends] PACKAGE...
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if [ ! -x "$PY" ]; then
  step "creating the virtualenv .venv" python3 -m venv "$VENV"
fi

if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  step "upgrading pip" pip_install --upgrade pip
  # torch and torchvision first and pinned: an unpinned torch pulled in by another package would
  # resolve to a different multi-GB build.
  step "installing $TORCH_PINS (pinned CPU build, about 2 GB)" pip_install $TORCH_PINS
  step "installing hierattn and every extra (pins: requirements/constraints.txt)" \
    pip_install -c requirements/constraints.txt -e ".[all,dev]"
  step "checking the installation (pip check, imports)" check_install
  echo "$want" >"$STAMP"
fi

# Debian tools of the optional parts: installed as root, otherwise named in one line.
missing_kotlin=""
command -v kotlinc >/dev/null 2>&1 && [ -f /usr/share/java/junit4.jar ] || missing_kotlin="kotlin junit4"
missing_web=""
for tool in chromium nodejs npm; do
  command -v "${tool/nodejs/node}" >/dev/null 2>&1 || missing_web="$missing_web $tool"
done
missing_arm=""
if ! command -v qemu-aarch64 >/dev/null 2>&1 || ! command -v aarch64-linux-gnu-as >/dev/null 2>&1 \
   || ! command -v gcc >/dev/null 2>&1 || ! apt-cache show libc6:arm64 >/dev/null 2>&1; then
  missing_arm="qemu-user gcc libc6-dev binutils-aarch64-linux-gnu"
fi
missing_perf=""
command -v perf >/dev/null 2>&1 || missing_perf="linux-perf"
missing_mp=""  # MediaPipe's OpenCV; flatc only regenerates the metadata schema classes
[ -e /usr/lib/x86_64-linux-gnu/libGL.so.1 ] || missing_mp="libgl1"
[ -e /usr/lib/x86_64-linux-gnu/libglib-2.0.so.0 ] || missing_mp="$missing_mp libglib2.0-0"
command -v flatc >/dev/null 2>&1 || missing_mp="$missing_mp flatbuffers-compiler"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  [ -z "$missing_kotlin" ] || step "installing Debian $missing_kotlin (Kotlin core tests)" apt_install $missing_kotlin
  [ -z "$missing_web" ] || step "installing Debian$missing_web (web demo)" apt_install $missing_web
  if [ -n "$missing_arm" ]; then
    # arm-emulated benchmarks (docs/arm.md): Debian's arm64 package lists for the guest userland (its
    # packages are fetched into ~/.cache/hierattn on first use).
    dpkg --add-architecture arm64
    step "installing Debian $missing_arm (arm-emulated benchmarks)" apt_install --no-install-recommends $missing_arm
  fi
  [ -z "$missing_perf" ] || step "installing Debian linux-perf (hierattn-profile --host-kernels)" \
    apt_install --no-install-recommends $missing_perf
  [ -z "${missing_mp// /}" ] || step "installing Debian$(echo " $missing_mp" | tr -s ' ') (MediaPipe client tests)" \
    apt_install --no-install-recommends $missing_mp
else
  optional="$missing_kotlin$missing_web ${missing_arm} $missing_perf $missing_mp"
  if [ -n "${optional// /}" ]; then
    echo "[bootstrap] optional Debian packages missing (install as root for the Kotlin tests, web demo, arm-emulated benchmarks, perf profiles, MediaPipe tests):$(echo " $optional" | tr -s ' ')" >&2
  fi
fi

# Web demo (web_demo/): the pinned npm packages (package-lock.json; `npm ci` also copies ONNX Runtime
# Web's and LiteRT.js's files into web_demo/vendor/). Reinstalled only when the lock file changes.
WEB_STAMP="web_demo/node_modules/.hierattn-installed"
web_want=$(cat web_demo/package-lock.json web_demo/tools/vendor.mjs | sha256sum | cut -d' ' -f1)
if command -v npm >/dev/null 2>&1 && { [ ! -f "$WEB_STAMP" ] || [ "$(cat "$WEB_STAMP")" != "$web_want" ] || [ ! -f web_demo/vendor/ort/ort.wasm.min.mjs ] || [ ! -f web_demo/vendor/litert/core.js ]; }; then
  step "installing the web demo's npm packages (npm ci)" npm_ci
  echo "$web_want" >"$WEB_STAMP"
fi
# MediaPipe client tests (docs/export.md, TFLite on Android): mediapipe 1.2.2 in its own virtualenv
# under ~/.cache/hierattn (requirements/mediapipe.txt says why), built once per machine by
# scripts/mediapipe_venv.sh (its Debian needs, libgl1 and libglib2.0-0, are installed above). A
# progress line only when it builds: the same stamp test as that script.
MP_VENV=${HIERATTN_MEDIAPIPE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hierattn/mediapipe-venv}
if [ "$(cat "$MP_VENV/.hierattn-installed" 2>/dev/null)" = "$(sha256sum requirements/mediapipe.txt | cut -d' ' -f1)" ]; then
  bash scripts/mediapipe_venv.sh >>"$LOG" 2>&1 || step "checking the MediaPipe virtualenv ($MP_VENV)" bash scripts/mediapipe_venv.sh
else
  step "installing mediapipe 1.2.2 into its own virtualenv ($MP_VENV)" bash scripts/mediapipe_venv.sh
fi
