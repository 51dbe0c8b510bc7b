// The page: load the model and its sidecar, take a photo, show crop, top-3, referral and timing.
// Views only render; the work is in lib/ (decode, model, pipeline, bench) and core/ (preprocessing).
// Query parameters: model=<url of the .onnx or .tflite, sidecar at url + ".json"> (default models/model.onnx),
// threads=<n>, bench=1 (run the benchmark at load), warmup=<n>, iters=<n>.

import { parseSpecJson } from './core/index.js';
import { installAutomation } from './lib/automation.js';
import { benchmark } from './lib/bench.js';
import { createModel, defaultThreads, fetchModel, fetchSpec } from './lib/model.js';
import { analyseBlob } from './lib/pipeline.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
let model = null;

function positiveInt(name, fallback) {
  const v = Number.parseInt(params.get(name) ?? '', 10);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function setStatus(el, text, state = 'ok') {
  el.textContent = text;
  el.dataset.state = state;
}

async function loadModel(bytes, spec, name) {
  model = await createModel(bytes, spec, positiveInt('threads', defaultThreads()), name);
  model.info = { name, arch: spec.arch, precision: spec.precision, format: model.format, classes: spec.classNames.length };
  const t = model.threads();
  setStatus($('model-status'),
    `${name}: ${spec.arch || 'model'} ${spec.precision}, ${spec.classNames.length} classes, input ${spec.inputWidth}x${spec.inputHeight}; ` +
    `${model.runtime}, ${t.effective} thread(s)${t.crossOriginIsolated ? '' : ' (page not cross-origin isolated: single thread)'}`, 'ready');
  $('bench-run').disabled = false;
}

async function loadFromUrl() {
  const url = params.get('model') ?? 'models/model.onnx';
  const [spec, bytes] = await Promise.all([fetchSpec(url), fetchModel(url)]);
  await loadModel(bytes, spec, url.split('/').pop());
}

async function loadFromFiles(files) {
  const file = files.find((f) => /\.(onnx|tflite)$/i.test(f.name));
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!file || !json) throw new Error('choose the .onnx or .tflite file and its .json sidecar together');
  const spec = parseSpecJson(await json.text());
  await loadModel(new Uint8Array(await file.arrayBuffer()), spec, file.name);
}

function drawPhoto(bitmap, box) {
  const canvas = $('view');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  if (box) {
    ctx.strokeStyle = '#00d000';
    ctx.lineWidth = Math.max(2, Math.round(Math.min(bitmap.width, bitmap.height) / 150));
    ctx.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
  }
}

function drawInput(resized) {
  const canvas = $('input');
  canvas.width = resized.width;
  canvas.height = resized.height;
  const rgba = new ImageData(resized.width, resized.height);
  for (let i = 0, j = 0; i < resized.data.length; i += 3, j += 4) {
    rgba.data.set(resized.data.subarray(i, i + 3), j);
    rgba.data[j + 3] = 255;
  }
  canvas.getContext('2d').putImageData(rgba, 0, 0);
}

function render(out) {
  const { result, cropBox, timings } = out;
  drawPhoto(out.bitmap, cropBox);
  drawInput(out.resized);
  out.bitmap.close();
  const box = $('crop-box');
  box.textContent = cropBox ? `x ${cropBox[0]}-${cropBox[2]}, y ${cropBox[1]}-${cropBox[3]}` : 'none (whole image)';
  box.dataset.box = JSON.stringify(cropBox);
  $('input-size').textContent = `${out.resized.width}x${out.resized.height}`;
  $('top').replaceChildren(...result.top.map((t, rank) => {
    const li = document.createElement('li');
    li.textContent = `${t.label} ${(100 * t.probability).toFixed(1)}%`;
    li.dataset.label = t.label;
    li.dataset.probability = String(t.probability);
    li.dataset.rank = String(rank + 1);
    return li;
  }));
  const referral = $('referral');
  referral.textContent = `Referral (the paper's rule, not clinical advice): ${result.referral.message}`;
  referral.dataset.triggered = String(result.referral.triggered);
  $('timing').textContent = `decode ${timings.decode_ms.toFixed(0)} ms, preprocessing ${timings.preprocess_ms.toFixed(0)} ms, ` +
    `inference ${timings.inference_ms.toFixed(1)} ms (${out.width}x${out.height} photo)`;
  $('disclaimer').textContent = result.disclaimer;
  $('result').hidden = false;
}

async function onPhoto(file) {
  if (!file) return;
  if (!model) return setStatus($('status'), 'the model is not loaded yet', 'error');
  setStatus($('status'), `analysing ${file.name}...`, 'busy');
  try {
    render(await analyseBlob(model, file, file.name));
    setStatus($('status'), file.name, 'done');
  } catch (err) {
    setStatus($('status'), err.message, 'error');
  }
}

async function runBenchmark() {
  const button = $('bench-run');
  button.disabled = true;
  const warmup = positiveInt('warmup', 10);
  const iters = positiveInt('iters', 50);
  try {
    const out = await benchmark(model, { warmup, iters, onProgress: (i, n) => { $('bench-result').textContent = `run ${i}/${n}`; } });
    const s = out.stats;
    $('bench-result').textContent = [
      `${model.info.name} (${model.info.precision}), ${out.runtime}, threads ${out.threads.effective} (requested ${out.threads.requested})`,
      `median ${s.median_ms.toFixed(1)} ms, p90 ${s.p90_ms.toFixed(1)} ms, mean ${s.mean_ms.toFixed(1)} ms, min ${s.min_ms.toFixed(1)} ms (${iters} runs after ${warmup} warm-up)`,
      out.userAgent,
    ].join('\n');
    $('bench-result').dataset.report = JSON.stringify({ ...out, model: model.info });
  } catch (err) {
    $('bench-result').textContent = `benchmark failed: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

$('photo').addEventListener('change', (e) => onPhoto(e.target.files[0]));
$('camera').addEventListener('change', (e) => onPhoto(e.target.files[0]));
$('bench-run').addEventListener('click', runBenchmark);
$('model-files').addEventListener('change', (e) => {
  loadFromFiles([...e.target.files]).catch((err) => setStatus($('model-status'), err.message, 'error'));
});
installAutomation(() => model);

loadFromUrl()
  .then(() => (params.get('bench') === '1' ? runBenchmark() : undefined))
  .catch((err) => setStatus($('model-status'), `${err.message}. Choose a model with the button below.`, 'error'));
