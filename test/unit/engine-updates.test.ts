/**
 * What the editor integration relies on: updates for a few changed paths (no walk), the include
 * setting, status and clearing, and searches that see each commit.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { copyFixture, tempDir, testEngine } from '../helpers';
import { indexProblems } from '../index-problems';

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

const paths = async (folder: string, indexDir: string, query: string) =>
  (await engine.search(folder, query, { indexDir, topK: 20 })).map((r) => r.path);

test('an update for given paths indexes new and changed files, removes deleted ones, and walks nothing else', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const cold = await engine.index(folder, { indexDir });
  assert.equal(cold.filesIndexed, 5);

  // Changes the editor would report: an edit, a new file, a deletion, a new folder, an ignored file.
  writeFileSync(join(folder, 'notes', 'pasta.txt'), 'Sourdough starter: feed it flour and water every day and keep it warm.\n');
  writeFileSync(join(folder, 'docs', 'telescope.md'), '# Stargazing\n\nPoint the telescope at Saturn to see its rings on a clear night.\n');
  rmSync(join(folder, 'src', 'util', 'dates.py'));
  mkdirSync(join(folder, 'recipes', 'soups'), { recursive: true });
  writeFileSync(join(folder, 'recipes', 'soups', 'miso.md'), '# Miso soup\n\nDissolve the fermented soybean paste in warm dashi broth.\n');
  writeFileSync(join(folder, '.gitignore'), 'secret.txt\n');
  writeFileSync(join(folder, 'secret.txt'), 'The vault combination is written on the back of the painting.\n');
  // A file changed on disk but not reported: a path update must not look at it.
  writeFileSync(join(folder, 'docs', 'deploy.md'), '# Deploying\n\nCompletely different words about gardening tulips.\n');

  const update = await engine.index(folder, {
    indexDir,
    paths: ['notes/pasta.txt', 'docs/telescope.md', 'src/util/dates.py', 'recipes', 'secret.txt'],
  });
  assert.equal(update.filesSeen, 3, 'pasta, telescope, miso: the ignored and deleted paths are not files to index');
  assert.equal(update.filesIndexed, 3, 'indexed');
  assert.equal(update.filesRemoved, 1, 'removed');
  assert.equal(update.filesUnchanged, 0, 'unchanged');

  assert.equal((await paths(folder, indexDir, 'looking at planets through a lens'))[0], 'docs/telescope.md');
  assert.equal((await paths(folder, indexDir, 'japanese broth made with bean paste'))[0], 'recipes/soups/miso.md');
  assert.equal((await paths(folder, indexDir, 'bread dough fermentation culture'))[0], 'notes/pasta.txt');
  const all = await paths(folder, indexDir, 'where is the safe code hidden');
  assert.ok(!all.includes('secret.txt'), 'a file in .gitignore is never indexed');
  assert.ok(!all.includes('src/util/dates.py'), 'a deleted file is gone from results');
  const deploy = await engine.search(folder, 'growing flowers in the garden', { indexDir, topK: 20 });
  assert.ok(!deploy.some((r) => r.path === 'docs/deploy.md' && /tulips/.test(r.snippet)), 'unreported paths are not looked at');
  assert.deepEqual(await indexProblems(indexDir), []);

  // Deleting a folder removes everything under it; the full pass then picks up the unreported change.
  rmSync(join(folder, 'recipes'), { recursive: true });
  const removal = await engine.index(folder, { indexDir, paths: ['recipes'] });
  assert.equal(removal.filesRemoved, 1, 'the folder\'s one file');
  const full = await engine.index(folder, { indexDir });
  assert.equal(full.filesIndexed, 2, 'docs/deploy.md and .gitignore: changed and created without a report');
  assert.equal((await paths(folder, indexDir, 'growing flowers in the garden'))[0], 'docs/deploy.md');
  assert.deepEqual(await indexProblems(indexDir), []);
});

test('a path that becomes ignored, or grows over the size limit, leaves the index', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  writeFileSync(join(folder, '.quipuignore'), 'notes/\n');
  writeFileSync(join(folder, 'docs', 'deploy.md'), '# Deploying\n' + 'x'.repeat(2 * 1024 * 1024));
  const update = await engine.index(folder, { indexDir, paths: ['notes/pasta.txt', 'docs/deploy.md'] });
  assert.equal(update.filesRemoved, 2);
  assert.match(update.skipped.find((s) => s.path === 'docs/deploy.md')?.reason ?? '', /larger than/);
  const status = await engine.status(indexDir);
  assert.equal(status.files, 3);
});

test('the include setting limits what is indexed', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const summary = await engine.index(folder, { indexDir, files: { ...engine.config.files, include: ['src/**/*.ts'] } });
  assert.equal(summary.filesIndexed, 2);
  const status = await engine.status(indexDir);
  assert.equal(status.files, 2);
  assert.ok(status.chunks >= 2);
});

