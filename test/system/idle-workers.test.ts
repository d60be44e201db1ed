/** Embedding in a child process (the extension host's way: core/process-piscina.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idleAndBack } from '../contracts/idle-workers';
import { testEngine } from '../helpers';

test('idle worker pools close after workerIdleSeconds and open again for the next run and search, embedding in a child process (the extension host\'s way)', { timeout: 180_000 }, () => idleAndBack(true));

test('a child process embeds exactly as worker threads do', { timeout: 120_000 }, async () => {
  const threads = await testEngine();
  const child = await testEngine({ pipeline: { embedInChildProcess: true } });
  const texts = ['Retry a request with exponential backoff.', 'Keep recently used entries in a bounded map.'];
  const [a, b] = [await threads.embed(texts), await child.embed(texts)];
  assert.deepEqual(b.map((v) => [...v]), a.map((v) => [...v]));
  await child.close();
  assert.equal(child.liveWorkers, 0, 'closing the engine ends the child process');
});
