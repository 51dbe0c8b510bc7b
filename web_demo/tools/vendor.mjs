// Copy the browser runtimes' files from node_modules into vendor/, so the page is a plain static
// folder: no CDN and no bundler. Runs after `npm ci` (postinstall).
//   vendor/ort/     ONNX Runtime Web's WASM build (ORT fetches the .jsep variant too on some paths)
//   vendor/litert/  LiteRT.js (core.js, wasm-utils.js, wasm/): the page's import map resolves
//                   core.js's one bare import, '@litertjs/wasm-utils', to wasm-utils.js
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function need(path) {
  if (!existsSync(path)) {
    console.error(`vendor: ${path} not found; run npm ci in ${root}`);
    process.exit(1);
  }
  return path;
}

const ortDist = need(join(modules, 'onnxruntime-web', 'dist'));
const ort = fresh(join(root, 'vendor', 'ort'));
const wanted = (name) => name === 'ort.wasm.min.mjs' || /^ort-wasm-simd-threaded(\.jsep)?\.(mjs|wasm)$/.test(name);
const ortFiles = readdirSync(ortDist).filter(wanted);
for (const name of ortFiles) copyFileSync(join(ortDist, name), join(ort, name));
need(join(ort, 'ort.wasm.min.mjs'));

const litert = fresh(join(root, 'vendor', 'litert'));
copyFileSync(need(join(modules, '@litertjs', 'core', 'dist', 'index.js')), join(litert, 'core.js'));
copyFileSync(need(join(modules, '@litertjs', 'wasm-utils', 'dist', 'index.js')), join(litert, 'wasm-utils.js'));
cpSync(need(join(modules, '@litertjs', 'core', 'wasm')), join(litert, 'wasm'), { recursive: true });
console.error(`vendor: copied ${ortFiles.length} ONNX Runtime Web files to ${ort} and LiteRT.js to ${litert}`);
