// Copy ONNX Runtime Web's browser files from node_modules into vendor/ort/, so the page is a plain
// static folder: no CDN and no bundler. Runs after `npm ci` (postinstall).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const target = join(root, 'vendor', 'ort');
// the WASM build and its runtime files (ORT fetches the .jsep variant too on some paths)
const wanted = (name) => /^ort\.wasm\.min\.mjs$/.test(name) || /^ort-wasm-simd-threaded(\.jsep)?\.(mjs|wasm)$/.test(name);

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const files = readdirSync(dist).filter(wanted);
for (const name of files) copyFileSync(join(dist, name), join(target, name));
if (!files.includes('ort.wasm.min.mjs')) {
  console.error(`vendor: ort.wasm.min.mjs not found in ${dist}; is onnxruntime-web installed?`);
  process.exit(1);
}
console.error(`vendor: copied ${files.length} ONNX Runtime Web files to ${target}`);
