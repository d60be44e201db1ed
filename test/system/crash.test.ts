import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndexSummary } from '../../src/core/pipeline/events';
import { IndexStore } from '../../src/core/store/store';
import { runCli, tempDir, testEngine } from '../helpers';
import { indexProblems } from '../index-problems';


test('an indexer killed at any moment leaves an index that is readable and agrees with its catalog', async () => {
  // The index the CLI builds by default: both tiers, one identity naming both models.
  const identity = await (await testEngine()).storeIdentity();
  const folder = tempDir();
  for (let i = 0; i < 60; i++) {
    writeFileSync(join(folder, `doc-${i}.md`), `# Document ${i}\n\n` + `Line ${i} of a document about subject ${i % 7}.\n`.repeat(40));
  }
  const indexDir = tempDir();
  const args = ['index', folder, '--index-dir', indexDir, '--commit-chunks', '4', '--batch-size', '1'];
  let sawPartialIndex = false;
  const committed = () => {
    try {
      return (JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number }).catalogGeneration;
    } catch {
      return 0; // not there yet, or being replaced this very moment
    }
  };
  // Kills at moments of the clock (wherever the run is then), then each just after a new commit, as
  // often as it takes to land in the middle of a run (on a loaded machine the clock says little).
  const kills: { at: string; now: (started: number, commitsBefore: number) => boolean }[] = [
    ...[1500, 2500].map((ms) => ({ at: `${ms} ms`, now: (started: number) => Date.now() - started > ms })),
    ...Array.from({ length: 6 }, () => ({ at: 'a new commit', now: (_started: number, before: number) => committed() > before })),
  ];
  for (const kill of kills) {
    const before = committed();
    const started = Date.now();
    const run = await runCli(args, { killWhen: () => kill.now(started, before) });
    const store = await IndexStore.open(indexDir, identity, { write: false });
    assert.deepEqual(await indexProblems(indexDir, identity), [], `after a kill at ${kill.at}`);
    // In the middle: some files not indexed yet (the fast tier), or some chunks without the transformer's vectors (the deep tier).
    if (store.catalog.size > 0 && (store.catalog.size < 60 || store.tierCounts.fast > 0)) sawPartialIndex = true;
    await store.close();
    if (run.signal !== 'SIGKILL') break; // finished before the kill
  }
  assert.ok(sawPartialIndex, 'at least one kill landed in the middle of indexing');
  const finished = await runCli([...args, '--json']);
  assert.equal(finished.code, 0, finished.stderr);
  assert.equal((JSON.parse(finished.stdout) as IndexSummary).tierCounts.fast, 0, 'the run that finishes completes the deep tier');
  const summary = JSON.parse(finished.stdout) as IndexSummary;
  assert.equal(summary.filesIndexed + summary.filesUnchanged, 60);
  assert.ok(summary.filesUnchanged > 0, 'work committed before the kills is kept');
  const store = await IndexStore.open(indexDir, identity, { write: false });
  assert.deepEqual(await indexProblems(indexDir, identity), []);
  assert.equal(store.catalog.size, 60);
  await store.close();
});
