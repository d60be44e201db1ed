// Checks a packaged .vsix: lists what it holds by area and fails when a file the extension needs at
// run time is missing, or when something that must not ship slipped in (another platform's
// onnxruntime binary, the WebAssembly runtime in a platform package, tests, sources, source maps).
// Usage: node scripts/check-vsix.mjs [file.vsix] [--target T]   (default: linux-x64's package; the
// target is read from the file name when not given)
import { readdirSync, readFileSync } from 'node:fs';
import { ALL_TARGETS, UNIVERSAL, binaryDir, runtimeFiles, vsixName } from './targets.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const args = process.argv.slice(2);
const targetFlag = args.indexOf('--target');
const positional = args.filter((_, i) => i !== targetFlag && i !== targetFlag + 1);
const file = positional[0] ?? vsixName(pkg, 'linux-x64');
const target = targetFlag >= 0 ? args[targetFlag + 1] : ALL_TARGETS.find((t) => file.endsWith(vsixName(pkg, t)));
if (!target || !ALL_TARGETS.includes(target)) {
  console.error(`check-vsix: which target is ${file}? Say --target, one of ${ALL_TARGETS.join(', ')}`);
  process.exit(2);
}

/** The zip's central directory: every entry's name and sizes. (No zip64: a .vsix stays far below 4 GB.) */
function listZip(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const compressed = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    entries.push({ name: buffer.toString('utf8', at + 46, at + 46 + nameLength), size, compressed });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const required = [
  'extension/package.json',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/workers/extract-process.js',
  'extension/dist/workers/chunk-worker.js',
  'extension/dist/workers/embed-worker.js',
  'extension/dist/workers/pool-host.js',
  'extension/dist/workers/transformers.js',
  'extension/dist/schemas/index.proto',
  'extension/models/all-MiniLM-L6-v2/config.json',
  'extension/models/all-MiniLM-L6-v2/tokenizer.json',
  'extension/models/all-MiniLM-L6-v2/tokenizer_config.json',
  'extension/models/all-MiniLM-L6-v2/onnx/model_quantized.onnx',
  'extension/models/all-MiniLM-L6-v2.static.bin',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/piscina/dist/main.js',
  'extension/node_modules/piscina/dist/worker.js',
  'extension/node_modules/pdf-parse/dist/pdf-parse/cjs/index.cjs',
  'extension/node_modules/pdf-parse/dist/pdf-parse/cjs/pdf.worker.mjs',
  'extension/node_modules/@vscode/tree-sitter-wasm/package.json',
  'extension/node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter.js',
  'extension/node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm',
  // Every grammar the installed package has (the chunker picks one by language).
  ...readdirSync(new URL('../node_modules/@vscode/tree-sitter-wasm/wasm/', import.meta.url))
    .filter((name) => name.endsWith('.wasm'))
    .map((name) => `extension/node_modules/@vscode/tree-sitter-wasm/wasm/${name}`),
  // This target's ONNX Runtime: onnxruntime-node's binary, or onnxruntime-web's WebAssembly.
  ...runtimeFiles(target)
    .filter((name) => !name.endsWith('/LICENSE'))
    .map((name) => `extension/${name.replace('dist/*.js', 'dist/index.js')}`),
];
const requiredPrefixes = ['extension/dist/webview/', 'extension/media/'];
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const forbidden = [
  ...(target === UNIVERSAL
    ? [[/\/onnxruntime-node\//, 'onnxruntime-node in the universal package']]
    : [
        [new RegExp(`/onnxruntime-node/bin/(?!${escape(binaryDir(target).replace('node_modules/onnxruntime-node/bin/', ''))}/)`), "another platform's onnxruntime binary"],
        [/\/onnxruntime-web\//, 'onnxruntime-web in a platform package (it has its native binary)'],
      ]),
  // The WebAssembly builds Quipu does not load (JSEP/WebGPU, asyncify, JSPI), and the browser bundles.
  [/\/onnxruntime-web\/dist\/(?!ort\.node\.min\.js$|ort-wasm-simd-threaded\.(mjs|wasm)$)/, 'an onnxruntime-web file Node does not load'],
  [/^extension\/(test|src|bench|scripts|\.ci|\.vscode-test|\.scratch)\//, 'tests, sources or tooling'],
  [/\.(map|ts)$/, 'source maps or TypeScript sources'],
  [/^extension\/dist\/cli\.js$/, 'the CLI bundle'],
  [/\.vsix$/, 'an older package'],
];

const entries = listZip(readFileSync(file));
const names = new Set(entries.map((entry) => entry.name));
const problems = [];
for (const name of required) if (!names.has(name)) problems.push(`missing ${name}`);
for (const prefix of requiredPrefixes) if (!entries.some((entry) => entry.name.startsWith(prefix))) problems.push(`nothing under ${prefix}`);
const shipped = new Set(runtimeFiles(target).map((name) => `extension/${name}`));
for (const { name } of entries) {
  if (target !== UNIVERSAL && name.startsWith(`extension/${binaryDir(target)}/`) && !shipped.has(name)) problems.push(`a binary Quipu does not load: ${name}`);
  for (const [pattern, what] of forbidden) if (pattern.test(name)) problems.push(`${what}: ${name}`);
}

// Sizes by area, largest first: what each part costs the download.
const areas = new Map();
for (const entry of entries) {
  const parts = entry.name.split('/');
  const depth = parts[1] === 'node_modules' ? (parts[2]?.startsWith('@') ? 4 : 3) : 2;
  const area = parts.slice(0, Math.min(depth, parts.length - 1)).join('/') || entry.name;
  const sum = areas.get(area) ?? { files: 0, size: 0, compressed: 0 };
  sum.files++;
  sum.size += entry.size;
  sum.compressed += entry.compressed;
  areas.set(area, sum);
}
const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MB`;
console.log(`${file} (${target}): ${entries.length} files, ${mb(readFileSync(file).length)}`);
for (const [area, sum] of [...areas].sort((a, b) => b[1].compressed - a[1].compressed)) {
  console.log(`  ${mb(sum.compressed).padStart(9)} packed ${mb(sum.size).padStart(9)} unpacked ${String(sum.files).padStart(4)} files  ${area}`);
}
if (problems.length > 0) {
  console.error(`check-vsix: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-vsix: ok');
