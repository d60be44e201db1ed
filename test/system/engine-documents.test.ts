/**
 * PDF and DOCX through the engine: their text is extracted in child processes (core/child-pool.ts),
 * which die alone whatever a document makes them allocate. Extraction itself, in this process:
 * test/unit/extract.test.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cosine } from '../../src/core/embed/pooling';
import { splitCompoundWords } from '../../src/core/embed/model-input';
import type { QuipuEngine } from '../../src/core/engine/engine';
import type { IndexEvent } from '../../src/core/pipeline/events';
import { IndexStore } from '../../src/core/store/store';
import { copyFixture, DOCS, tempDir, testEngine } from '../helpers';

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

function withDocs(folder: string): string {
  for (const name of ['solar-guide.pdf', 'beekeeping.docx', 'corrupt.pdf', 'corrupt.docx', 'not-really.pdf', 'empty.pdf', 'utf16le.txt']) {
    copyFileSync(join(DOCS, name), join(folder, 'docs', name));
  }
  return folder;
}

test('indexes code, text, PDF and DOCX; corrupt files are skipped with reasons and the run goes on', async () => {
  const folder = withDocs(copyFixture('corpus'));
  const indexDir = tempDir();
  const events: IndexEvent[] = [];
  const summary = await engine.index(folder, { indexDir, onEvent: (e) => events.push(e) });
  assert.equal(summary.cancelled, false);
  assert.equal(summary.filesSeen, 12);
  assert.equal(summary.filesIndexed, 8);
  const reasons = Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]));
  assert.match(reasons['docs/corrupt.pdf'], /PDF/);
  assert.match(reasons['docs/corrupt.docx'], /DOCX/);
  assert.match(reasons['docs/not-really.pdf'], /not a PDF/);
  assert.match(reasons['docs/empty.pdf'], /empty/);
  assert.ok(summary.chunksEmbedded >= 8);
  assert.equal(summary.chunksTotal, summary.chunksEmbedded + summary.chunksReused);
  assert.ok(events.some((e) => e.type === 'progress' && e.progress.chunksEmbedded > 0));
  assert.equal(events.at(-1)?.type, 'done');

  const [battery] = await engine.search(folder, 'how big should the storage for my house be to last through the night', { indexDir, topK: 1 });
  assert.equal(battery?.path, 'docs/solar-guide.pdf');
  assert.equal(battery?.page, 2);
  const [bees] = await engine.search(folder, 'stopping a colony from leaving the box', { indexDir, topK: 1 });
  assert.equal(bees?.path, 'docs/beekeeping.docx');
  const [tea] = await engine.search(folder, 'steeping leaves in hot water', { indexDir, topK: 1 });
  assert.equal(tea?.path, 'docs/utf16le.txt');
});


test('a PDF or DOCX chunk is embedded with its path in front, as a source file is', async () => {
  const folder = tempDir();
  mkdirSync(join(folder, 'guides'));
  copyFileSync(join(DOCS, 'beekeeping.docx'), join(folder, 'guides', 'beekeeping.docx'));
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const store = await IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
  const entry = store.catalog.get('guides/beekeeping.docx');
  assert.ok(entry, 'the DOCX is indexed');
  const [firstText] = await store.texts(entry.textKey);
  const [firstVector] = [...(await store.tieredVectorsOf('guides/beekeeping.docx')).values()].map((v) => v.vector);
  await store.close();
  const [withPath, without] = await engine.embed([splitCompoundWords(`guides/beekeeping.docx\n${firstText}`), splitCompoundWords(firstText)]);
  assert.ok(cosine(firstVector, withPath) > 0.9999, `cosine with the path in front: ${cosine(firstVector, withPath)}`);
  assert.ok(cosine(firstVector, without) < 0.999, `and not without it: ${cosine(firstVector, without)}`);
});
