import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { loadTokenizer } from '../../src/core/embed/tokenizer';
import { cosine, meanPoolNormalize } from '../../src/core/embed/pooling';
import { FIXTURES, MODEL_DIR, testEngine } from '../helpers';

interface Reference {
  sentences: { text: string; tokenIds: number[]; onnxInt8: number[]; fp32: number[] }[];
  cosineInt8VsFp32: { min: number; mean: number };
}
// Made once by scripts/make-reference-embeddings.py (Python onnxruntime and sentence-transformers).
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference-embeddings.json'), 'utf8')) as Reference;

/** Measured: the int8 model against sentence-transformers fp32 scored a minimum of 0.9993 (see the fixture). */
const FP32_COSINE_BOUND = 0.998;

let engine: QuipuEngine;
let vectors: Float32Array[];
before(async () => {
  engine = await testEngine();
  vectors = await engine.embed(reference.sentences.map((s) => s.text));
});

test('token ids match the Hugging Face tokenizers library', async () => {
  const tokenizer = await loadTokenizer(MODEL_DIR);
  for (const s of reference.sentences) assert.deepEqual(tokenizer.encodeForModel(s.text, 256), s.tokenIds, s.text);
});

test('embeddings match Python onnxruntime on the same ONNX file with mean pooling + L2 (cosine ≥ 0.999)', () => {
  assert.ok(reference.sentences.length >= 5);
  reference.sentences.forEach((s, i) => {
    const vector = vectors[i];
    assert.equal(vector.length, 384);
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-5, 'normalised');
    const similarity = cosine(vector, s.onnxInt8);
    assert.ok(similarity >= 0.999, `${s.text}: cosine ${similarity}`);
  });
});

test(`embeddings match sentence-transformers fp32 (cosine ≥ ${FP32_COSINE_BOUND})`, () => {
  reference.sentences.forEach((s, i) => {
    const similarity = cosine(vectors[i], s.fp32);
    assert.ok(similarity >= FP32_COSINE_BOUND, `${s.text}: cosine ${similarity}`);
  });
  // The first values for "This is an example sentence", as sentence-transformers prints them (fp32).
  const example = vectors[reference.sentences.findIndex((s) => s.text === 'This is an example sentence')];
  [0.0677, 0.0635, 0.0487].forEach((expected, d) => assert.ok(Math.abs(example[d] - expected) < 0.005, `value ${d}: ${example[d]}`));
});

test('batching and padding do not change an embedding', async () => {
  const texts = reference.sentences.map((s) => s.text);
  const [alone] = await engine.embed([texts[0]]);
  const batched = await engine.embed(texts);
  assert.ok(cosine(alone, batched[0]) > 0.9999);
});

test('mean pooling ignores padded positions and normalises', () => {
  // Two tokens of [1, 0] and [3, 0], then padding that must not count.
  const hidden = new Float32Array([1, 0, 3, 0, 100, 100]);
  const pooled = meanPoolNormalize(hidden, [1, 1, 0], 1, 3, 2);
  assert.deepEqual(Array.from(pooled), [1, 0]);
});
