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

/**
 * One dilation (max) or erosion (min) with a k x k window anchored at k // 2, positions outside the
 * image ignored. A rectangular window is separable: rows first, then columns, same result.
 */
function morph(src, width, height, k, dilate) {
  return reduceAxis(reduceAxis(src, width, height, k, dilate, true), width, height, k, dilate, false);
}

/**
 * `out[i] = max/min of src[i - anchor .. i - anchor + k - 1]` along x (`horizontal`) or y, by
 * combining whole shifted rows (sequential memory access, as runtime/crop.py does with arrays).
 * The window always contains `i` itself (0 <= anchor < k), so `out` starts as a copy of `src`.
 */
function reduceAxis(src, width, height, k, dilate, horizontal) {
  const anchor = k >> 1;
  const out = src.slice();
  for (let step = 0; step < k; step++) {
    const shift = step - anchor; // out[i] combines src[i + shift]
    const n = horizontal ? width : height;
    if (shift === 0 || Math.abs(shift) >= n) continue;
    const lo = Math.max(0, -shift);
    const hi = n - Math.max(0, shift);
    if (horizontal) {
      for (let row = 0; row < src.length; row += width) {
        const a = row + lo;
        const b = row + hi;
        if (dilate) for (let i = a; i < b; i++) out[i] |= src[i + shift];
        else for (let i = a; i < b; i++) out[i] &= src[i + shift];
      }
    } else {
      const offset = shift * width;
      const a = lo * width;
      const b = hi * width;
      if (dilate) for (let i = a; i < b; i++) out[i] |= src[i + offset];
      else for (let i = a; i < b; i++) out[i] &= src[i + offset];
    }
  }
  return out;
}

/** Mask of `grey > threshold` after the closing (dilations, then as many erosions); 0/1 bytes. */
export function closedMask(image, crop) {
  const g = grey(image);
  let mask = new Uint8Array(g.length);
  for (let i = 0; i < g.length; i++) mask[i] = g[i] > crop.threshold ? 1 : 0;
  for (let i = 0; i < crop.closingIterations; i++) mask = morph(mask, image.width, image.height, crop.closingKernel, true);
  for (let i = 0; i < crop.closingIterations; i++) mask = morph(mask, image.width, image.height, crop.closingKernel, false);
  return mask;
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
  const stack = new Int32Array(mask.length);
  const neighbours = [-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1];
  let best = null;
  let next = 0;
  for (let y = 0; y < height; y++) {
    for (let start = (y + 1) * stride + 1, end = start + width; start < end; start++) {
      if (padded[start] === 0 || labels[start] !== 0) continue;
      next++;
      let x0 = start - (y + 1) * stride; // padded coordinates
      let x1 = x0;
      let y0 = y + 1;
      let y1 = y0;
      let top = 0;
      stack[top++] = start;
      labels[start] = next;
      while (top > 0) {
        const p = stack[--top];
        const px = p % stride;
        const py = (p - px) / stride;
        if (px < x0) x0 = px;
        if (px > x1) x1 = px;
        if (py < y0) y0 = py;
        if (py > y1) y1 = py;
        for (let d = 0; d < 8; d++) {
          const q = p + neighbours[d];
          if (padded[q] !== 0 && labels[q] === 0) {
            labels[q] = next;
            stack[top++] = q;
          }
        }
      }
      const box = [x0 - 1, y0 - 1, x1, y1]; // image coordinates, exclusive ends
      const filled = filledArea(labels, stride, box, next);
      if (best === null || filled > best.filledArea) best = { box, filledArea: filled };
    }
  }
  return best;
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
