// The exported model run in the browser, with its sidecar spec: .onnx files by ONNX Runtime Web,
// .tflite files by LiteRT.js, both WebAssembly on the CPU. Runtime files are served from vendor/
// next to the page (tools/vendor.mjs copies them), so nothing is fetched from a CDN. Threads need a
// cross-origin isolated page (COOP/COEP headers); without them a runtime runs one thread and
// `threads()` says so.

import { inputShape, parseSpecJson } from '../core/index.js';

let workersStarted = 0;
// Count the Web Workers the runtime starts for its thread pool: the proof that threads were used.
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

/** Load the sidecar (`<model>.json` next to the model). */
export async function fetchSpec(modelUrl) {
  return parseSpecJson(await (await fetchBytes(`${modelUrl}.json`, 'model metadata')).text());
}

/** Model bytes from a URL. */
export async function fetchModel(modelUrl) {
  return new Uint8Array(await (await fetchBytes(modelUrl, 'model')).arrayBuffer());
}

/** The runtime module for a file name: .tflite -> LiteRT.js, .onnx -> ONNX Runtime Web. */
async function runtimeFor(name) {
  if (/\.tflite$/i.test(name)) return import('./runtime_litert.js');
  if (/\.onnx$/i.test(name)) return import('./runtime_ort.js');
  throw new Error(`${name}: the page runs .onnx and .tflite files`);
}

/**
 * Create a model for `bytes` (file `name`) with `threads` WASM threads. A runtime fixes its thread
 * count when it first loads: reload the page to change it.
 */
export async function createModel(bytes, spec, threads, name) {
  const backend = await runtimeFor(name);
  const t0 = performance.now();
  const session = await backend.open(bytes, threads, () => workersStarted);
  const loadMs = performance.now() - t0;
  const shape = inputShape(spec);
  return {
    spec,
    loadMs,
    format: backend.FORMAT,
    runtime: session.runtime,
    /** What actually runs: requested threads, what the runtime kept, isolation, threads observed. */
    threads: () => ({
      requested: threads,
      effective: session.effectiveThreads(),
      crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
      workers: workersStarted,
      observed: session.observedThreads(),
    }),
    /** Run one input; returns the logits (Float32Array) and the wall time of the run in ms. */
    async run(tensor) {
      const t0 = performance.now();
      const logits = await session.run(tensor, shape);
      return { logits, ms: performance.now() - t0 };
    },
  };
}
