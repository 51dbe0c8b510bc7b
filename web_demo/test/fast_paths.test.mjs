// The core's fast paths (32-bit word masks and box sums, scanline component labelling) against
// plain per-pixel definitions of the same steps, on random images of awkward sizes. The golden
// vectors pin the real images; these cover the shapes and parameters they do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BoxReducer, closedMask, largestRegion, rgbImage } from '../core/index.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Grey > threshold, then OpenCV-style closing one k x k window at a time (outside ignored). */
function referenceClosedMask(image, crop) {
  const { width, height, data } = image;
  let mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    const g = (4899 * data[3 * i] + 9617 * data[3 * i + 1] + 1868 * data[3 * i + 2] + 8192) >> 14;
    mask[i] = g > crop.threshold ? 1 : 0;
  }
  const k = crop.closingKernel;
  const anchor = k >> 1;
  const step = (src, dilate) => {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = dilate ? 0 : 1;
        for (let dy = -anchor; dy < k - anchor; dy++) {
          for (let dx = -anchor; dx < k - anchor; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            acc = dilate ? acc | src[yy * width + xx] : acc & src[yy * width + xx];
          }
        }
        out[y * width + x] = acc;
      }
    }
    return out;
  };
  for (let i = 0; i < crop.closingIterations; i++) mask = step(mask, true);
  for (let i = 0; i < crop.closingIterations; i++) mask = step(mask, false);
  return mask;
}

/** Blobby random images: dark background with bright discs, so masks have holes and islands. */
function blobImage(width, height, random) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 60);
  for (let n = 0; n < 1 + Math.floor(random() * 5); n++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = 1 + random() * Math.max(width, height) / 2;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 < r * r && random() < 0.9) data.fill(40 + Math.floor(random() * 216), 3 * (y * width + x), 3 * (y * width + x) + 3);
      }
    }
  }
  return rgbImage(width, height, data);
}

test('closed mask equals the per-pixel closing for every kernel, iteration count and width', () => {
  const random = rng(7);
  for (let trial = 0; trial < 120; trial++) {
    const width = 1 + Math.floor(random() * 23);
    const height = 1 + Math.floor(random() * 17);
    const image = blobImage(width, height, random);
    const crop = { threshold: 30 + Math.floor(random() * 40), closingKernel: 1 + Math.floor(random() * 4), closingIterations: Math.floor(random() * 4) };
    assert.deepEqual(closedMask(image, crop), referenceClosedMask(image, crop), `${width}x${height} ${JSON.stringify(crop)}`);
  }
});

/** Largest filled 8-connected component by a per-pixel flood, holes found by flooding the outside. */
function referenceRegion(mask, width, height) {
  const label = new Int32Array(mask.length).fill(-1);
  let best = null;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const pixels = [start];
    label[start] = start;
    for (let i = 0; i < pixels.length; i++) {
      const x = pixels[i] % width;
      const y = Math.floor(pixels[i] / width);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const q = yy * width + xx;
          if (mask[q] && label[q] < 0) { label[q] = start; pixels.push(q); }
        }
      }
    }
    const xs = pixels.map((p) => p % width);
    const ys = pixels.map((p) => Math.floor(p / width));
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs) + 1, Math.max(...ys) + 1];
    // outside: 4-connected non-component pixels reachable from beyond the box
    const [x0, y0, x1, y1] = box;
    const inside = (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1;
    const outside = new Set();
    const queue = [];
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      if (label[y * width + x] === start) continue;
      if (x === x0 || x === x1 - 1 || y === y0 || y === y1 - 1) { outside.add(y * width + x); queue.push([x, y]); }
    }
    while (queue.length) {
      const [x, y] = queue.pop();
      for (const [xx, yy] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]]) {
        const q = yy * width + xx;
        if (inside(xx, yy) && label[q] !== start && !outside.has(q)) { outside.add(q); queue.push([xx, yy]); }
      }
    }
    const filled = (x1 - x0) * (y1 - y0) - outside.size;
    if (best === null || filled > best.filledArea) best = { box, filledArea: filled };
  }
  return best;
}

test('scanline labelling finds the same largest filled region as a per-pixel flood', () => {
  const random = rng(11);
  for (let trial = 0; trial < 200; trial++) {
    const width = 1 + Math.floor(random() * 30);
    const height = 1 + Math.floor(random() * 30);
    const density = random();
    const mask = Uint8Array.from({ length: width * height }, () => (random() < density ? 1 : 0));
    assert.deepEqual(largestRegion(mask, width, height), referenceRegion(mask, width, height), `${width}x${height} trial ${trial}`);
  }
});

test('RGBA strips through the packed 32-bit path give the RGB path\'s block means', () => {
  const random = rng(5);
  for (const k of [1, 2, 3, 4, 8, 12, 16, 32]) {
    for (const [width, height] of [[1, 1], [7, 5], [33, 17], [k * 3, k * 2], [k * 3 + 1, k * 2 + 1]]) {
      const rgb = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0; i < width * height; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
      const plain = new BoxReducer(width, height, k);
      plain.addRows(rgb, height);
      const packed = new BoxReducer(width, height, k);
      for (let y = 0; y < height; y += 3) packed.addRows(rgba.subarray(4 * y * width), Math.min(3, height - y), 4);
      // a strip that starts off a word boundary takes the byte path; same result
      const shifted = new Uint8Array(rgba.length + 1);
      shifted.set(rgba, 1);
      const unaligned = new BoxReducer(width, height, k);
      unaligned.addRows(shifted, height, 4, 1);
      assert.deepEqual(packed.result().data, plain.result().data, `k=${k} ${width}x${height}`);
      assert.deepEqual(unaligned.result().data, plain.result().data, `unaligned k=${k} ${width}x${height}`);
    }
  }
});
