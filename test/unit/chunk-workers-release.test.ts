/**
 * `keepChunkWorkers: false` (the CLI's setting): a run's chunk workers exit once it has chunked its
 * last file, instead of idling beside the embedding workers; the next run starts new ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, testEngine } from '../helpers';

function notesFolder(): string {
  const folder = tempDir();
  mkdirSync(join(folder, 'notes'));
  writeFileSync(join(folder, 'notes', 'retry.md'), '# Retry\n\nRetry a request with exponential backoff and jitter.\n');
  writeFileSync(join(folder, 'notes', 'cache.md'), '# Cache\n\nKeep recently used entries in a bounded map.\n');
  return folder;
}

test('without keepChunkWorkers, a run ends with its chunk workers gone and the next run starts new ones', { timeout: 120_000 }, async () => {
  const engine = await testEngine({ pipeline: { keepChunkWorkers: false, embedWorkers: 1 } });
  const folder = notesFolder();
  const indexDir = join(tempDir(), 'index');
  const first = await engine.index(folder, { indexDir });
  assert.equal(first.chunksEmbedded, 2);
  assert.equal(engine.liveWorkers, 1, 'only the embedding worker is left');

  writeFileSync(join(folder, 'notes', 'queue.md'), '# Queue\n\nA bounded queue makes the producer wait while it is full.\n');
  const second = await engine.index(folder, { indexDir });
  assert.equal(second.chunksEmbedded, 1);
  assert.equal(engine.liveWorkers, 1);
  const results = await engine.search(folder, 'producer waits while the queue is full', { indexDir, topK: 1 });
  assert.equal(results[0]?.path, 'notes/queue.md');
});

test('by default the chunk workers stay after a run, for the next one', { timeout: 120_000 }, async () => {
  const engine = await testEngine({ pipeline: { embedWorkers: 1 } });
  const summary = await engine.index(notesFolder(), { indexDir: join(tempDir(), 'index') });
  assert.equal(summary.chunksEmbedded, 2);
  assert.equal(engine.liveWorkers, 2, 'the chunk worker and the embedding worker');
});
