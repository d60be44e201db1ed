/**
 * scripts/export-model2vec.mjs turns a static model file (QSTATIC1, src/core/embed/static-model.ts's layout)
 * into the model2vec folder semble loads: the `embeddings` tensor holds each token's row exactly as Quipu
 * sums it (int8 row × its scale), the ids the model skips are zero rows, the tokenizer is the one given.
 * The static model here is written by the test with the real MiniLM tokenizer's vocabulary size.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MODEL_DIR } from '../helpers';

let exportModel2Vec: (staticPath: string, tokenizerPath: string, outDir: string) => { id: string };
before(async () => {
  ({ exportModel2Vec } = await import('../../scripts/export-model2vec.mjs'));
});

const dir = mkdtempSync(join(tmpdir(), 'quipu-export-model2vec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOKENIZER = join(MODEL_DIR, 'tokenizer.json');
const vocab = Object.keys((JSON.parse(readFileSync(TOKENIZER, 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab).length;
const hidden = 3;
const dims = 4;
const skipIds = [0, 101, 102, 103];

/** A QSTATIC1 file: magic, header length, header (padded to 4 bytes), mean, axes, weights, scales, int8 rows. */
function writeStaticModel(path: string, rows: Int8Array, scales: Float32Array): void {
  let json = JSON.stringify({ format: 1, id: 'static:test', source: { id: 'test', onnxSha256: '0' }, vocab, hidden, dims, weighting: { kind: 'none' }, skipIds, explainedVariance: 1 });
  json += ' '.repeat((4 - ((12 + Buffer.byteLength(json)) % 4)) % 4);
  const head = Buffer.alloc(12);
  head.write('QSTATIC1', 0, 'latin1');
  head.writeUInt32LE(Buffer.byteLength(json), 8);
  const floats = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(path, Buffer.concat([head, Buffer.from(json), floats(new Float32Array(hidden)), floats(new Float32Array(dims * hidden)), floats(new Float32Array(vocab).fill(1)), floats(scales), Buffer.from(rows.buffer)]));
}

function readSafetensors(path: string): { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; data: Buffer } {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.toString('utf8', 8, 8 + length)) as never, data: bytes.subarray(8 + length) };
}

test('the embeddings tensor is every row times its scale, skipped ids zero, with the tokenizer and normalize', () => {
  const rows = new Int8Array(vocab * dims).map((_, i) => ((i * 37) % 255) - 127);
  const scales = new Float32Array(vocab).map((_, t) => 0.001 * (1 + (t % 13)));
  const file = join(dir, 'model.static.bin');
  writeStaticModel(file, rows, scales);
  const out = join(dir, 'm2v');
  const header = exportModel2Vec(file, TOKENIZER, out);
  assert.equal(header.id, 'static:test');

  const { header: tensors, data } = readSafetensors(join(out, 'model.safetensors'));
  assert.deepEqual(Object.keys(tensors), ['embeddings']);
  assert.equal(tensors.embeddings.dtype, 'F32');
  assert.deepEqual(tensors.embeddings.shape, [vocab, dims]);
  const [start, end] = tensors.embeddings.data_offsets;
  assert.equal(end - start, vocab * dims * 4);
  const aligned = new Uint8Array(end - start);
  aligned.set(data.subarray(start, end));
  const matrix = new Float32Array(aligned.buffer);
  for (const t of [1, 2, 7592, vocab - 1]) {
    for (let d = 0; d < dims; d++) assert.equal(matrix[t * dims + d], Math.fround(rows[t * dims + d] * scales[t]), `token ${t}, dimension ${d}`);
  }
  for (const t of skipIds) assert.deepEqual(Array.from(matrix.subarray(t * dims, (t + 1) * dims)), [0, 0, 0, 0], `skipped id ${t}`);

  assert.equal(readFileSync(join(out, 'tokenizer.json'), 'utf8'), readFileSync(TOKENIZER, 'utf8'));
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { normalize: boolean; hidden_dim: number; quipu_static_id: string };
  assert.equal(config.normalize, true);
  assert.equal(config.hidden_dim, dims);
  assert.equal(config.quipu_static_id, 'static:test');
});

test('a tokenizer of another vocabulary, or a file that is no static model, is refused by name', () => {
  const file = join(dir, 'model.static.bin');
  writeStaticModel(file, new Int8Array(vocab * dims), new Float32Array(vocab));
  const small = join(dir, 'small-tokenizer.json');
  writeFileSync(small, JSON.stringify({ model: { vocab: { a: 0, b: 1 } } }));
  assert.throws(() => exportModel2Vec(file, small, join(dir, 'refused')), (error: Error) => error.message.includes(small) && error.message.includes('another tokenizer'));
  const notModel = join(dir, 'not-a-model.bin');
  writeFileSync(notModel, 'hello, world');
  assert.throws(() => exportModel2Vec(notModel, TOKENIZER, join(dir, 'refused')), (error: Error) => error.message.includes(notModel) && error.message.includes('QSTATIC1'));
});
