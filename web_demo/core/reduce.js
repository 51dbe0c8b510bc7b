// Integer box pre-reduction, the first step of preprocessing version 2 (docs/preprocessing.md):
// the photo is averaged down by a power of two before the circle crop, so every later step costs
// what the model input costs. Exact integer arithmetic, the same bytes as the Python runtime.

import { rgbImage } from './image.js';

/** The reduced short side stays >= this many times the model input's long side. */
export const REDUCTION_MARGIN = 2;

// Largest factor whose block sums (255 k^2) stay below 2^31, the Int32Array sums and int arithmetic.
const MAX_FACTOR = 2048;

/** Largest power of two `k` with `min(width, height) // k >= 2 * max(input side)`; 1 if none. */
export function reductionFactor(width, height, inputWidth, inputHeight) {
  const floor = REDUCTION_MARGIN * Math.max(inputWidth, inputHeight);
  const short = Math.min(width, height);
  let k = 1;
  while (Math.floor(short / (2 * k)) >= floor) k *= 2;
  return k;
}

/**
 * Accumulates rows of a `width x height` image into its `k x k` block means:
 * `(sum + n >> 1) / n` rounded down, n the pixels of the block (edge blocks are smaller).
 * Rows can come in strips from a decoder, so the full-size image never has to exist.
 */
export class BoxReducer {
  constructor(width, height, k) {
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_FACTOR)) throw new RangeError(`reduction factor must be an integer in 1..${MAX_FACTOR}, got ${k}`);
    this.width = width;
    this.height = height;
    this.k = k;
    this.outWidth = Math.ceil(width / k);
    this.outHeight = Math.ceil(height / k);
    this.out = new Uint8Array(this.outWidth * this.outHeight * 3);
    // Int32, not Uint32: V8 keeps Int32Array elements on its small-integer fast path
    this.sums = new Int32Array(this.outWidth * 3);
    this.row = 0;
  }

  /**
   * Add `rows` rows from `data`, pixel (x, r) at `offset + r * rowStride + x * pixelStride`
   * (pixelStride 3 for RGB, 4 for RGBA; the first three bytes are R, G, B).
   */
  addRows(data, rows, pixelStride = 3, offset = 0, rowStride = this.width * pixelStride) {
    const { width, k, sums, outWidth } = this;
    for (let r = 0; r < rows; r++) {
      if (this.row >= this.height) throw new RangeError('more rows than the image has');
      const base = offset + r * rowStride;
      for (let bx = 0, x = 0; bx < outWidth; bx++) {
        const end = Math.min(x + k, width);
        let sr = 0;
        let sg = 0;
        let sb = 0;
        for (let p = base + x * pixelStride; x < end; x++, p += pixelStride) {
          sr += data[p];
          sg += data[p + 1];
          sb += data[p + 2];
        }
        sums[bx * 3] += sr;
        sums[bx * 3 + 1] += sg;
        sums[bx * 3 + 2] += sb;
      }
      this.row++;
      if (this.row % k === 0 || this.row === this.height) this.flush();
    }
  }

  /** Turn the finished band of block sums into one row of the output. */
  flush() {
    const { width, k, sums, outWidth, out } = this;
    const bandRows = this.row % k === 0 ? k : this.row % k;
    const o = (Math.ceil(this.row / k) - 1) * outWidth * 3;
    for (let bx = 0; bx < outWidth; bx++) {
      const n = bandRows * (Math.min((bx + 1) * k, width) - bx * k);
      const half = n >> 1;
      for (let c = bx * 3; c < bx * 3 + 3; c++) {
        out[o + c] = Math.floor((sums[c] + half) / n);
        sums[c] = 0;
      }
    }
  }

  /** The reduced image, once every row was added. */
  result() {
    if (this.row !== this.height) throw new RangeError(`only ${this.row} of ${this.height} rows were added`);
    return rgbImage(this.outWidth, this.outHeight, this.out);
  }
}

/** The `k x k` block means of a whole RGB image (the image itself when k is 1). */
export function boxReduce(image, k) {
  if (k === 1) return image;
  const reducer = new BoxReducer(image.width, image.height, k);
  reducer.addRows(image.data, image.height);
  return reducer.result();
}

/** A box `[x0, y0, x1, y1]` found on the image reduced by `k`, in the `width x height` image's coordinates. */
export function scaleBox(box, k, width, height) {
  if (box === null) return null;
  const [x0, y0, x1, y1] = box;
  return [x0 * k, y0 * k, Math.min(x1 * k, width), Math.min(y1 * k, height)];
}
