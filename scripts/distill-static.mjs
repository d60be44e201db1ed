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
// The defaults (256 axes, sif-rank with a = 1e-5, normalised pooling) were chosen by measurement:
// bench/STATIC.md. `--pooling raw` and `--context-chunks N` are the variants measured there, not defaults.
// Deterministic for a given ONNX file and runtime (44 CPU s). `npm run setup-model` runs it after placing
// the model; a table already built from the same ONNX file with the same settings is kept.
// Usage: node --import tsx scripts/distill-static.mjs [--model-dir DIR] [--out FILE] [--dims 256]
//        [--weighting sif-rank|sif-code|none] [--sif 1e-5] [--pooling normalized|raw] [--context-chunks N] [--force]
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
const sif = Number(flag('sif', '1e-5'));
// Experimental (tokenlearn's idea, cheaply): blend each token's vector with the mean of its contextual
// vectors over this many chunks of real code (node_modules and the Chroma venv, no benchmark repository).
const contextChunks = Number(flag('context-chunks', '0'));
// `normalized`: the sentence vector Quipu's embedder gives the one-token text (the default); `raw`: the
// mean of the hidden states before normalising (model2vec's), whose length varies by token.
const pooling = flag('pooling', 'normalized');
if (!['normalized', 'raw'].includes(pooling)) throw new Error(`--pooling must be normalized or raw (got ${pooling})`);
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
const tag = (weighting === 'none' ? 'plain' : `${weighting}${sif.toExponential()}`) + (contextChunks > 0 ? `-ctx${contextChunks}` : '') + (pooling === 'raw' ? '-raw' : '');
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
const cacheFile = join(root, '.scratch', `static-pooled-${onnxSha256.slice(0, 16)}${pooling === 'raw' ? '-raw' : ''}.f32`);
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
    pooled.set(pooling === 'raw' ? await rawMeans(session, sequences) : await session.embed(packBatch(sequences)), start * hidden);
  }
  await session.release();
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, pooled);
  console.error(`distill-static: ${vocab} tokens through the model in ${cpuSeconds()} CPU s`);
}

// 2. PCA over the tokens that carry text (not [PAD], [CLS], [SEP], [MASK]).
const skip = new Uint8Array(vocab);
for (const id of skipIds) skip[id] = 1;
if (contextChunks > 0) pooled = await blendContext(pooled);
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
  pooling,
  ...(contextChunks > 0 ? { contextChunks } : {}),
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

/**
 * Each token's mean contextual vector (the transformer's last hidden state where the token occurs)
 * over real code chunks, blended with its one-token vector by count: v = (n·ctx + m·α·single) / (n + m),
 * α the median norm of the contextual means, so a rare token keeps its one-token vector. The sum of a
 * chunk's contextual vectors is what MiniLM's mean pooling normalises, so these rows aim at its output.
 */
