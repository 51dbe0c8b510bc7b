#!/usr/bin/env bash
# Create (once per machine) the virtualenv the MediaPipe client tests run mediapipe in, and print its
# python on stdout. Pins: requirements/mediapipe.txt (why a separate environment is explained there).
# Location: $HIERATTN_MEDIAPIPE_VENV, default ~/.cache/hierattn/mediapipe-venv; rebuilt only when the
# pins change. Called by scripts/bootstrap.sh and, if missing, by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${HIERATTN_MEDIAPIPE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hierattn/mediapipe-venv}
PINS=requirements/mediapipe.txt
STAMP="$VENV/.hierattn-installed"
want=$(sha256sum "$PINS" | cut -d' ' -f1)
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9  # bootstrap and a test run may both get here; one builds, the other waits
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  echo "[mediapipe-venv] installing $PINS into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --no-deps -r "$PINS" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  "$VENV/bin/python" -m pip check >&2
  "$VENV/bin/python" -c "from mediapipe.tasks.python import vision" \
    || { echo "[mediapipe-venv] mediapipe did not install (see above)" >&2; exit 1; }
  echo "$want" > "$STAMP"
fi
"$VENV/bin/python" -c "import cv2" 2>/dev/null \
  || { echo "[mediapipe-venv] OpenCV in $VENV does not load: install Debian's libgl1 and libglib2.0-0 (as root)" >&2; exit 1; }
echo "$VENV/bin/python"
