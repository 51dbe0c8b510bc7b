// The exported ONNX model run by ONNX Runtime Web's WASM backend, with its sidecar spec.
// The runtime files are served from vendor/ort/ next to the page (tools/vendor.mjs copies them),
// so nothing is fetched from a CDN. Threads need a cross-origin isolated page (COOP/COEP headers);
// without them ORT runs one thread and `threads` says so.

import * as ort from '../vendor/ort/ort.wasm.min.mjs';

import { inputShape, parseSpecJson } from '../core/index.js';

let workersStarted = 0;
// Count the Web Workers ORT starts for its thread pool: the proof that threads were really used.
if (typeof globalThis.Worker === 'function' && !globalThis.Worker.hierattnCounted) {
  const Native = globalThis.Worker;
  globalThis.Worker = class extends Native {
    static hierattnCounted = true;
    constructor(...args) {
      super(...args);
      workersStarted++;
    }
  };
}

/** Threads to ask for by default: all cores (up to 4) when isolated, else 1. */
export function defaultThreads() {
  return globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
}

async function fetchBytes(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`cannot fetch the ${what} ${url}: ${err.message}`);
  }
  if (!response.ok) throw new Error(`cannot fetch the ${what} ${url}: HTTP ${response.status}`);
  return response;
}

/** Load sidecar text from a URL (`<model>.json` next to the model). */
export async function fetchSpec(modelUrl) {
  const url = `${modelUrl}.json`;
  return parseSpecJson(await (await fetchBytes(url, 'model metadata')).text());
}

/** Model bytes from a URL. */
export async function fetchModel(modelUrl) {
  return new Uint8Array(await (await fetchBytes(modelUrl, 'model')).arrayBuffer());
}

/**
 * Create a session for `bytes` (an .onnx file) with `threads` WASM threads.
 * ORT reads numThreads once, at its first session: later calls keep the first value.
 */
export async function createModel(bytes, spec, threads) {
  ort.env.wasm.wasmPaths = new URL('../vendor/ort/', import.meta.url).href;
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const loadMs = performance.now() - t0;
  const shape = inputShape(spec);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  return {
    spec,
    loadMs,
    sizeBytes: bytes.byteLength,
    /** What actually runs: requested threads, what ORT kept, isolation, workers started. */
    threads: () => ({
      requested: threads,
      effective: ort.env.wasm.numThreads,
      crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
      workers: workersStarted,
    }),
    runtime: `onnxruntime-web ${ort.env.versions?.web ?? ''} wasm`.trim(),
    /** Run one input; returns the logits (Float32Array) and the wall time of `session.run` in ms. */
    async run(tensor) {
      const feeds = { [inputName]: new ort.Tensor('float32', tensor, shape) };
      const t0 = performance.now();
      const out = await session.run(feeds);
      const ms = performance.now() - t0;
      return { logits: Float32Array.from(out[outputName].data), ms };
    },
  };
}
