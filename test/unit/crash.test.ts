import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndexSummary } from '../../src/core/pipeline/events';
import { IndexStore } from '../../src/core/store/store';
import { runCli, tempDir } from '../helpers';

const identity = { modelId: 'sentence-transformers/all-MiniLM-L6-v2@int8', chunkKey: 'v2;max=256;overlap=32', dimensions: 384 };

test('an indexer killed at any moment leaves an index that is readable and agrees with its catalog', async () => {
  const folder = tempDir();
  for (let i = 0; i < 60; i++) {
    writeFileSync(join(folder, `doc-${i}.md`), `# Document ${i}\n\n` + `Line ${i} of a document about subject ${i % 7}.\n`.repeat(40));
  }
  const indexDir = tempDir();
  const args = ['index', folder, '--index-dir', indexDir, '--commit-chunks', '4', '--batch-size', '1'];
  let sawPartialIndex = false;
  for (const killAfterMs of [1800, 2600, 3400, 4200, 5000]) {
    const run = await runCli(args, { killAfterMs });
    const store = await IndexStore.open(indexDir, identity, { write: false });
    assert.deepEqual(await store.verify(), [], `after a kill at ${killAfterMs} ms`);
    if (store.catalog.size > 0 && store.catalog.size < 60) sawPartialIndex = true;
    await store.close();
    if (run.signal !== 'SIGKILL') break; // finished before the kill
  }
  assert.ok(sawPartialIndex, 'at least one kill landed in the middle of indexing');
  const finished = await runCli([...args, '--json']);
  assert.equal(finished.code, 0, finished.stderr);
  const summary = JSON.parse(finished.stdout) as IndexSummary;
  assert.equal(summary.filesIndexed + summary.filesUnchanged, 60);
  assert.ok(summary.filesUnchanged > 0, 'work committed before the kills is kept');
  const store = await IndexStore.open(indexDir, identity, { write: false });
  assert.deepEqual(await store.verify(), []);
  assert.equal(store.catalog.size, 60);
  await store.close();
});
