// The large golden images, drawn from the same integer formula as the Python runtime's
// (docs/preprocessing.md, "Golden vectors"), so no multi-megabyte file is committed.
import { rgbImage } from '../core/index.js';

/** A dermoscopy-like RGB image: textured disc, darker lesion, dark vignette. */
export function proceduralImage(width, height) {
  const side = Math.min(width, height);
  const cx = Math.floor((width * 11) / 20);
  const cy = Math.floor((height * 9) / 20);
  const r = Math.floor((side * 2) / 5);
  const lx = Math.floor(width / 2);
  const ly = Math.floor(height / 2);
  const lr = Math.floor(side / 8);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0, p = 0; y < height; y++) {
    const dy = 2 * y + 1 - 2 * cy;
    for (let x = 0; x < width; x++, p += 3) {
      const noise = (x * x * 31 + y * y * 17 + x * y * 7) % 29;
      const dx = 2 * x + 1 - 2 * cx;
      if (dx * dx + dy * dy <= 4 * r * r) {
        if ((x - lx) ** 2 * 4 + (y - ly) ** 2 * 5 < 4 * lr * lr) {
          out[p] = 100 + noise;
          out[p + 1] = 62 + noise;
          out[p + 2] = 50 + noise;
        } else {
          const ramp = Math.floor(((x + 2 * y) * 24) / (width + 2 * height));
          out[p] = 176 + noise + ramp;
          out[p + 1] = 128 + noise + ramp;
          out[p + 2] = 108 + noise + ramp;
        }
      } else {
        const v = (x * 13 + y * 7) % 12;
        out[p] = v;
        out[p + 1] = v;
        out[p + 2] = v;
      }
    }
  }
  return rgbImage(width, height, out);
}
