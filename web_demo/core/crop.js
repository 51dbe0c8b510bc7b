// The circle crop that removes a dermoscope's black vignette (docs/preprocessing.md, section 2).
// Integer arithmetic throughout, so this port, the Python runtime and the Kotlin core pick the same
// box to the pixel. Every parameter comes from the spec's `crop` object.

// OpenCV's fixed-point RGB->grey weights: part of the grey definition, not model parameters.
const GREY_R = 4899;
const GREY_G = 9617;
const GREY_B = 1868;
const GREY_SHIFT = 14;
const GREY_ROUND = 1 << (GREY_SHIFT - 1);

/** BT.601 luma in OpenCV's 8-bit fixed point, exactly `cv2.cvtColor(RGB2GRAY)`; one byte per pixel. */
export function grey(image) {
  const d = image.data;
  const out = new Uint8Array(image.width * image.height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = (GREY_R * d[p] + GREY_G * d[p + 1] + GREY_B * d[p + 2] + GREY_ROUND) >> GREY_SHIFT;
  }
  return out;
}

// Typed-array words are little-endian on every platform a browser or Node runs on; checked once, the
// byte loop below remains the fallback.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `iterations` dilations (or erosions) with a k x k window anchored at k // 2, positions outside the
 * image ignored, as one window per axis: repeating a window that contains its own centre covers
 * `i - iterations * anchor .. i + iterations * (k - 1 - anchor)`, clipped to the image (every
 * position in that range is reached through positions in between, all inside). A rectangular
 * window is separable: rows first, then columns, same result.
 */
function morph(mask, width, height, stride, kernel, iterations, dilate) {
  const anchor = kernel >> 1;
  const before = iterations * anchor;
  const after = iterations * (kernel - 1 - anchor);
  const rows = windowRows(mask, width, stride, before, after, dilate);
  return windowColumns(rows, stride, height, before, after, dilate);
}

/**
 * Along x: `out[x] = max/min of mask[x - before .. x + after]`, positions outside the row ignored.
 * Four mask bytes per 32-bit word: a neighbouring byte comes from shifting the word and the word
 * next to it; the bytes past the row's end (stride padding) hold the operation's identity, and a
 * row's first and last words see identity words beyond them.
 */
function windowRows(mask, width, stride, before, after, dilate) {
  const identity = dilate ? 0 : 1;
  for (let row = 0; row < mask.length; row += stride) mask.fill(identity, row + width, row + stride);
  if (!LITTLE_ENDIAN || before > 3 || after > 3) return windowRowsBytes(mask, width, stride, before, after, dilate);
  const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2);
  const out = new Uint32Array(words.length);
  const fill = dilate ? 0 : 0x01010101;
  const perRow = stride >> 2;
  for (let row = 0; row < words.length; row += perRow) {
    const last = row + perRow - 1;
    for (let j = row; j <= last; j++) {
      const w = words[j];
      const prev = j === row ? fill : words[j - 1];
      const next = j === last ? fill : words[j + 1];
      let acc = w;
      for (let s = 8; s <= 8 * before; s += 8) {
        const v = (w << s) | (prev >>> (32 - s)); // byte b takes byte b - s / 8
        acc = dilate ? acc | v : acc & v;
      }
      for (let s = 8; s <= 8 * after; s += 8) {
        const v = (w >>> s) | (next << (32 - s)); // byte b takes byte b + s / 8
        acc = dilate ? acc | v : acc & v;
      }
      out[j] = acc;
    }
  }
  return new Uint8Array(out.buffer);
}

/** The byte-at-a-time form of `windowRows`, for windows reaching beyond the neighbouring word. */
function windowRowsBytes(mask, width, stride, before, after, dilate) {
  const out = mask.slice();
  for (let row = 0; row < mask.length; row += stride) {
    for (let x = 0; x < width; x++) {
      const hi = Math.min(width - 1, x + after);
      let acc = mask[row + x];
      for (let i = Math.max(0, x - before); i <= hi; i++) acc = dilate ? acc | mask[row + i] : acc & mask[row + i];
      out[row + x] = acc;
    }
  }
  return out;
}

/**
 * Along y: `out[y] = max/min of mask[y - before .. y + after]`, rows outside ignored, combining
 * whole shifted rows 32 bits at a time (the row stride is a multiple of 4 bytes).
 */
function windowColumns(mask, stride, height, before, after, dilate) {
  const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2);
  const out = words.slice();
  const perRow = stride >> 2;
  for (let shift = -before; shift <= after; shift++) {
    if (shift === 0 || Math.abs(shift) >= height) continue;
    const a = Math.max(0, -shift) * perRow;
    const b = (height - Math.max(0, shift)) * perRow;
    const offset = shift * perRow;
    if (dilate) for (let i = a; i < b; i++) out[i] |= words[i + offset];
    else for (let i = a; i < b; i++) out[i] &= words[i + offset];
  }
  return new Uint8Array(out.buffer);
}

/** Mask of `grey > threshold` after the closing (dilations, then as many erosions); 0/1 bytes. */
export function closedMask(image, crop) {
  const { width, height, data } = image;
  const stride = (width + 3) & ~3; // whole 32-bit words per row
  let mask = new Uint8Array(stride * height);
  const t = crop.threshold;
  for (let y = 0, p = 0; y < height; y++) {
    for (let i = y * stride, end = i + width; i < end; i++, p += 3) {
      mask[i] = (GREY_R * data[p] + GREY_G * data[p + 1] + GREY_B * data[p + 2] + GREY_ROUND) >> GREY_SHIFT > t ? 1 : 0;
    }
  }
  if (crop.closingIterations > 0) {
    mask = morph(mask, width, height, stride, crop.closingKernel, crop.closingIterations, true);
    mask = morph(mask, width, height, stride, crop.closingKernel, crop.closingIterations, false);
  }
  if (stride === width) return mask;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) out.set(mask.subarray(y * stride, y * stride + width), y * width);
  return out;
}

