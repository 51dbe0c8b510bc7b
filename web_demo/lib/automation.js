// `window.hierattn`: what the command-line tools drive through Playwright (hierattn-parity
// --runtime web, hierattn-bench --device browser). Bytes cross the page boundary as base64.

import { benchmark } from './bench.js';
import { analyseBlob, analyseRgb } from './pipeline.js';

function fromBase64(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function report(out) {
  return {
    width: out.width,
    height: out.height,
    crop_box: out.cropBox,
    resized_b64: toBase64(out.resized.data),
    logits: Array.from(out.logits),
    probabilities: out.result.probabilities,
    label: out.result.label,
    top: out.result.top,
    referral: out.result.referral,
    timings_ms: out.timings,
  };
}

/** Install the API for `getModel()` (a function: the page may swap models). */
export function installAutomation(getModel) {
  globalThis.hierattn = {
    /** Analyse an encoded image file (decoded by the browser, EXIF orientation applied). */
    async analyseFile(base64, name) {
      try {
        const out = await analyseBlob(getModel(), new Blob([fromBase64(base64)]), name);
        out.bitmap.close();
        return report(out);
      } catch (err) {
        return { error: err.message };
      }
    },
    /**
     * End to end on one encoded photo, as a user waits for it: one warm-up, then `iters` runs of
     * decode + preprocess + inference; milliseconds per stage per run, and the JS pixel buffers held.
     */
    async endToEnd(base64, name, iters) {
      try {
        const blob = new Blob([fromBase64(base64)]);
        const stages = { decode_ms: [], preprocess_ms: [], inference_ms: [], read_ms: [] };
        let last = null;
        for (let i = 0; i <= iters; i++) {
          last = await analyseBlob(getModel(), blob, name);
          last.bitmap.close();
          if (i > 0) for (const key of Object.keys(stages)) stages[key].push(last.timings[key]);
        }
        return { width: last.width, height: last.height, reduction: last.reduction, pixel_bytes: last.pixelBytes,
          full_rgb_bytes: last.width * last.height * 3, stages_ms: stages, label: last.result.label, model: getModel().info };
      } catch (err) {
        return { error: err.message };
      }
    },
    /** Analyse RGB bytes decoded by someone else (the JS core and the model only). */
    async analyseRgb(width, height, base64) {
      return report(await analyseRgb(getModel(), width, height, fromBase64(base64)));
    },
    /** Benchmark mode, as the page's button, with explicit counts and optionally a given input. */
    async bench({ warmup, iters, input_b64: inputB64 }) {
      const input = inputB64 ? new Float32Array(fromBase64(inputB64).buffer) : null;
      const out = await benchmark(getModel(), { warmup, iters, input });
      return { ...out, model: getModel().info };
    },
    threads: () => getModel().threads(),
  };
}
