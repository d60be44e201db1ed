/** `quipu status` names the embedding runtime, as the CLI prints it (the runtime itself: test/unit/embed-wasm.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFixture, runCli, tempDir } from '../helpers';

test('quipu status names the runtime: native by default, WebAssembly and why when forced', async () => {
  const folder = copyFixture('corpus');
  const env = { QUIPU_INDEX_HOME: tempDir() };
  const native = await runCli(['status', folder, '--json'], { env: { ...env, QUIPU_EMBED_BACKEND: '' } });
  assert.equal(native.code, 0, native.stderr);
  assert.deepEqual((JSON.parse(native.stdout) as { embedding: unknown }).embedding, { backend: 'native' });
  const wasm = await runCli(['status', folder], { env: { ...env, QUIPU_EMBED_BACKEND: 'wasm' } });
  assert.equal(wasm.code, 0, wasm.stderr);
  assert.match(wasm.stdout, /embedding +WebAssembly ONNX Runtime \(onnxruntime-web.*because QUIPU_EMBED_BACKEND=wasm/);
});
