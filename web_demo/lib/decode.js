// Photo file -> RGB image with the browser's own decoder, EXIF orientation applied
// (createImageBitmap's imageOrientation 'from-image'), no colour management
// (colorSpaceConversion 'none', as Pillow, which ignores embedded ICC profiles).
// The decoded bitmap is read back in strips of rows straight into the core's BoxReducer
// (preprocessing version 2 reduces by k there), so no full-size pixel array exists in JS.

import { BoxReducer, reductionFactor } from '../core/index.js';

/** Rows read back from the bitmap at a time: about 1 MB of RGBA for a 4000-pixel-wide photo. */
export const STRIP_ROWS = 64;

/** Images above this many pixels are refused, as by the Python runtime (docs/preprocessing.md). */
export const MAX_PIXELS = 100_000_000;

/** A file the browser cannot decode, or one too large to accept. */
export class InvalidImageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidImageError';
  }
}

/**
 * Decode a Blob (file picker, fetch) for `spec`'s model: `{image, reduction, width, height, bitmap,
 * pixelBytes}`, where `image` is the RGB image reduced by `reduction` (docs/preprocessing.md,
 * version 2; 1 for version 1) from the `width x height` photo, and `pixelBytes` the JS pixel buffers
 * this held at once (one RGBA strip and the reduced image). Alpha is dropped, colours kept as
 * stored; a canvas stores premultiplied colour, so semi-transparent pixels can differ from Pillow's
 * by rounding (photos have no alpha).
 */
export async function decodeImage(blob, name = 'image', spec = null) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new InvalidImageError(`${name}: the browser cannot decode this file as an image (${err.message}).`);
  }
  const { width, height } = bitmap;
  if (width * height > MAX_PIXELS) {
    bitmap.close();
    throw new InvalidImageError(`${name}: ${width} x ${height} is more than ${MAX_PIXELS} pixels; refused.`);
  }
  const k = spec !== null && spec.preprocessing >= 2 ? reductionFactor(width, height, spec.inputWidth, spec.inputHeight) : 1;
  const decodedAt = performance.now();
  const rows = Math.min(STRIP_ROWS, height);
  const canvas = new OffscreenCanvas(width, rows);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  const reducer = new BoxReducer(width, height, k);
  for (let y = 0; y < height; y += rows) {
    const n = Math.min(rows, height - y);
    ctx.clearRect(0, 0, width, rows);
    ctx.drawImage(bitmap, 0, y, width, n, 0, 0, width, n);
    reducer.addRows(ctx.getImageData(0, 0, width, n, { colorSpace: 'srgb' }).data, n, 4);
  }
  const image = reducer.result();
  const pixelBytes = width * rows * 4 + image.data.length;
  return { image, reduction: k, width, height, bitmap, pixelBytes, readMs: performance.now() - decodedAt };
}
