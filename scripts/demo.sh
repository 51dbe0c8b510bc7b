#!/usr/bin/env bash
# The main job on the bundled demo model: export to TFLite (validated against PyTorch), classify the
# bundled sample images with the exported file, and run a short CPU benchmark. Creates .venv and
# installs everything first if needed. Outputs go to out/demo (or $HIERATTN_DEMO_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
OUT=${HIERATTN_DEMO_OUT:-out/demo}
BIN=.venv/bin
SAMPLES=runtime/assets/samples/validation
mkdir -p "$OUT"

echo "== 1/3 export the bundled demo model to TFLite (fp32) and validate it against PyTorch" >&2
"$BIN/hierattn-export" --format tflite --precision fp32 --output "$OUT/export"

echo "== 2/3 classify one sample image per class with the exported file (research model, not a diagnosis)" >&2
samples=()
for class_dir in "$SAMPLES"/*/; do
  samples+=("$(ls "$class_dir" | head -n 1 | sed "s|^|$class_dir|")")
done
"$BIN/hierattn-predict" --model "$OUT/export/hierattn_xs_fp32.tflite" "${samples[@]}"

echo "== 3/3 short CPU benchmark (HierAttn-xs vs MobileNetV3-Large; PyTorch, ONNX Runtime, LiteRT)" >&2
"$BIN/hierattn-bench" --device cpu --quick --out "$OUT/bench-cache" \
  --json-out "$OUT/bench.json" --csv-out "$OUT/bench.csv" --plot "$OUT/bench"
echo "outputs: $OUT/export (model + sidecar), $OUT/bench.json, $OUT/bench.csv, $OUT/bench_*.png" >&2
