// One photo through the whole pipeline: browser decode -> JS core preprocessing -> model -> result.
// Shared by the page and by the automation API (parity, end-to-end test), so both run the same code.

import { classify, preprocess, rgbImage } from '../core/index.js';
import { decodeImage } from './decode.js';

/** Preprocess an already decoded RGB image, run the model and classify. */
export async function analyseImage(model, image, k = 3) {
  const t0 = performance.now();
  const { cropBox, resized, tensor } = preprocess(image, model.spec);
  const t1 = performance.now();
  const { logits, ms } = await model.run(tensor);
  return {
    width: image.width,
    height: image.height,
    cropBox,
    resized,
    logits,
    result: classify(logits, model.spec, k),
    timings: { preprocess_ms: t1 - t0, inference_ms: ms },
  };
}

/** Decode a photo Blob with the browser (EXIF applied) and analyse it. */
export async function analyseBlob(model, blob, name, k = 3) {
  const t0 = performance.now();
  const { image, bitmap } = await decodeImage(blob, name);
  const decodeMs = performance.now() - t0;
  const out = await analyseImage(model, image, k);
  out.timings.decode_ms = decodeMs;
  return { ...out, image, bitmap };
}

/** Analyse raw RGB bytes (already decoded elsewhere): the core-only path of the parity check. */
export function analyseRgb(model, width, height, rgb, k = 3) {
  return analyseImage(model, rgbImage(width, height, rgb), k);
}
