/**
 * Idle worker pools close after workerIdleSeconds and open again for the next run and search: run
 * with worker threads by test/unit/idle-workers.test.ts, with embedding in a child process by
 * test/system/idle-workers.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir, testEngine } from '../helpers';

/** Waits until the condition holds (the test's own timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(50);
}

export async function idleAndBack(embedInChildProcess: boolean): Promise<void> {
  const engine = await testEngine({ pipeline: { workerIdleSeconds: 1, embedWorkers: 1, embedInChildProcess } });
  const folder = tempDir();
  const indexDir = join(tempDir(), 'index');
  mkdirSync(join(folder, 'notes'));
  writeFileSync(join(folder, 'notes', 'retry.md'), '# Retry\n\nRetry a request with exponential backoff and jitter.\n');
  writeFileSync(join(folder, 'notes', 'cache.md'), '# Cache\n\nKeep recently used entries in a bounded map.\n');

  assert.equal(engine.liveWorkers, 0, 'pools start no worker before they have work');
  const first = await engine.index(folder, { indexDir });
  assert.equal(first.filesIndexed, 2);
  assert.equal(first.chunksEmbedded, 2);
  await until(() => engine.liveWorkers === 0);

  // Closed pools open again on demand: a changed file is chunked and embedded, and found.
  writeFileSync(join(folder, 'notes', 'queue.md'), '# Queue\n\nA bounded queue makes the producer wait while it is full.\n');
  const second = await engine.index(folder, { indexDir });
  assert.equal(second.filesIndexed, 1);
  assert.equal(second.chunksEmbedded, 1);
  const results = await engine.search(folder, 'producer waits while the queue is full', { indexDir, topK: 1 });
  assert.equal(results[0]?.path, 'notes/queue.md');
  await until(() => engine.liveWorkers === 0);
}
