/**
 * The WebAssembly runtime (onnxruntime-web), as the universal package runs it where no native
 * binary loads: forced here with QUIPU_EMBED_BACKEND=wasm, in the same embedding workers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cosine } from '../../src/core/embed/pooling';
import { requestedBackend } from '../../src/core/embed/runtime';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { FIXTURES, testEngine } from '../helpers';

interface Reference {
  sentences: { text: string; onnxInt8: number[]; fp32: number[] }[];
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference-embeddings.json'), 'utf8')) as Reference;

let engine: QuipuEngine;
const previous = process.env.QUIPU_EMBED_BACKEND;
before(async () => {
  // Workers take the environment when they start: set before the engine's first worker.
  process.env.QUIPU_EMBED_BACKEND = 'wasm';
  engine = await testEngine();
});
after(() => {
  if (previous === undefined) delete process.env.QUIPU_EMBED_BACKEND;
  else process.env.QUIPU_EMBED_BACKEND = previous;
});

test('the workers run the WebAssembly runtime and say why', async () => {
  assert.deepEqual(await engine.runtime(), { backend: 'wasm', reason: 'QUIPU_EMBED_BACKEND=wasm' });
});

test('WebAssembly embeddings match Python onnxruntime on the same ONNX file (cosine ≥ 0.999)', async () => {
  const vectors = await engine.embed(reference.sentences.map((s) => s.text));
  reference.sentences.forEach((s, i) => {
    assert.equal(vectors[i].length, 384);
    const similarity = cosine(vectors[i], s.onnxInt8);
    assert.ok(similarity >= 0.999, `${s.text}: cosine ${similarity}`);
  });
});

test('QUIPU_EMBED_BACKEND accepts native or wasm only', () => {
  assert.equal(requestedBackend(''), undefined);
  assert.equal(requestedBackend('native'), 'native');
  assert.throws(() => requestedBackend('gpu'), /must be "native" or "wasm"/);
});
