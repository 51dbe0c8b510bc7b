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
  const anchor = k >> 1;
  const rows = new Uint8Array(src.length);
  const out = new Uint8Array(src.length);
  for (let y = 0; y < height; y++) reduceLine(src, rows, y * width, 1, width, k, anchor, dilate);
  for (let x = 0; x < width; x++) reduceLine(rows, out, x, width, height, k, anchor, dilate);
  return out;
}

/** `dst[i] = max/min of src[i - anchor .. i - anchor + k - 1]` along one line (offset, step, length). */
function reduceLine(src, dst, offset, step, length, k, anchor, dilate) {
  for (let i = 0; i < length; i++) {
    const lo = Math.max(0, i - anchor);
    const hi = Math.min(length - 1, i - anchor + k - 1);
    let v = dilate ? 0 : 1;
    for (let j = lo, p = offset + lo * step; j <= hi; j++, p += step) {
      if (dilate ? src[p] : !src[p]) {
        v = dilate ? 1 : 0;
        break;
      }
    }
    dst[offset + i * step] = v;
  }
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
 * Everything outside the bounding box is outside the component, so flooding from a one-pixel ring
 * around the box is the same as flooding from outside the image.
 */
function filledArea(labels, width, box, label) {
  const [bx0, by0, bx1, by1] = box;
  const w = bx1 - bx0 + 2;
  const h = by1 - by0 + 2;
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  let reachedInside = 0;
  seen[0] = 1;
  stack[top++] = 0;
  while (top > 0) {
    const p = stack[--top];
    const lx = p % w;
    const ly = (p - lx) / w;
    if (lx >= 1 && lx <= w - 2 && ly >= 1 && ly <= h - 2) reachedInside++;
    for (let d = 0; d < 4; d++) {
      const nx = d === 0 ? lx + 1 : d === 1 ? lx - 1 : lx;
      const ny = d === 2 ? ly + 1 : d === 3 ? ly - 1 : ly;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const q = ny * w + nx;
      if (seen[q]) continue;
      const inBox = nx >= 1 && nx <= w - 2 && ny >= 1 && ny <= h - 2;
      if (inBox && labels[(by0 + ny - 1) * width + (bx0 + nx - 1)] === label) continue;
      seen[q] = 1;
      stack[top++] = q;
    }
  }
  return (bx1 - bx0) * (by1 - by0) - reachedInside;
}

/**
 * The 8-connected component with the largest filled area (pixels plus holes); ties go to the
 * component whose first pixel in row-major order comes first. Null for an all-zero mask.
 * @returns {{box: number[], filledArea: number} | null} box is [x0, y0, x1, y1], exclusive ends
 */
export function largestRegion(mask, width, height) {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = null;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    next++;
    let x0 = start % width;
    let x1 = x0;
    let y0 = (start - x0) / width;
    let y1 = y0;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const p = stack[--top];
      const px = p % width;
      const py = (p - px) / width;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      for (let ny = py - 1; ny <= py + 1; ny++) {
        if (ny < 0 || ny >= height) continue;
        for (let nx = px - 1; nx <= px + 1; nx++) {
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = next;
            stack[top++] = q;
          }
        }
      }
    }
    const box = [x0, y0, x1 + 1, y1 + 1];
    const filled = filledArea(labels, width, box, next);
    if (best === null || filled > best.filledArea) best = { box, filledArea: filled };
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
