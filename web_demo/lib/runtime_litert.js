// LiteRT.js (XNNPACK in WebAssembly) for .tflite files. The threaded WASM build needs a
// cross-origin isolated page; its pool starts one worker per thread.

import { loadAndCompile, loadLiteRt, Tensor } from '../vendor/litert/core.js';

export const FORMAT = 'tflite-web';
const VERSION = '2.5.3'; // @litertjs/core, pinned in package.json (a test keeps them equal)
let loaded = null;

/** Open `bytes`; returns the runtime's name, a `run(Float32Array, shape)` and its thread facts. */
export async function open(bytes, threads, workersStarted) {
  const threaded = threads > 1 && Boolean(globalThis.crossOriginIsolated);
  loaded ??= loadLiteRt(new URL('../vendor/litert/wasm/', import.meta.url).href, { threads: threaded });
  await loaded;
  const effective = threaded ? threads : 1;
  const model = await loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: effective } });
  return {
    runtime: `litert.js ${VERSION} wasm`,
    effectiveThreads: () => effective,
    observedThreads: () => Math.max(workersStarted(), 1),
    async run(tensor, shape) {
      const input = new Tensor(tensor, shape);
      try {
        const [output] = await model.run(input);
        try {
          return Float32Array.from(await output.data());
        } finally {
          output.delete();
        }
      } finally {
        input.delete();
      }
    },
  };
}