test('status reports files, chunks, size and model; clearing deletes the index', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const status = await engine.status(indexDir);
  assert.equal(status.files, 5);
  assert.ok(status.chunks >= 5);
  assert.ok(status.diskBytes > 10_000);
  assert.equal(status.modelId, engine.model.id);
  assert.ok(status.updatedAt && !Number.isNaN(Date.parse(status.updatedAt)));
  assert.equal(status.staleReason, undefined);
  await engine.search(folder, 'password hashing', { indexDir });
  await engine.clearIndex(indexDir);
  assert.equal((await engine.status(indexDir)).files, 0);
  await assert.rejects(engine.search(folder, 'password hashing', { indexDir }), /Nothing is indexed/);
});

test('a search sees every commit, though it reuses the open index between commits', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const before = await paths(folder, indexDir, 'the orbit of the moon around the earth');
  assert.ok(!before.includes('notes/moon.md'));
  writeFileSync(join(folder, 'notes', 'moon.md'), '# The Moon\n\nThe moon circles our planet once every 27 days.\n');
  await engine.index(folder, { indexDir, paths: ['notes/moon.md'] });
  assert.equal((await paths(folder, indexDir, 'the orbit of the moon around the earth'))[0], 'notes/moon.md');
});

test('a search answers while a long indexing run keeps the model busy (the query lane)', async () => {
  const searched = copyFixture('corpus');
  const searchedIndex = tempDir();
  await engine.index(searched, { indexDir: searchedIndex });
  const busy = tempDir();
  for (let i = 0; i < 60; i++) {
    writeFileSync(join(busy, `essay-${i}.md`), `# Essay ${i}\n\n` + `Sentence ${i} on a topic of its own, number ${i * 7}, with plenty of words to embed.\n`.repeat(40));
  }
  let searchFinishedWhileIndexing: boolean | undefined;
  let indexingDone = false;
  let started = false;
  let search: Promise<void> | undefined;
  await engine.index(busy, {
    indexDir: tempDir(),
    onEvent: (event) => {
      // The transformer's pass (the deep tier) is the one that keeps the model busy.
      if (event.type === 'done' && event.summary.tier === 'deep') indexingDone = true;
      if (!started && event.type === 'progress' && event.progress.tier === 'deep' && event.progress.chunksEmbedded > 0) {
        started = true;
        search = engine.search(searched, 'wait longer after each failed attempt', { indexDir: searchedIndex, topK: 1 }).then((results) => {
          assert.equal(results[0]?.path, 'src/net/retry.ts');
          searchFinishedWhileIndexing = !indexingDone;
        });
      }
    },
  });
  await search;
  assert.equal(searchFinishedWhileIndexing, true, 'the query did not wait for the indexing run to end');
});

test('embedding with context (path and symbol in front, the default) is a setting of its own: switching it rebuilds', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  assert.equal(engine.config.chunk.embedContext, true);
  await engine.index(folder, { indexDir });
  const plain = await testEngine({ chunk: { embedContext: false } });
  const rebuilt = await plain.index(folder, { indexDir });
  assert.match(rebuilt.rebuildReason ?? '', /chunk settings changed .*context/);
  assert.equal(rebuilt.filesIndexed, 5);
  const [first] = await plain.search(folder, 'wait longer after each failed attempt', { indexDir, topK: 1 });
  assert.equal(first?.path, 'src/net/retry.ts');
  assert.equal(first?.symbol, 'withRetry');
});
