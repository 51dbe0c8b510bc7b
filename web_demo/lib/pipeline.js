// One photo through the whole pipeline: browser decode -> JS core preprocessing -> model -> result.
// Shared by the page and by the automation API (parity, end-to-end test), so both run the same code.

import { classify, cropAndResizeReduced, preprocess, rgbImage, toTensor } from '../core/index.js';
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

/**
 * Decode a photo Blob with the browser (EXIF applied) and analyse it. Stages: `decode_ms` is the
 * browser's decode; `preprocess_ms` reading the bitmap into the core (box-reduced, version 2),
 * crop, resize and tensor; `inference_ms` the model.
 */
export async function analyseBlob(model, blob, name, k = 3) {
  const t0 = performance.now();
  const decoded = await decodeImage(blob, name, model.spec);
  const t1 = performance.now();
  const { cropBox, resized } = cropAndResizeReduced(decoded.image, decoded.reduction, decoded.width, decoded.height, model.spec);
  const tensor = toTensor(resized, model.spec);
  const t2 = performance.now();
  const { logits, ms } = await model.run(tensor);
  return {
    width: decoded.width,
    height: decoded.height,
    cropBox,
    resized,
    logits,
    result: classify(logits, model.spec, k),
    // read_ms: the part of preprocess_ms spent reading the bitmap's strips into the box reduction
    timings: { decode_ms: t1 - t0 - decoded.readMs, preprocess_ms: t2 - t1 + decoded.readMs, inference_ms: ms, read_ms: decoded.readMs },
    reduction: decoded.reduction,
    pixelBytes: decoded.pixelBytes,
    image: decoded.image,
    bitmap: decoded.bitmap,
  };
}

/** Analyse raw RGB bytes (already decoded elsewhere): the core-only path of the parity check. */
export function analyseRgb(model, width, height, rgb, k = 3) {
  return analyseImage(model, rgbImage(width, height, rgb), k);
}
