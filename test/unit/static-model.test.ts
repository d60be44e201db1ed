/**
 * The static model set-up builds (`scripts/distill-static.mjs` → models/all-MiniLM-L6-v2.static.bin):
 * checked against the real ONNX model it was distilled from, then as the embedder of a real index.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { packBatch } from '../../src/core/embed/batch';
import { resolveModel, sha256File } from '../../src/core/embed/model';
import { chunkModelInput } from '../../src/core/embed/model-input';
import { OnnxEmbedder } from '../../src/core/embed/onnx-embedder';
import { cosine } from '../../src/core/embed/pooling';
import { StaticEmbedder } from '../../src/core/embed/static-embedder';
import { defaultStaticModelPath, readStaticModel, staticRow } from '../../src/core/embed/static-model';
import { loadTokenizer } from '../../src/core/embed/tokenizer';
import { ConfigError } from '../../src/core/config/config';
import { copyFixture, MODEL_DIR, tempDir, testConfig, testEngine } from '../helpers';

const FILE = defaultStaticModelPath();

test('the static model is built from the installed model and fits the package budget', async () => {
  const table = readStaticModel(FILE);
  const model = await resolveModel('');
  assert.equal(table.header.source.id, model.id);
  assert.equal(table.header.source.onnxSha256, await sha256File(model.onnxPath), 'built from another ONNX file: run `npm run setup-model` again');
  assert.ok(statSync(FILE).size <= 16 * 2 ** 20, `${FILE} is ${statSync(FILE).size} bytes, over 16 MB`);
  assert.ok(table.header.dims > 0 && table.header.dims <= table.header.hidden);
  // The next test recomputes rows from the one-token sentence vectors: the build set-up makes.
  assert.equal(table.header.pooling, 'normalized');
  assert.equal(table.header.contextChunks, undefined);
});

test("a token's row is MiniLM's own vector of that token, through the stored PCA and weight", async () => {
  const table = readStaticModel(FILE);
  const { hidden, dims } = table.header;
  const model = await resolveModel('');
  const tokenizer = await loadTokenizer(MODEL_DIR);
  // Common and rare words, a word piece, punctuation: ids from the tokenizer itself.
  const tokens = [...new Set(tokenizer.encodeNoSpecial('return the exponential backoff ##ing ; scrypt'))];
  assert.ok(tokens.length >= 6);
  const [cls, sep] = tokenizer.encodeForModel('', 8);
  const session = await OnnxEmbedder.create(model.onnxPath, 1);
  try {
    const pooled = await session.embed(packBatch(tokens.map((t) => [cls, t, sep])));
    tokens.forEach((token, i) => {
      const expected = new Float64Array(dims);
      for (let k = 0; k < dims; k++) {
        let dot = 0;
        for (let d = 0; d < hidden; d++) dot += table.axes[k * hidden + d] * (pooled[i * hidden + d] - table.mean[d]);
        expected[k] = dot * table.weights[token];
      }
      const row = staticRow(table, token);
      const largest = Math.max(...expected.map(Math.abs));
      // int8 rounding: at most half a step of the row's scale (largest / 127), plus float32 noise.
      const tolerance = largest / 254 + 1e-6;
      for (let k = 0; k < dims; k++) assert.ok(Math.abs(row[k] - expected[k]) <= tolerance, `token ${token}, axis ${k}: ${row[k]} vs ${expected[k]}`);
      assert.ok(largest > 0);
    });
  } finally {
    await session.release();
  }
  // The axes are orthonormal: PCA's rotation, nothing else.
  for (const [a, b] of [[0, 0], [0, 1], [dims - 1, dims - 1], [3, dims - 2]]) {
    let dot = 0;
    for (let d = 0; d < hidden; d++) dot += table.axes[a * hidden + d] * table.axes[b * hidden + d];
    assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-4, `axes ${a}·${b} = ${dot}`);
  }
});

test('static vectors are unit length and the same every time; special tokens add nothing', async () => {
  const model = await resolveModel('');
  const embedder = StaticEmbedder.open(FILE, model);
  const texts = ['retry with exponential backoff', 'hash a password', 'x'];
  const first = await embedder.embedTexts(texts);
  const again = await StaticEmbedder.open(FILE, model).embedTexts(texts);
  assert.deepEqual(first, again);
  const dims = await embedder.dimensions();
  assert.equal(first.length, texts.length * dims);
  for (let i = 0; i < texts.length; i++) {
    const norm = Math.hypot(...first.subarray(i * dims, (i + 1) * dims));
    assert.ok(Math.abs(norm - 1) < 1e-5, `vector ${i} has length ${norm}`);
  }
  // A document's ids come from the chunk worker with [CLS] and [SEP]: the same vector as the text alone.
  const tokenizer = await loadTokenizer(MODEL_DIR);
  const withFrame = tokenizer.encodeForModel(texts[0], model.maxTokens);
  const bare = tokenizer.encodeNoSpecial(texts[0]);
  assert.equal(withFrame.length, bare.length + 2);
  assert.deepEqual(await embedder.embedDocuments([{ ids: withFrame }]), embedder.embedIds([bare]));
});

test('on real code, a query scores its own chunk above unrelated ones', async () => {
  const model = await resolveModel('');
  const embedder = StaticEmbedder.open(FILE, model);
  const folder = copyFixture('corpus');
  const chunk = (path: string) => chunkModelInput(readFileSync(`${folder}/${path}`, 'utf8'), 1, { context: { path }, stripBoilerplate: true, splitWords: true });
  const paths = ['src/net/retry.ts', 'src/auth/password.ts', 'src/util/dates.py', 'notes/pasta.txt', 'docs/deploy.md'];
  const chunks = await embedder.embedTexts(paths.map(chunk));
  const queries = await embedder.embedQueries(['retry a failed call after a growing delay', 'hash and verify a password', 'ISO week label of a timestamp', 'how much water to boil pasta in', 'build the docker image and deploy the service'], true);
  const dims = await embedder.dimensions();
  const row = (a: Float32Array, i: number) => a.subarray(i * dims, (i + 1) * dims);
  paths.forEach((path, q) => {
    const scores = paths.map((_, c) => cosine(row(queries, q), row(chunks, c)));
    const best = scores.indexOf(Math.max(...scores));
    assert.equal(paths[best], path, `query ${q} scored ${scores.map((s, c) => `${paths[c]} ${s.toFixed(3)}`).join(', ')}`);
  });
});

test('an engine of the fast tier alone indexes and searches a real folder with static vectors', async () => {
  const cacheDir = tempDir();
  const engine = await testEngine({ tiers: 'fast', staticModel: FILE, vectorCache: { dir: cacheDir, maxBytes: 64 << 20 } });
  assert.match(engine.fastEmbedder?.id ?? '', /^static:minilm-l6-d\d+-/);
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const summary = await engine.index(folder, { indexDir });
  assert.equal(summary.filesIndexed, 5);
  assert.equal(summary.tier, 'fast');
  const [hit] = await engine.search(folder, 'hash and verify a password', { indexDir, topK: 1, mode: 'vector' });
  assert.equal(hit.path, 'src/auth/password.ts');
  // The index names both tiers' models (either changing rebuilds it); every chunk is fast.
  const status = await engine.status(indexDir);
  assert.equal(status.staleReason, undefined);
  assert.equal(status.tiers, 'fast');
  assert.deepEqual(status.tierCounts, { fast: status.chunks, deep: 0 });
  assert.ok(status.chunks > 0);
  // Static vectors are cheaper to compute than to look up: nothing is added to the machine's vector cache.
  const written = readdirSync(cacheDir, { recursive: true }).filter((name) => String(name).endsWith('.vec'));
  assert.deepEqual(written, []);
});

test('a remote embedder is the deep tier alone: asking it for the fast tier is refused', async () => {
  const embedder = { provider: 'openai' as const, url: 'http://127.0.0.1:1/v1', model: 'm' };
  assert.throws(() => testConfig({ tiers: 'fast-deep', embedder }), ConfigError);
  assert.throws(() => testConfig({ tiers: 'fast', embedder }), ConfigError);
  const engine = await testEngine({ embedder });
  assert.equal(engine.tiers, 'deep');
  assert.equal(engine.fastEmbedder, undefined);
});