/**
 * Pixels of `box` not reachable from outside by a 4-connected path avoiding `label`.
 * Everything outside the bounding box is outside the component, so flooding a one-pixel ring
 * around the box is the same as flooding from outside the image. `labels` is padded by one pixel
 * on every side (stride `stride`); the flood grid adds a ring and a sentinel frame to the box.
 */
function filledArea(labels, stride, box, label) {
  const [bx0, by0, bx1, by1] = box;
  const bw = bx1 - bx0;
  const bh = by1 - by0;
  const W = bw + 4;
  const H = bh + 4;
  const seen = new Uint8Array(W * H); // 1: sentinel frame, component pixel, or already reached
  for (let x = 0; x < W; x++) seen[x] = seen[(H - 1) * W + x] = 1;
  for (let y = 0; y < H; y++) seen[y * W] = seen[y * W + W - 1] = 1;
  for (let y = 0; y < bh; y++) {
    const src = (by0 + y + 1) * stride + bx0 + 1;
    const dst = (y + 2) * W + 2;
    for (let x = 0; x < bw; x++) if (labels[src + x] === label) seen[dst + x] = 1;
  }
  const stack = new Int32Array(W * H);
  let top = 0;
  let reached = 0;
  seen[W + 1] = 1;
  stack[top++] = W + 1;
  while (top > 0) {
    const p = stack[--top];
    reached++;
    if (!seen[p + 1]) { seen[p + 1] = 1; stack[top++] = p + 1; }
    if (!seen[p - 1]) { seen[p - 1] = 1; stack[top++] = p - 1; }
    if (!seen[p + W]) { seen[p + W] = 1; stack[top++] = p + W; }
    if (!seen[p - W]) { seen[p - W] = 1; stack[top++] = p - W; }
  }
  const ring = 2 * (bw + 2) + 2 * bh; // the ring is never blocked and always connected: all reached
  return bw * bh - (reached - ring);
}

/**
 * The 8-connected component with the largest filled area (pixels plus holes); ties go to the
 * component whose first pixel in row-major order comes first. Null for an all-zero mask.
 * @returns {{box: number[], filledArea: number} | null} box is [x0, y0, x1, y1], exclusive ends
 */
export function largestRegion(mask, width, height) {
  // labels on a grid padded by one zero pixel on every side: neighbours need no bounds checks
  const stride = width + 2;
  const padded = new Uint8Array(stride * (height + 2));
  for (let y = 0; y < height; y++) padded.set(mask.subarray(y * width, (y + 1) * width), (y + 1) * stride + 1);
  const labels = new Int32Array(padded.length);
  const seeds = [];
  let best = null;
  let next = 0;
  for (let y = 0; y < height; y++) {
    for (let start = (y + 1) * stride + 1, end = start + width; start < end; start++) {
      if (padded[start] === 0 || labels[start] !== 0) continue;
      next++;
      const box = labelComponent(padded, labels, stride, start, next, seeds);
      const filled = filledArea(labels, stride, box, next);
      if (best === null || filled > best.filledArea) best = { box, filledArea: filled };
    }
  }
  return best;
}

/**
 * Label the 8-connected component of `seed` with `label`, a row run at a time (scanline fill):
 * a run is extended to its ends, labelled, and the rows above and below are searched from one
 * pixel left of it to one pixel right for runs not labelled yet. Returns the bounding box in image
 * coordinates (exclusive ends).
 */
function labelComponent(padded, labels, stride, seed, label, seeds) {
  let x0 = stride;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  seeds.push(seed);
  while (seeds.length > 0) {
    const p = seeds.pop();
    if (labels[p] !== 0) continue; // reached through another run since it was queued
    let left = p;
    let right = p;
    while (padded[left - 1] !== 0) left--; // the zero frame stops every run
    while (padded[right + 1] !== 0) right++;
    labels.fill(label, left, right + 1);
    const row = Math.floor(left / stride);
    const lx = left - row * stride;
    if (lx < x0) x0 = lx;
    if (right - row * stride > x1) x1 = right - row * stride;
    if (row < y0) y0 = row;
    if (row > y1) y1 = row;
    for (const from of [left - 1 - stride, left - 1 + stride]) {
      const to = from + right - left + 2;
      for (let q = from; q <= to; q++) {
        if (padded[q] === 0) continue;
        if (labels[q] === 0) seeds.push(q);
        while (q < to && padded[q + 1] !== 0) q++; // one seed per run
      }
    }
  }
  return [x0 - 1, y0 - 1, x1, y1]; // padded -> image coordinates, exclusive ends
}

/** The area, whole-image and aspect-ratio rules: the box if they all hold, else null. */
function accept(region, width, height, crop) {
  const fraction = region.filledArea / (width * height);
  if (fraction < crop.minAreaFraction || fraction > crop.maxAreaFraction) return null;
  const [x0, y0, x1, y1] = region.box;
  if (x0 === 0 && y0 === 0 && x1 === width && y1 === height) return null;
  const w = x1 - x0;
  const h = y1 - y0;
  if (Math.max(w, h) / Math.min(w, h) > crop.maxAspectRatio) return null;
  return region.box;
}

/**
 * The crop box `[x0, y0, x1, y1]` (exclusive ends) for `image`, or null when the rules keep the
 * whole image or the crop is disabled.
 */
export function circleCropBox(image, crop) {
  if (!crop.enabled) return null;
  const region = largestRegion(closedMask(image, crop), image.width, image.height);
  return region === null ? null : accept(region, image.width, image.height, crop);
}
