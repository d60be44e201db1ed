#!/usr/bin/env node
// Distils the static model (src/core/embed/static-model.ts) from the installed transformer, model2vec's
// way, with nothing but the ONNX model, its tokenizer and this file: no torch, no download.
//   1. every vocabulary token goes through the model as `[CLS] token [SEP]`, pooled as the model pools
//      (mean, L2-normalised: the very vector Quipu's embedder gives that one-token text);
//   2. PCA over those vectors (a 384×384 covariance, its eigenvectors by cyclic Jacobi in float64),
//      keeping `--dims` axes;
//   3. each token's projected vector times a SIF weight a / (a + p(token)), so frequent tokens
//      (punctuation, "the", "return") count less in a sum; p is Zipf's law over the vocabulary order
//      (`sif-rank`, model2vec's default: WordPiece vocabularies are roughly in frequency order), or
//      counted over code (`sif-code`: the TypeScript library declarations, pinned by the lockfile);
//   4. int8 rows with a scale per row.
// Deterministic for a given ONNX file and runtime. `npm run setup-model` runs it after placing the model.
// Usage: node --import tsx scripts/distill-static.mjs [--model-dir DIR] [--out FILE] [--dims 256]
//        [--weighting sif-rank|sif-code|none] [--sif 1e-4] [--force]
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packBatch } from '../src/core/embed/batch.ts';
import { sha256File } from '../src/core/embed/model.ts';
import { splitCompoundWords } from '../src/core/embed/model-input.ts';
import { OnnxEmbedder } from '../src/core/embed/onnx-embedder.ts';
import { readStaticModel, writeStaticModel } from '../src/core/embed/static-model.ts';
import { loadTokenizer } from '../src/core/embed/tokenizer.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const modelDir = flag('model-dir', join(root, 'models', 'all-MiniLM-L6-v2'));
const out = flag('out', join(root, 'models', 'all-MiniLM-L6-v2.static.bin'));
const dims = Number(flag('dims', '256'));
const weighting = flag('weighting', 'sif-rank');
const sif = Number(flag('sif', '1e-4'));
if (!['sif-rank', 'sif-code', 'none'].includes(weighting)) throw new Error(`--weighting must be sif-rank, sif-code or none (got ${weighting})`);

const started = process.cpuUsage();
const cpuSeconds = () => {
  const used = process.cpuUsage(started);
  return ((used.user + used.system) / 1e6).toFixed(1);
};
const manifestFile = join(modelDir, 'quipu-model.json');
if (!existsSync(manifestFile)) throw new Error(`No model at ${modelDir} (quipu-model.json missing): run \`npm run setup-model\` first.`);
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const onnxPath = join(modelDir, manifest.onnxFile ?? 'onnx/model_quantized.onnx');
const onnxSha256 = await sha256File(onnxPath);
const vocabMap = JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')).model.vocab;
const vocab = Object.keys(vocabMap).length;
const special = (token) => vocabMap[token];
const cls = special('[CLS]');
const sep = special('[SEP]');
const skipIds = ['[PAD]', '[CLS]', '[SEP]', '[MASK]'].map(special).filter((id) => id !== undefined);
const keep = Math.min(dims, JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')).hidden_size ?? dims);
const tag = weighting === 'none' ? 'plain' : `${weighting}${sif}`;
const id = `static:minilm-l6-d${keep}-${tag}@${onnxSha256.slice(0, 12)}`;
// Set-up runs this every time: a table already built from this ONNX file with these settings is kept.
if (!args.includes('--force') && existsSync(out)) {
  try {
    const built = readStaticModel(out);
    if (built.header.id === id && built.header.source.onnxSha256 === onnxSha256) {
      console.error(`distill-static: ${out} is up to date (${id})`);
      process.exit(0);
    }
  } catch {
    // damaged or of another format: build it again
  }
}

// 1. Every token through the model. Cached by the ONNX file's hash: the PCA and weighting variants
// (bench/STATIC.md) reuse it.
const cacheFile = join(root, '.scratch', `static-pooled-${onnxSha256.slice(0, 16)}.f32`);
let pooled;
let hidden;
if (existsSync(cacheFile)) {
  pooled = new Float32Array(readFileSync(cacheFile).buffer.slice(0));
  hidden = pooled.length / vocab;
} else {
  const session = await OnnxEmbedder.create(onnxPath, 1);
  hidden = session.dimensions;
  pooled = new Float32Array(vocab * hidden);
  const batch = 512;
  for (let start = 0; start < vocab; start += batch) {
    const sequences = [];
    for (let t = start; t < Math.min(vocab, start + batch); t++) sequences.push([cls, t, sep]);
    pooled.set(await session.embed(packBatch(sequences)), start * hidden);
  }
  await session.release();
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, pooled);
  console.error(`distill-static: ${vocab} tokens through the model in ${cpuSeconds()} CPU s`);
}

