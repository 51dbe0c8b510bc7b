// Pillow's 8-bit BILINEAR resize (an antialiasing triangle filter), reproduced bit for bit
// (docs/preprocessing.md, section 3). Textbook 4-tap bilinear differs from Pillow by several levels
// when downscaling, which is most phone photos; the model was trained on Pillow's output.

import { rgbImage } from './image.js';

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const ROUNDING = 1 << (PRECISION_BITS - 1);
const MAX_ACC = 255 * ONE;
// Pillow's pixel-centre offset and round-half-up term: part of its algorithm, not model parameters.
const PIXEL_CENTER = 0.5;
const ROUND_HALF = 0.5;

function triangle(t) {
  const a = Math.abs(t);
  return a < 1 ? 1 - a : 0;
}

/** Per output index: first input index, tap count, fixed-point weights (`taps` per index). */
export function coefficients(inSize, outSize) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const ss = 1 / filterScale;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const w = new Float64Array(taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + PIXEL_CENTER) * scale;
    let xmin = Math.trunc(center - support + ROUND_HALF);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + ROUND_HALF);
    if (xmax > inSize) xmax = inSize;
    const n = xmax - xmin;
    let total = 0;
    for (let j = 0; j < n; j++) {
      w[j] = triangle((j + xmin - center + PIXEL_CENTER) * ss);
      total += w[j];
    }
    for (let j = 0; j < n; j++) {
      if (total !== 0) w[j] = w[j] / total;
      const scaled = w[j] * ONE;
      weights[i * taps + j] = w[j] < 0 ? Math.trunc(-ROUND_HALF + scaled) : Math.trunc(ROUND_HALF + scaled);
    }
    starts[i] = xmin;
    counts[i] = n;
  }
  return { starts, counts, taps, weights };
}

function clip8(acc) {
  if (acc <= 0) return 0;
  if (acc >= MAX_ACC) return 255;
  return acc >> PRECISION_BITS;
}

/**
 * One pass along an axis over `lines` lines: `tapStride` is the byte distance between neighbouring
 * taps, `inLineStep` / `outLineStep` the distance between lines in the input / output, `outStep`
 * the distance between outputs along a line.
 */
function pass(src, dst, c, outSize, lines, tapStride, inLineStep, outLineStep, outStep) {
  const { starts, counts, taps, weights } = c;
  for (let line = 0; line < lines; line++) {
    const inBase = line * inLineStep;
    const outBase = line * outLineStep;
    for (let i = 0; i < outSize; i++) {
      const base = i * taps;
      let r = ROUNDING;
      let g = ROUNDING;
      let b = ROUNDING;
      let p = inBase + starts[i] * tapStride;
      for (let j = 0, n = counts[i]; j < n; j++, p += tapStride) {
        const k = weights[base + j];
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const o = outBase + i * outStep;
      dst[o] = clip8(r);
      dst[o + 1] = clip8(g);
      dst[o + 2] = clip8(b);
    }
  }
}

/**
 * Resize to `outWidth` x `outHeight` in two 1-D passes with a uint8 intermediate: horizontal first,
 * then vertical, always; a pass whose sizes are equal is skipped.
 */
export function bilinearResize(image, outWidth, outHeight) {
  if (!(outWidth >= 1 && outHeight >= 1)) throw new RangeError('output size must be positive');
  let current = image;
  if (outWidth !== current.width) {
    const { width, height } = current;
    const out = new Uint8Array(outWidth * height * 3);
    pass(current.data, out, coefficients(width, outWidth), outWidth, height, 3, width * 3, outWidth * 3, 3);
    current = rgbImage(outWidth, height, out);
  }
  if (outHeight !== current.height) {
    const { width, height } = current;
    const out = new Uint8Array(width * outHeight * 3);
    // one "line" per column: taps step a row (width * 3), outputs step a row of the output
    pass(current.data, out, coefficients(height, outHeight), outHeight, width, width * 3, 3, 3, width * 3);
    current = rgbImage(width, outHeight, out);
  }
  return current;
}
