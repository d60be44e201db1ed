import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { transformSync } from 'esbuild';
import type { QuipuEngine } from '../../src/core/engine/engine';
import type { IndexEvent } from '../../src/core/pipeline/events';
import { cosine } from '../../src/core/embed/pooling';
import { splitCompoundWords } from '../../src/core/embed/model-input';
import { IndexStore } from '../../src/core/store/store';
import { copyFixture, FIXTURES, ROOT, tempDir, testEngine } from '../helpers';

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

test('minified bundles and numeric data are skipped with a reason, and a file that turns into one leaves the index', async () => {
  const folder = copyFixture('corpus');
  const bundle = transformSync(readFileSync(join(ROOT, 'src', 'core', 'search', 'lexical.ts'), 'utf8'), { loader: 'ts', minify: true }).code;
  mkdirSync(join(folder, 'vendor'));
  writeFileSync(join(folder, 'vendor', 'lexical.bundle.js'), bundle);
  copyFileSync(join(FIXTURES, 'reference-embeddings.json'), join(folder, 'notes', 'embeddings.json'));
  const indexDir = tempDir();
  const summary = await engine.index(folder, { indexDir });
  assert.equal(summary.filesIndexed, 5);
  const reasons = Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]));
  assert.match(reasons['vendor/lexical.bundle.js'], /^minified or generated/);
  assert.match(reasons['notes/embeddings.json'], /^data, not text/);
  const hits = await engine.search(folder, 'score documents with BM25 term frequencies', { indexDir, topK: 20 });
  assert.ok(hits.length > 0 && hits.every((h) => h.path !== 'vendor/lexical.bundle.js'), hits.map((h) => h.path).join(', '));

  // A source file replaced by its minified build leaves the index rather than keeping stale chunks.
  writeFileSync(join(folder, 'src', 'net', 'retry.ts'), bundle);
  const after = await engine.index(folder, { indexDir });
  assert.match(Object.fromEntries(after.skipped.map((s) => [s.path, s.reason]))['src/net/retry.ts'], /^minified/);
  const retry = await engine.search(folder, 'wait longer after each failed attempt', { indexDir, topK: 20 });
  assert.ok(retry.every((h) => h.path !== 'src/net/retry.ts'));
});

test('re-indexing: unchanged files are not embedded again; changes, additions and deletions follow', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const first = await engine.index(folder, { indexDir });
  assert.equal(first.filesIndexed, 5);

  const again = await engine.index(folder, { indexDir });
  assert.equal(again.filesIndexed, 0);
  assert.equal(again.filesUnchanged, 5);
  assert.equal(again.chunksEmbedded, 0);

  // Touch without changing content: read and hashed, but not embedded.
  writeFileSync(join(folder, 'notes', 'pasta.txt'), readFileSync(join(folder, 'notes', 'pasta.txt')));
  const touched = await engine.index(folder, { indexDir });
  assert.equal(touched.chunksEmbedded, 0);
  assert.equal(touched.filesUnchanged, 5);

  appendFileSync(join(folder, 'notes', 'pasta.txt'), '\nFor risotto, toast the rice in butter before adding warm stock one ladle at a time.\n');
  writeFileSync(join(folder, 'notes', 'garden.md'), '# Tomatoes\n\nWater tomato plants deeply twice a week and pinch out the side shoots.\n');
  rmSync(join(folder, 'docs', 'deploy.md'));
  const changed = await engine.index(folder, { indexDir });
  assert.equal(changed.filesIndexed, 2);
  assert.equal(changed.filesRemoved, 1);
  assert.equal(changed.filesUnchanged, 3);
  assert.ok(changed.chunksEmbedded >= 2 && changed.chunksEmbedded <= 3, `embedded ${changed.chunksEmbedded}`);

  const [risotto] = await engine.search(folder, 'cooking rice slowly with broth', { indexDir, topK: 1 });
  assert.equal(risotto?.path, 'notes/pasta.txt');
  const [garden] = await engine.search(folder, 'caring for vegetables in the vegetable patch', { indexDir, topK: 1 });
  assert.equal(garden?.path, 'notes/garden.md');
  const deployHits = await engine.search(folder, 'roll back a release with docker', { indexDir, topK: 10 });
  assert.ok(deployHits.every((r) => r.path !== 'docs/deploy.md'), 'a deleted file is no longer found');

  const store = await IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
  assert.deepEqual([...store.catalog.keys()].sort(), ['notes/garden.md', 'notes/pasta.txt', 'src/auth/password.ts', 'src/net/retry.ts', 'src/util/dates.py']);
  await store.close();
});