async function blendContext(single) {
  const { chunkModelInput } = await import('../src/core/embed/model-input.ts');
  const imported = await import('onnxruntime-node');
  const ort = imported.InferenceSession ? imported : imported.default;
  const tokenizer = await loadTokenizer(modelDir);
  const cacheFile = join(root, '.scratch', `static-context-${onnxSha256.slice(0, 16)}-${contextChunks}.f32`);
  let sums;
  let counts;
  if (existsSync(cacheFile)) {
    const all = new Float32Array(readFileSync(cacheFile).buffer.slice(0));
    counts = all.subarray(0, vocab);
    sums = all.subarray(vocab);
  } else {
    // The Chroma venv (CI's `scripts/setup-chroma.sh`) adds Python when it is there.
    const venv = join(root, '.venv-chroma', 'lib');
    const site = existsSync(venv) ? readdirSync(venv).find((name) => name.startsWith('python3')) : undefined;
    const sources = [
      ...['chokidar', 'picomatch', 'ignore', 'mammoth/lib', 'piscina/dist', '@huggingface/transformers/src', 'vectra/lib', '@types/node'].map((d) => join(root, 'node_modules', d)),
      ...(site ? ['anyio', 'huggingface_hub', 'markdown_it', 'jsonschema'].map((d) => join(venv, site, 'site-packages', d)) : []),
    ].filter((dir) => existsSync(dir));
    const windows = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(js|mjs|ts|py)$/.test(entry.name) && !entry.name.endsWith('.min.js')) {
          const lines = readFileSync(path, 'utf8').split('\n');
          const relative = path.slice(root.length + 1);
          for (let i = 0; i < lines.length; i += 30) {
            const text = lines.slice(i, i + 30).join('\n');
            if (text.trim().length > 40 && text.length < 6000) windows.push({ relative, text, start: i + 1 });
          }
        }
      }
    };
    for (const source of sources) walk(source);
    const step = Math.max(1, Math.floor(windows.length / contextChunks));
    const picked = windows.filter((_, i) => i % step === 0).slice(0, contextChunks);
    const sequences = picked
      .map((w) => tokenizer.encodeForModel(chunkModelInput(w.text, w.start, { context: { path: w.relative }, stripBoilerplate: true, splitWords: true }), 256))
      .sort((a, b) => a.length - b.length);
    const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    sums = new Float32Array(vocab * hidden);
    counts = new Float32Array(vocab);
    const acc = new Float64Array(vocab * hidden);
    for (let b = 0; b < sequences.length; b += 8) {
      const group = sequences.slice(b, b + 8);
      const width = Math.max(...group.map((s) => s.length));
      const ids = new BigInt64Array(group.length * width);
      const mask = new BigInt64Array(group.length * width);
      group.forEach((s, i) => s.forEach((t, j) => ((ids[i * width + j] = BigInt(t)), (mask[i * width + j] = 1n))));
      const shape = [group.length, width];
      const output = await session.run({ input_ids: new ort.Tensor('int64', ids, shape), attention_mask: new ort.Tensor('int64', mask, shape), token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), shape) });
      const states = output[session.outputNames[0]].data;
      group.forEach((s, i) =>
        s.forEach((t, j) => {
          if (skip[t]) return;
          counts[t]++;
          const at = (i * width + j) * hidden;
          for (let d = 0; d < hidden; d++) acc[t * hidden + d] += states[at + d];
        }),
      );
    }
    await session.release();
    sums.set(acc);
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(counts.buffer), Buffer.from(sums.buffer)]));
    console.error(`distill-static: ${picked.length} chunks of context (${windows.length} windows) in ${cpuSeconds()} CPU s`);
  }
  const norms = [];
  for (let t = 0; t < vocab; t++) {
    if (counts[t] < 5) continue;
    let n = 0;
    for (let d = 0; d < hidden; d++) n += (sums[t * hidden + d] / counts[t]) ** 2;
    norms.push(Math.sqrt(n));
  }
  norms.sort((a, b) => a - b);
  const alpha = norms[Math.floor(norms.length / 2)] ?? 1;
  const prior = 2;
  const out = new Float32Array(vocab * hidden);
  for (let t = 0; t < vocab; t++) {
    const n = counts[t];
    for (let d = 0; d < hidden; d++) out[t * hidden + d] = (sums[t * hidden + d] + prior * alpha * single[t * hidden + d]) / (n + prior);
  }
  return out;
}

/** Mean of the last hidden states of same-length sequences, not normalised (`--pooling raw`). */
async function rawMeans(session, sequences) {
  const { loadRuntime } = await import('../src/core/embed/runtime.ts');
  const { ort } = loadRuntime();
  // OnnxEmbedder's session (private in TypeScript, a plain property at run time): same runtime, same graph.
  const raw = session.session;
  const width = sequences[0].length;
  const ids = BigInt64Array.from(sequences.flat(), (t) => BigInt(t));
  const shape = [sequences.length, width];
  const output = await raw.run({ input_ids: new ort.Tensor('int64', ids, shape), attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape), token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), shape) });
  const states = output[raw.outputNames[0]].data;
  const size = states.length / (sequences.length * width);
  const out = new Float32Array(sequences.length * size);
  for (let b = 0; b < sequences.length; b++) for (let t = 0; t < width; t++) for (let d = 0; d < size; d++) out[b * size + d] += states[(b * width + t) * size + d] / width;
  return out;
}
