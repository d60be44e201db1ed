// Runs a packaged extension's embedding worker (its dist/workers/embed-worker.js, its node_modules,
// its model) on the reference sentences and compares the vectors with test/fixtures/reference-embeddings.json
// (Python onnxruntime on the same int8 graph): cosine ≥ 0.999 for each, or it fails.
// Usage: node scripts/check-engine.mjs <unpacked extension folder> [--expect native|wasm]
// `npm run test:platforms` runs it under emulation (scripts/test-platforms.mjs); it needs no build.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const expectAt = args.indexOf('--expect');
const expected = expectAt >= 0 ? args[expectAt + 1] : undefined;
const dir = resolve(args.find((arg, i) => i !== expectAt && i !== expectAt + 1) ?? '');
const reference = JSON.parse(readFileSync(new URL('../test/fixtures/reference-embeddings.json', import.meta.url), 'utf8'));

const { Piscina } = createRequire(join(dir, 'package.json'))('piscina');
const modelDir = join(dir, 'models', 'all-MiniLM-L6-v2');
const pool = new Piscina({
  filename: join(dir, 'dist', 'workers', 'embed-worker.js'),
  maxThreads: 1,
  workerData: { onnxPath: join(modelDir, 'onnx', 'model_quantized.onnx'), modelDir, threads: 1, maxTokens: 256 },
});

const cosine = (a, b) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

const started = Date.now();
const runtime = await pool.run(null, { name: 'runtime' });
const flat = await pool.run(reference.sentences.map((s) => s.text), { name: 'embedTexts' });
await pool.destroy();
const dims = flat.length / reference.sentences.length;
const scores = reference.sentences.map((s, i) => cosine(flat.subarray(i * dims, (i + 1) * dims), s.onnxInt8));
const worst = Math.min(...scores);
const where = `${process.platform}-${process.arch}, Node ${process.versions.node}`;
console.log(
  `check-engine: ${dir} on ${where}: ${runtime.backend}${runtime.reason ? ` (${runtime.reason})` : ''}, ` +
    `${reference.sentences.length} sentences × ${dims} dims, lowest cosine ${worst.toFixed(5)}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
const problems = [];
if (dims !== 384) problems.push(`${dims} dimensions, not 384`);
if (!(worst >= 0.999)) problems.push(`a sentence's cosine to the reference is ${worst}, below 0.999`);
if (expected && runtime.backend !== expected) problems.push(`the ${runtime.backend} runtime ran, not ${expected}`);
if (problems.length > 0) {
  console.error(`check-engine: ${problems.join('; ')}`);
  process.exit(1);
}
console.log('check-engine: ok');
