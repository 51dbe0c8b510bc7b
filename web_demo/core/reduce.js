// Integer box pre-reduction, the first step of preprocessing version 2 (docs/preprocessing.md):
// the photo is averaged down by a power of two before the circle crop, so every later step costs
// what the model input costs. Exact integer arithmetic, the same bytes as the Python runtime.

import { rgbImage } from './image.js';

/** The reduced short side stays >= this many times the model input's long side. */
export const REDUCTION_MARGIN = 2;

// Largest factor whose packed 16-bit lane sums (255 k^2) cannot carry: the fast RGBA path.
const PACKED_MAX_FACTOR = 16;

// Typed-array words are little-endian wherever a browser or Node runs; checked once.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

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
    // the packed RGBA path's per-block lane sums (see addRgbaRowsPacked)
    this.packedRB = new Uint32Array(this.outWidth);
    this.packedGA = new Uint32Array(this.outWidth);
    this.row = 0;
  }

  /**
   * Add `rows` rows from `data`, pixel (x, r) at `offset + r * rowStride + x * pixelStride`
   * (pixelStride 3 for RGB, 4 for RGBA; the first three bytes are R, G, B).
   */
  addRows(data, rows, pixelStride = 3, offset = 0, rowStride = this.width * pixelStride) {
    if (this.row + rows > this.height) throw new RangeError('more rows than the image has');
    if (rows <= 0) return;
    if (pixelStride === 4 && this.k <= PACKED_MAX_FACTOR && LITTLE_ENDIAN && (data.byteOffset + offset) % 4 === 0 && rowStride % 4 === 0) {
      this.addRgbaRowsPacked(new Uint32Array(data.buffer, data.byteOffset + offset, (rows - 1) * (rowStride >> 2) + this.width), rows, rowStride >> 2);
      return;
    }
    const { width, k, sums, outWidth } = this;
    for (let r = 0; r < rows; r++) {
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
      this.endRow();
    }
  }

  /**
   * RGBA rows read as 32-bit words, two channels per add: `word & 0x00ff00ff` holds R and B in
   * separate 16-bit lanes, `(word >>> 8) & 0x00ff00ff` G and A. A lane sums at most k * k * 255,
   * which fits 16 bits for k <= 16, so the lanes never carry into each other.
   */
  addRgbaRowsPacked(words, rows, wordsPerRow) {
    const { width, k, outWidth } = this;
    const packedRB = this.packedRB;
    const packedGA = this.packedGA;
    const M = 0x00ff00ff;
    // whole blocks of a multiple of 4 pixels take four words per step (k = 4 is a 12 MP photo's)
    const unrolled = k % 4 === 0 ? Math.floor(width / k) : 0;
    for (let r = 0; r < rows; r++) {
      const base = r * wordsPerRow;
      let x = 0;
      for (let bx = 0, p = base; bx < unrolled; bx++) {
        let rb = 0;
        let ga = 0;
        for (let j = 0; j < k; j += 4, p += 4) {
          const a = words[p];
          const b = words[p + 1];
          const c = words[p + 2];
          const d = words[p + 3];
          rb += (a & M) + (b & M) + (c & M) + (d & M);
          ga += ((a >>> 8) & M) + ((b >>> 8) & M) + ((c >>> 8) & M) + ((d >>> 8) & M);
        }
        packedRB[bx] += rb;
        packedGA[bx] += ga;
        x += k;
      }
      for (let bx = unrolled; bx < outWidth; bx++) {
        const end = Math.min(x + k, width);
        let rb = 0;
        let ga = 0;
        for (let p = base + x; x < end; x++, p++) {
          const w = words[p];
          rb += w & M;
          ga += (w >>> 8) & M;
        }
        packedRB[bx] += rb;
        packedGA[bx] += ga;
      }
      if ((this.row + 1) % k === 0 || this.row + 1 === this.height) {
        const { sums } = this;
        for (let bx = 0; bx < outWidth; bx++) {
          const rb = packedRB[bx];
          sums[bx * 3] += rb & 0xffff;
          sums[bx * 3 + 1] += packedGA[bx] & 0xffff;
          sums[bx * 3 + 2] += rb >>> 16;
          packedRB[bx] = 0;
          packedGA[bx] = 0;
        }
      }
      this.endRow();
    }
  }

  /** Count a finished row; a finished band of k rows (or the last rows) becomes an output row. */
  endRow() {
    this.row++;
    if (this.row % this.k === 0 || this.row === this.height) this.flush();
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
