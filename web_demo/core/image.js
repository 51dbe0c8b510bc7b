// A decoded 8-bit RGB image: width, height and HWC row-major bytes (R, G, B per pixel).

/**
 * @param {number} width
 * @param {number} height
 * @param {Uint8Array} [data] width * height * 3 bytes; zeros when omitted
 */
export function rgbImage(width, height, data) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width} x ${height}`);
  }
  const bytes = data ?? new Uint8Array(width * height * 3);
  if (bytes.length !== width * height * 3) {
    throw new RangeError(`image ${width} x ${height} needs ${width * height * 3} bytes, got ${bytes.length}`);
  }
  return { width, height, data: bytes };
}

/**
 * RGBA bytes (canvas ImageData, PNG decoders) -> RGB; alpha is dropped, colours kept as stored
 * (docs/preprocessing.md, "Decode": no compositing).
 */
export function fromRgba(width, height, rgba) {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    out[j] = rgba[i];
    out[j + 1] = rgba[i + 1];
    out[j + 2] = rgba[i + 2];
  }
  return rgbImage(width, height, out);
}

/** The sub-image `[y0, y1) x [x0, x1)`, no padding. */
export function cropImage(image, box) {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * 3;
    out.set(image.data.subarray(src, src + w * 3), y * w * 3);
  }
  return rgbImage(w, h, out);
}