test('a chunk is embedded once per model input: a copy elsewhere is read with its own path', async () => {
  const folder = copyFixture('corpus');
  copyFileSync(join(folder, 'src', 'net', 'retry.ts'), join(folder, 'src', 'net', 'retry-copy.ts'));
  copyFileSync(join(folder, 'src', 'net', 'retry.ts'), join(folder, 'notes', 'vendored-retry.ts'));
  const indexDir = tempDir();
  const summary = await engine.index(folder, { indexDir });
  assert.equal(summary.filesIndexed, 7);
  // The path goes in front of every chunk (embedContext), so no copy borrows another's vector.
  assert.equal(summary.chunksReused, 0);
  const store = await IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
  const original = [...(await store.tieredVectorsOf('src/net/retry.ts')).values()].map((v) => v.vector);
  const vendored = [...(await store.tieredVectorsOf('notes/vendored-retry.ts')).values()].map((v) => v.vector);
  await store.close();
  assert.equal(vendored.length, original.length);
  // Each copy's vectors lean towards the copy's own path, not towards the file it was copied from.
  const [vendoredPath, originalPath] = await engine.embed([splitCompoundWords('notes/vendored-retry.ts'), splitCompoundWords('src/net/retry.ts')]);
  const lean = (vector: Float32Array) => cosine(vector, vendoredPath) - cosine(vector, originalPath);
  original.forEach((vector, i) => {
    assert.ok(cosine(vector, vendored[i]) < 0.9999, `chunk ${i} of the copy has a vector of its own`);
    assert.ok(lean(vendored[i]) > lean(vector), `chunk ${i} of the copy leans towards its own path`);
  });

  // Without the path in front, the copies are the same input: embedded once, reused for the others.
  const plain = await testEngine({ chunk: { embedContext: false } });
  const withoutContext = await plain.index(folder, { indexDir: tempDir() });
  assert.ok(withoutContext.chunksReused >= 2 * original.length, `reused ${withoutContext.chunksReused}`);
  assert.equal(withoutContext.chunksTotal, withoutContext.chunksEmbedded + withoutContext.chunksReused);
});

test('search filters: path globs, exclusions and file types are applied in the store', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const query = 'wait longer after each failed attempt';
  const all = await engine.search(folder, query, { indexDir, topK: 20 });
  assert.equal(all[0]?.path, 'src/net/retry.ts');
  const onlyDocs = await engine.search(folder, query, { indexDir, include: ['docs/**', 'notes/**'] });
  assert.ok(onlyDocs.length > 0 && onlyDocs.every((r) => r.path.startsWith('docs/') || r.path.startsWith('notes/')));
  const noSrc = await engine.search(folder, query, { indexDir, exclude: ['src/**'] });
  assert.ok(noSrc.length > 0 && noSrc.every((r) => !r.path.startsWith('src/')));
  const python = await engine.search(folder, query, { indexDir, types: ['py'] });
  assert.ok(python.length > 0 && python.every((r) => r.path.endsWith('.py')));
  const tsInSrc = await engine.search(folder, query, { indexDir, include: ['src/**'], types: ['.ts'] });
  assert.deepEqual([...new Set(tsInSrc.map((r) => r.path))].sort(), ['src/auth/password.ts', 'src/net/retry.ts']);
  const grouped = await engine.search(folder, query, { indexDir, topK: 10, groupByFile: true });
  assert.equal(new Set(grouped.map((r) => r.path)).size, grouped.length);
  for (const r of all) {
    assert.ok(r.startLine >= 1 && r.endLine >= r.startLine);
    assert.ok(r.snippet.length > 0);
  }
});

test('a cancelled run stops early, keeps what it finished, and the next run completes the rest', async () => {
  const folder = tempDir();
  for (let i = 0; i < 40; i++) {
    writeFileSync(join(folder, `note-${String(i).padStart(2, '0')}.md`), `# Note ${i}\n\n` + `Paragraph ${i} about topic number ${i}, written plainly.\n`.repeat(20));
  }
  const indexDir = tempDir();
  const controller = new AbortController();
  // The deep tier alone: one pass, so the cancel falls in it (tiers.test.ts cancels between tiers).
  const small = await testEngine({ tiers: 'deep', pipeline: { commitChunks: 5, batchSize: 2 } });
  const cancelled = await small.index(folder, {
    indexDir,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'progress' && e.progress.filesIndexed >= 5) controller.abort();
    },
  });
  assert.equal(cancelled.cancelled, true);
  assert.ok(cancelled.filesIndexed >= 5 && cancelled.filesIndexed < 40, `indexed ${cancelled.filesIndexed}`);
  const resumed = await small.index(folder, { indexDir });
  assert.equal(resumed.cancelled, false);
  assert.equal(resumed.filesUnchanged, cancelled.filesIndexed, 'files finished before the cancel are kept');
  assert.equal(resumed.filesIndexed, 40 - cancelled.filesIndexed);
});

test('a change of chunk settings rebuilds the index and says why', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const other = await testEngine({ chunk: { maxTokens: 128 } });
  const events: IndexEvent[] = [];
  const rebuilt = await other.index(folder, { indexDir, onEvent: (e) => events.push(e) });
  assert.match(rebuilt.rebuildReason ?? '', /chunk settings changed/);
  assert.equal(rebuilt.filesIndexed, 5);
  const start = events.find((e) => e.type === 'start');
  assert.ok(start && start.type === 'start' && /chunk settings/.test(start.rebuildReason ?? ''));
});
