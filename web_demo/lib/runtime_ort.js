// ONNX Runtime Web, WASM backend, for .onnx files. ORT reads numThreads once, at its first session,
// and lowers it to 1 when the page is not cross-origin isolated; its pool starts threads - 1
// workers (the calling thread is the last one).

import * as ort from '../vendor/ort/ort.wasm.min.mjs';

export const FORMAT = 'onnx-web';

/** Open `bytes`; returns the runtime's name, a `run(Float32Array, shape)` and its thread facts. */
export async function open(bytes, threads, workersStarted) {
  ort.env.wasm.wasmPaths = new URL('../vendor/ort/', import.meta.url).href;
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  return {
    runtime: `onnxruntime-web ${ort.env.versions?.web ?? ''} wasm`.trim(),
    effectiveThreads: () => ort.env.wasm.numThreads,
    observedThreads: () => workersStarted() + 1,
    async run(tensor, shape) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', tensor, shape) });
      return Float32Array.from(out[outputName].data);
    },
  };
}
