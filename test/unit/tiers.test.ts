/**
 * Tiers in one index (issue 24): the fast tier (words and static vectors) first, the transformer's
 * vectors (the deep tier) behind it, file by file, with the real models on real folders.
 */
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalEmbedder } from '../../src/core/embed/local-embedder';
import { IndexStore } from '../../src/core/store/store';
import { copyFixture, tempDir, testEngine } from '../helpers';

const PASSWORD_QUERY = 'hash and verify a password';

test('the fast tier answers before the transformer starts; the deep tier then replaces the static vectors', async () => {
  const engine = await testEngine();
  assert.equal(engine.tiers, 'fast-deep');
  const folder = copyFixture('corpus');
  const indexDir = tempDir();

  const fast = await engine.index(folder, { indexDir, passes: 'fast' });
  assert.equal(fast.tier, 'fast');
  assert.equal(fast.filesIndexed, 5);
  assert.deepEqual(fast.tierCounts, { fast: fast.chunksTotal, deep: 0 });
  for (const mode of ['hybrid', 'vector'] as const) {
    const [hit] = await engine.search(folder, PASSWORD_QUERY, { indexDir, topK: 1, mode });
    assert.equal(hit?.path, 'src/auth/password.ts', mode);
  }
  // Neither the index nor its searches started the transformer: no embedding worker (nor the query lane's) is alive.
  assert.ok(engine.embedder instanceof LocalEmbedder);
  assert.equal(engine.embedder.liveWorkers, 0, 'no embedding worker started');

  const deep = await engine.index(folder, { indexDir, passes: 'deep' });
  assert.equal(deep.tier, 'deep');
  assert.equal(deep.filesIndexed, 5, 'every file still fast gets deep vectors');
  assert.deepEqual(deep.tierCounts, { fast: 0, deep: fast.chunksTotal });
  const [hit] = await engine.search(folder, PASSWORD_QUERY, { indexDir, topK: 1 });
  assert.equal(hit?.path, 'src/auth/password.ts');

  // Nothing left to do for either tier.
  const again = await engine.index(folder, { indexDir });
  assert.equal(again.filesIndexed, 0);
  assert.deepEqual(
    again.passes?.map((p) => [p.tier, p.filesIndexed, p.chunksEmbedded]),
    [
      ['fast', 0, 0],
      ['deep', 0, 0],
    ],
  );
});

test('an edited file is fast again until its deep pass; a search ranks both tiers together meanwhile', async () => {
  const engine = await testEngine();
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  appendFileSync(join(folder, 'notes', 'pasta.txt'), '\nFor risotto, toast the rice in butter before adding warm stock one ladle at a time.\n');

  const edited = await engine.index(folder, { indexDir, passes: 'fast' });
  assert.equal(edited.filesIndexed, 1);
  const { fast, deep } = edited.tierCounts;
  assert.ok(fast >= 1 && deep >= 1, JSON.stringify(edited.tierCounts));
  // Unchanged chunks of the edited file keep their deep vectors; only new inputs are fast.
  const store = await IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
  const tiers = [...(await store.tieredVectorsOf('notes/pasta.txt')).values()].map((v) => v.tier);
  await store.close();
  assert.equal(tiers.filter((t) => t === 'fast').length, fast, `tiers of notes/pasta.txt: ${tiers.join(', ')}`);

  // A fast chunk (the new paragraph) and deep chunks (the rest) in one ranking.
  const [risotto] = await engine.search(folder, 'cooking rice slowly with broth', { indexDir, topK: 1 });
  assert.equal(risotto?.path, 'notes/pasta.txt');
  const [password] = await engine.search(folder, PASSWORD_QUERY, { indexDir, topK: 1 });
  assert.equal(password?.path, 'src/auth/password.ts');

  const deepened = await engine.index(folder, { indexDir, passes: 'deep' });
  assert.equal(deepened.filesIndexed, 1);
  assert.equal(deepened.chunksEmbedded, fast, 'only the fast chunks are embedded by the transformer');
  assert.equal(deepened.tierCounts.fast, 0);
});

test('a run stopped in the deep tier keeps the fast tier and the deep vectors done; the next run deepens the rest', async () => {
  const folder = tempDir();
  // Enough files that the deep pass is still going when its first file is stored (windows of 32 chunks).
  for (let i = 0; i < 90; i++) {
    writeFileSync(join(folder, `note-${String(i).padStart(2, '0')}.md`), `# Note ${i}\n\n` + `Paragraph ${i} about topic number ${i}, written plainly.\n`.repeat(20));
  }
  const indexDir = tempDir();
  const engine = await testEngine({ pipeline: { commitChunks: 5, batchSize: 2 } });
  const controller = new AbortController();
  const stopped = await engine.index(folder, {
    indexDir,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'progress' && e.progress.tier === 'deep' && e.progress.filesIndexed >= 1) controller.abort();
    },
  });
  assert.equal(stopped.cancelled, true);
  assert.deepEqual(
    stopped.passes?.map((p) => [p.tier, p.cancelled]),
    [
      ['fast', false],
      ['deep', true],
    ],
  );
  const { fast, deep } = stopped.tierCounts;
  assert.ok(deep > 0 && fast > 0, JSON.stringify(stopped.tierCounts));
  assert.equal(fast + deep, stopped.chunksTotal);

  const resumed = await engine.index(folder, { indexDir });
  assert.equal(resumed.cancelled, false);
  const [fastPass, deepPass] = resumed.passes ?? [];
  assert.equal(fastPass.filesIndexed, 0, 'the fast tier was complete');
  assert.equal(deepPass.chunksEmbedded, fast, 'only the chunks still fast are embedded');
  assert.deepEqual(resumed.tierCounts, { fast: 0, deep: fast + deep });
});

test('a vector the transformer made before (the machine cache) makes a chunk deep in the fast pass', async () => {
  const cache = { dir: tempDir(), maxBytes: 64 << 20 };
  const engine = await testEngine({ vectorCache: cache });
  const folder = copyFixture('corpus');
  const first = await engine.index(folder, { indexDir: tempDir() });
  assert.equal(first.tierCounts.fast, 0);
  // Another index of the same folder (a worktree, a clone): the fast pass alone finds every deep vector.
  const other = await engine.index(folder, { indexDir: tempDir(), passes: 'fast' });
  assert.deepEqual(other.tierCounts, { fast: 0, deep: first.chunksTotal });
  assert.equal(other.chunksEmbedded, 0);
});