// 2. PCA over the tokens that carry text (not [PAD], [CLS], [SEP], [MASK]).
const skip = new Uint8Array(vocab);
for (const id of skipIds) skip[id] = 1;
const mean = new Float64Array(hidden);
let counted = 0;
for (let t = 0; t < vocab; t++) {
  if (skip[t]) continue;
  counted++;
  for (let d = 0; d < hidden; d++) mean[d] += pooled[t * hidden + d];
}
for (let d = 0; d < hidden; d++) mean[d] /= counted;
const covariance = new Float64Array(hidden * hidden);
const centred = new Float64Array(hidden);
for (let t = 0; t < vocab; t++) {
  if (skip[t]) continue;
  for (let d = 0; d < hidden; d++) centred[d] = pooled[t * hidden + d] - mean[d];
  for (let i = 0; i < hidden; i++) {
    const ci = centred[i];
    const row = i * hidden;
    for (let j = i; j < hidden; j++) covariance[row + j] += ci * centred[j];
  }
}
for (let i = 0; i < hidden; i++) for (let j = i; j < hidden; j++) covariance[j * hidden + i] = covariance[i * hidden + j] /= counted - 1;
const { values, vectors } = symmetricEigen(covariance, hidden);
const order = [...values.keys()].sort((a, b) => values[b] - values[a]);
const axes = new Float32Array(keep * hidden);
for (let k = 0; k < keep; k++) {
  const column = order[k];
  // An eigenvector's sign is arbitrary: fix it (largest entry positive) so a rebuild gives the same file.
  let largest = 0;
  for (let d = 0; d < hidden; d++) if (Math.abs(vectors[d * hidden + column]) > Math.abs(largest)) largest = vectors[d * hidden + column];
  const sign = largest < 0 ? -1 : 1;
  for (let d = 0; d < hidden; d++) axes[k * hidden + d] = sign * vectors[d * hidden + column];
}
const total = values.reduce((a, b) => a + b, 0);
const explainedVariance = order.slice(0, keep).reduce((a, i) => a + values[i], 0) / total;

// 3. Weights.
const weights = new Float32Array(vocab).fill(1);
let corpus;
if (weighting === 'sif-rank') {
  // model2vec: p(rank r) ∝ 1/(r + 2) over the vocabulary order.
  let sum = 0;
  for (let r = 0; r < vocab; r++) sum += 1 / (r + 2);
  for (let t = 0; t < vocab; t++) weights[t] = sif / (sif + 1 / (t + 2) / sum);
} else if (weighting === 'sif-code') {
  const counts = await countCodeTokens();
  corpus = counts.corpus;
  const all = counts.counts.reduce((a, b) => a + b, 0) + vocab;
  for (let t = 0; t < vocab; t++) weights[t] = sif / (sif + (counts.counts[t] + 1) / all);
}

// 4. Project, weigh, quantise.
const scales = new Float32Array(vocab);
const rows = new Int8Array(vocab * keep);
const projected = new Float64Array(keep);
for (let t = 0; t < vocab; t++) {
  if (skip[t]) continue;
  let largest = 0;
  for (let k = 0; k < keep; k++) {
    let dot = 0;
    for (let d = 0; d < hidden; d++) dot += axes[k * hidden + d] * (pooled[t * hidden + d] - mean[d]);
    projected[k] = dot * weights[t];
    largest = Math.max(largest, Math.abs(projected[k]));
  }
  const scale = largest / 127;
  scales[t] = scale;
  if (scale > 0) for (let k = 0; k < keep; k++) rows[t * keep + k] = Math.round(projected[k] / scale);
}

const header = {
  format: 1,
  id,
  source: { id: manifest.id, onnxSha256 },
  vocab,
  hidden,
  dims: keep,
  weighting: { kind: weighting, ...(weighting === 'none' ? {} : { coefficient: sif }), ...(corpus ? { corpus } : {}) },
  skipIds,
  explainedVariance,
};
mkdirSync(dirname(out), { recursive: true });
await writeStaticModel(out, { header, mean: Float32Array.from(mean), axes, weights, scales, rows });
console.error(`distill-static: ${out} (${header.id}, ${(explainedVariance * 100).toFixed(1)}% of the variance) in ${cpuSeconds()} CPU s`);

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric n×n matrix: cyclic Jacobi. */
function symmetricEigen(matrix, n) {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}

/**
 * Token counts over real code, cut as chunks are (compound words split): the TypeScript compiler's
 * library declarations and Node's type declarations, whose versions the lockfile pins.
 */
async function countCodeTokens() {
  const tokenizer = await loadTokenizer(modelDir);
  const folders = [join(root, 'node_modules', 'typescript', 'lib'), join(root, 'node_modules', '@types', 'node')];
  const counts = new Float64Array(vocab);
  let files = 0;
  for (const folder of folders) {
    for (const name of readdirSync(folder).sort()) {
      if (!name.endsWith('.d.ts')) continue;
      files++;
      const text = splitCompoundWords(readFileSync(join(folder, name), 'utf8'));
      // Line groups keep each call small.
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i += 200) for (const id of tokenizer.encodeNoSpecial(lines.slice(i, i + 200).join('\n'))) counts[id]++;
    }
  }
  return { counts, corpus: `${files} .d.ts files of node_modules/typescript/lib and @types/node` };
}
