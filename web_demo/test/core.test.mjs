// Unit tests of the parts the golden vectors do not pin down: sidecar parsing, the tensor layout,
// softmax, top-k and the referral rule (wording as the Python runtime's).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { classify, inputShape, MetadataError, parseSpec, parseSpecJson, reductionFactor, referral, rgbImage, scaleBox, softmax, toTensor, topK } from '../core/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const sidecar = readFileSync(join(here, '..', '..', 'runtime', 'assets', 'default', 'hierattn_xs_demo.onnx.json'), 'utf8');

test('the bundled sidecar parses; every field comes from it', () => {
  const spec = parseSpecJson(sidecar);
  const raw = JSON.parse(sidecar);
  assert.deepEqual([spec.inputHeight, spec.inputWidth], raw.input_size);
  assert.deepEqual(spec.classNames, raw.class_names);
  assert.equal(spec.crop.threshold, raw.crop.threshold);
  assert.equal(spec.scale, raw.scale);
});

test('bad sidecars fail with a message naming the field', () => {
  const raw = JSON.parse(sidecar);
  assert.throws(() => parseSpecJson('{nope'), MetadataError);
  assert.throws(() => parseSpec({ ...raw, format_version: 99 }), /newer than this page understands/);
  assert.throws(() => parseSpec({ ...raw, layout: 'CHW' }), /layout 'CHW'/);
  assert.throws(() => parseSpec({ ...raw, input_size: [256] }), /input_size/);
  assert.throws(() => parseSpec({ ...raw, crop: { ...raw.crop, threshold: 'x' } }), /'threshold'/);
  assert.throws(() => parseSpec({ ...raw, class_names: [] }), /class_names/);
});

test('tensor layout follows the spec: NCHW planes or NHWC interleaved', () => {
  const base = parseSpec({ ...JSON.parse(sidecar), input_size: [1, 2] });
  const image = rgbImage(2, 1, Uint8Array.from([255, 0, 51, 102, 153, 204]));
  assert.deepEqual(inputShape(base), [1, 3, 1, 2]);
  assert.deepEqual(Array.from(toTensor(image, base)), [255, 102, 0, 153, 51, 204].map((v) => Math.fround(v / 255)));
  const nhwc = parseSpec({ ...JSON.parse(sidecar), input_size: [1, 2], layout: 'NHWC' });
  assert.deepEqual(inputShape(nhwc), [1, 1, 2, 3]);
  assert.deepEqual(Array.from(toTensor(image, nhwc)), [255, 0, 51, 102, 153, 204].map((v) => Math.fround(v / 255)));
  assert.throws(() => toTensor(rgbImage(3, 1), base), /expects 2 x 1/);
});

test('u8 * scale in float32 equals u8 / 255f for every level', () => {
  const spec = parseSpecJson(sidecar);
  const image = rgbImage(256, 1, Uint8Array.from({ length: 768 }, (_, i) => Math.floor(i / 3)));
  const values = toTensor(image, { ...spec, inputHeight: 1, inputWidth: 256 });
  for (let v = 0; v < 256; v++) assert.equal(values[v], Math.fround(Math.fround(v) / Math.fround(255)));
});

test('softmax is stable and sums to one', () => {
  const p = softmax(Float32Array.from([1000, 1000, 999]));
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(p[0] - p[1]) < 1e-15 && p[2] < p[0]);
});

test('top-k is most probable first and keeps output order on ties', () => {
  const top = topK([0.2, 0.4, 0.4, 0.0], ['a', 'b', 'c', 'd'], 3);
  assert.deepEqual(top.map((t) => t.label), ['b', 'c', 'a']);
  assert.equal(topK([1], ['a'], 3).length, 1);
});

test('referral: a referral class above the threshold, worded as the Python runtime', () => {
  const spec = parseSpecJson(sidecar);
  const probs = spec.classNames.map((n) => (n === 'MEL' ? 0.62 : 0.38 / 7));
  const hit = referral(probs, spec);
  assert.equal(hit.triggered, true);
  assert.deepEqual(hit.classes, ['MEL']);
  assert.equal(hit.message, 'see a clinician: MEL 0.62 above 0.5');
  const nv = spec.classNames.map((n) => (n === 'NV' ? 0.9 : 0.1 / 7));
  assert.deepEqual(referral(nv, spec), { triggered: false, classes: [], message: 'no referral class above 0.5' });
});

test('classify checks the output count against the class list', () => {
  const spec = parseSpecJson(sidecar);
  assert.throws(() => classify(new Float32Array(3), spec), /outputs 3 values but its metadata lists 8/);
  const result = classify(Float32Array.from([0, 0, 0, 0, 0, 5, 0, 0]), spec);
  assert.equal(result.label, 'NV');
  assert.match(result.disclaimer, /not a diagnosis/);
});

test('the LiteRT.js version the page reports is the pinned one', () => {
  const pinned = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')).dependencies['@litertjs/core'];
  const source = readFileSync(join(here, '..', 'lib', 'runtime_litert.js'), 'utf8');
  assert.equal(source.match(/const VERSION = '([^']+)'/)[1], pinned);
});

test('the preprocessing version: absent means 1, unknown versions are refused', () => {
  const raw = JSON.parse(sidecar);
  const { preprocessing, ...without } = raw;
  assert.equal(parseSpec(without).preprocessing, 1);
  assert.equal(parseSpec({ ...raw, preprocessing: 2 }).preprocessing, 2);
  assert.throws(() => parseSpec({ ...raw, preprocessing: 3 }), /preprocessing version 3/);
});

test('the reduction factor rule and crop boxes in full-size coordinates', () => {
  const sizes = [[320, 320], [1023, 1023], [1024, 1024], [2047, 4000], [4000, 3000], [4001, 2999], [8191, 8191], [8192, 8192]];
  assert.deepEqual(sizes.map(([w, h]) => reductionFactor(w, h, 256, 256)), [1, 1, 2, 2, 4, 4, 8, 16]);
  assert.equal(reductionFactor(4000, 3000, 320, 224), 4);
  assert.deepEqual(scaleBox([1, 2, 251, 188], 4, 1001, 750), [4, 8, 1001, 750]);
  assert.equal(scaleBox(null, 4, 10, 10), null);
});
