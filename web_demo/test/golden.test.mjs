// The JS core against every golden vector the Python runtime wrote (tests/golden): identical grey
// image, closed mask and crop box; resized pixels and tensor samples within 1/255.
// The folder can be overridden with HIERATTN_GOLDEN_DIR (a test regenerates a changed set there);
// every expected value, the spec included, comes from its files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';

import { closedMask, cropAndResize, fromRgba, grey, parseSpec, toTensor } from '../core/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = process.env.HIERATTN_GOLDEN_DIR ?? join(here, '..', '..', 'tests', 'golden');
const vectors = JSON.parse(readFileSync(join(goldenDir, 'vectors.json'), 'utf8'));
const spec = parseSpec(vectors.spec);

function decodePng(relative) {
  const png = PNG.sync.read(readFileSync(join(goldenDir, relative)));
  return fromRgba(png.width, png.height, png.data);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('the golden set is not empty', () => {
  assert.ok(vectors.cases.length > 0);
  console.log(`golden cases: ${vectors.cases.length}`);
});

for (const c of vectors.cases) {
  test(`golden ${c.name}`, async (t) => {
    const image = decodePng(c.image);
    assert.deepEqual([image.width, image.height], [c.width, c.height], 'image size');

    await t.test('grey and closed mask match bit for bit', () => {
      assert.equal(sha256(grey(image)), c.grey_sha256, 'grey');
      assert.equal(sha256(closedMask(image, spec.crop)), c.mask_after_closing_sha256, 'mask after closing');
    });

    const { cropBox, resized } = cropAndResize(image, spec);
    await t.test('crop box is identical', () => {
      assert.deepEqual(cropBox, c.crop_box);
    });

    await t.test('resized pixels within one level', () => {
      const expected = decodePng(c.resized);
      assert.deepEqual([resized.width, resized.height], [expected.width, expected.height]);
      let worst = 0;
      for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(expected.data[i] - resized.data[i]));
      assert.ok(worst <= 1, `resized pixels differ by up to ${worst} levels (allowed: 1)`);
    });

    await t.test('tensor samples and channel means within one level', () => {
      const tensor = toTensor(resized, spec);
      const { inputHeight: h, inputWidth: w } = spec;
      const at = (ch, y, x) => (spec.layout === 'NCHW' ? tensor[(ch * h + y) * w + x] : tensor[(y * w + x) * 3 + ch]);
      for (const s of c.samples) {
        assert.ok(Math.abs(at(s.c, s.y, s.x) - s.value) <= spec.scale + 1e-7, `sample ${JSON.stringify(s)}: ${at(s.c, s.y, s.x)}`);
      }
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += at(ch, y, x);
        assert.ok(Math.abs(sum / (w * h) - c.tensor_mean[ch]) <= spec.scale, `channel ${ch} mean`);
      }
    });
  });
}
