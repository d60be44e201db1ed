import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Piscina } from 'piscina';
import { embedWorkerDataOf, EMBED_TASKS } from '../../src/core/embed/embed-protocol';
import { defaultModelDir, resolveModel } from '../../src/core/embed/model';
import { chunkWorkerDataOf } from '../../src/core/pool/chunk-protocol';
import { workerScript } from '../../src/core/pool/pools';

test('the embedding worker data is taken whole when right, and refused naming each wrong field', () => {
  const good = { onnxPath: '/m/onnx/model.onnx', modelDir: '/m', threads: 1, maxTokens: 256 };
  assert.deepEqual(embedWorkerDataOf({ ...good, extra: true }), good);
  assert.throws(() => embedWorkerDataOf(undefined), /onnxPath must be a path; modelDir must be a path; threads must be a positive integer; maxTokens must be a positive integer/);
  assert.throws(() => embedWorkerDataOf({ ...good, threads: 0 }), /threads must be a positive integer$/);
  assert.throws(() => embedWorkerDataOf({ ...good, maxTokens: '256' }), /maxTokens must be a positive integer$/);
  assert.throws(() => embedWorkerDataOf({ ...good, modelDir: '' }), /workerData is wrong: modelDir must be a path$/);
});

test('the chunk worker data needs a model folder', () => {
  assert.deepEqual(chunkWorkerDataOf({ modelDir: '/m' }), { modelDir: '/m' });
  assert.throws(() => chunkWorkerDataOf(null), /needs workerData\.modelDir/);
  assert.throws(() => chunkWorkerDataOf({ modelDir: 3 }), /needs workerData\.modelDir/);
});

test('the built embedding worker refuses wrong workerData at its start, and runs a protocol task with the right one', { timeout: 120_000 }, async () => {
  const wrong = new Piscina({ filename: workerScript('embed-worker'), maxThreads: 1, workerData: { modelDir: defaultModelDir() } });
  // A worker that fails to start reports on the pool (the pools listen: pool/pools.ts).
  const started = once(wrong, 'error');
  const refused = /the embedding worker's workerData is wrong: onnxPath must be a path; threads must be a positive integer; maxTokens must be a positive integer/;
  const task = assert.rejects(wrong.run(null, { name: EMBED_TASKS.runtime }), refused);
  const [error] = (await started) as [Error];
  assert.match(error.message, refused);
  await task;
  await wrong.destroy();

  const model = await resolveModel('');
  const right = new Piscina({ filename: workerScript('embed-worker'), maxThreads: 1, workerData: { onnxPath: model.onnxPath, modelDir: model.dir, threads: 1, maxTokens: model.maxTokens } });
  const vectors = (await right.run(['retry with backoff'], { name: EMBED_TASKS.embedTexts })) as Float32Array;
  assert.equal(vectors.length, await right.run(null, { name: EMBED_TASKS.dimensions }));
  await right.destroy();
});
