// Photo file -> RGB image with the browser's own decoder, EXIF orientation applied
// (createImageBitmap's imageOrientation 'from-image'), no colour management
// (colorSpaceConversion 'none', as Pillow, which ignores embedded ICC profiles).

import { fromRgba } from '../core/index.js';

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
 * Decode a Blob (file picker, fetch) to `{width, height, data}` RGB bytes, plus the bitmap for display.
 * Alpha is dropped, colours kept as stored; a canvas stores premultiplied colour, so semi-transparent
 * pixels can differ from Pillow's by rounding (photos have no alpha).
 */
export async function decodeImage(blob, name = 'image') {
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
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
  return { image: fromRgba(width, height, rgba), bitmap };
}
