// Preprocessing version 2 against the golden vectors the Python runtime wrote (tests/golden/
// vectors_v2.json): the reduction factor, the reduced image, its grey image and closed mask, the
// crop box and the resized image must all be identical, byte for byte. The large images (12 MP,
// 4001 x 2999, ...) are drawn from the integer formula in procedural.mjs instead of being stored.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';

import { BoxReducer, boxReduce, closedMask, cropAndResize, fromRgba, grey, parseSpec, reductionFactor, toTensor } from '../core/index.js';
import { proceduralImage } from '../tools/procedural.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = process.env.HIERATTN_GOLDEN_DIR ?? join(here, '..', '..', 'tests', 'golden');
const vectors = JSON.parse(readFileSync(join(goldenDir, 'vectors_v2.json'), 'utf8'));
const spec = parseSpec(vectors.spec);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function load(c) {
  if (c.procedural) return proceduralImage(c.procedural.width, c.procedural.height);
  const png = PNG.sync.read(readFileSync(join(goldenDir, c.image)));
  return fromRgba(png.width, png.height, png.data);
}

/** The image as RGBA strips of `rows` rows, the way the page reads a decoded bitmap. */
function reduceInRgbaStrips(image, k, rows) {
  const reducer = new BoxReducer(image.width, image.height, k);
  const strip = new Uint8Array(image.width * rows * 4);
  for (let y0 = 0; y0 < image.height; y0 += rows) {
    const n = Math.min(rows, image.height - y0);
    for (let i = 0; i < image.width * n; i++) {
      const p = (y0 * image.width + i) * 3;
      strip.set(image.data.subarray(p, p + 3), i * 4);
      strip[i * 4 + 3] = 255;
    }
    reducer.addRows(strip, n, 4);
  }
  return reducer.result();
}

test('the version 2 golden set has large and odd-sized images', () => {
  assert.equal(spec.preprocessing, 2);
  assert.ok(vectors.cases.some((c) => c.width * c.height >= 12_000_000));
  assert.ok(vectors.cases.some((c) => c.width % c.reduction !== 0 && c.height % c.reduction !== 0));
  console.log(`golden v2 cases: ${vectors.cases.length}`);
});

for (const c of vectors.cases) {
  test(`golden v2 ${c.name}`, async (t) => {
    const image = load(c);
    assert.deepEqual([image.width, image.height], [c.width, c.height], 'image size');
    const k = reductionFactor(image.width, image.height, spec.inputWidth, spec.inputHeight);
    assert.equal(k, c.reduction, 'reduction factor');
    const reduced = boxReduce(image, k);

    await t.test('reduced image, grey and closed mask match bit for bit', () => {
      assert.deepEqual([reduced.width, reduced.height], [c.reduced_width, c.reduced_height]);
      assert.equal(sha256(reduced.data), c.reduced_sha256, 'reduced image');
      assert.equal(sha256(grey(reduced)), c.grey_sha256, 'grey');
      assert.equal(sha256(closedMask(reduced, spec.crop)), c.mask_after_closing_sha256, 'mask after closing');
    });

    await t.test('strips of RGBA rows reduce to the same bytes', () => {
      assert.equal(sha256(reduceInRgbaStrips(image, k, 7).data), c.reduced_sha256);
    });

    const { cropBox, resized } = cropAndResize(image, spec);
    await t.test('crop box and resized image are identical', () => {
      assert.deepEqual(cropBox, c.crop_box);
      assert.equal(sha256(resized.data), c.resized_sha256);
    });

    await t.test('tensor samples and channel means', () => {
      const tensor = toTensor(resized, spec);
      const { inputHeight: h, inputWidth: w } = spec;
      const at = (ch, y, x) => (spec.layout === 'NCHW' ? tensor[(ch * h + y) * w + x] : tensor[(y * w + x) * 3 + ch]);
      for (const s of c.samples) assert.equal(at(s.c, s.y, s.x), Math.fround(s.value), `sample ${JSON.stringify(s)}`);
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += at(ch, y, x);
        assert.ok(Math.abs(sum / (w * h) - c.tensor_mean[ch]) <= 1e-6, `channel ${ch} mean`);
      }
    });
  });
}
