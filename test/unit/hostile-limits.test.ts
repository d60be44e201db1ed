import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractDocument, ExtractionError } from '../../src/core/extract/documents';
import { pdfBombReason, zipBombReason } from '../../src/core/extract/inflate-guard';
import { isSafeIndexPath } from '../../src/core/store/catalog';
import { FORMAT_VERSION, manifestProblem } from '../../src/core/store/manifest';
import type { Manifest } from '../../src/core/store/types';
import { writeDocxBomb, writePdfBomb } from '../faults/bombs';
import { DOCS, tempDir } from '../helpers';

const MB = 1024 * 1024;

test('real PDF and DOCX files pass the inflation check; bombs do not, whatever their directory says', async () => {
  for (const name of ['solar-guide.pdf', 'empty.pdf']) assert.equal(await pdfBombReason(readFileSync(join(DOCS, name)), 8 * MB), undefined, name);
  assert.equal(await zipBombReason(readFileSync(join(DOCS, 'beekeeping.docx')), 8 * MB), undefined);
  const dir = tempDir();
  writeDocxBomb(join(dir, 'honest.docx'), 64 * MB);
  writeDocxBomb(join(dir, 'lying.docx'), 64 * MB, { lying: true });
  writePdfBomb(join(dir, 'bomb.pdf'), 64 * MB);
  assert.match((await zipBombReason(readFileSync(join(dir, 'honest.docx')), 16 * MB)) ?? '', /^inflates to 64 MB \(word\/document\.xml: 64 MB\)/);
  assert.match((await zipBombReason(readFileSync(join(dir, 'lying.docx')), 16 * MB)) ?? '', /larger than its directory says/);
  assert.match((await pdfBombReason(readFileSync(join(dir, 'bomb.pdf')), 16 * MB)) ?? '', /inflate to more than 16 MB/);
  // Within a larger limit, the same files pass (the check measures, it does not guess).
  assert.equal(await zipBombReason(readFileSync(join(dir, 'lying.docx')), 65 * MB), undefined);
  assert.equal(await pdfBombReason(readFileSync(join(dir, 'bomb.pdf')), 65 * MB), undefined);
  await assert.rejects(
    extractDocument('docx', readFileSync(join(dir, 'honest.docx')), { maxInflatedBytes: 16 * MB, maxExtractedChars: MB }),
    (error: Error) => error instanceof ExtractionError && /^DOCX refused: .*quipu\.maxInflatedMB/.test(error.message),
  );
  await assert.rejects(
    extractDocument('pdf', readFileSync(join(DOCS, 'solar-guide.pdf')), { maxInflatedBytes: 16 * MB, maxExtractedChars: 100 }),
    (error: Error) => error instanceof ExtractionError && /longer than 100 characters \(quipu\.maxExtractedChars\)/.test(error.message),
  );
});

test('index paths must stay inside the folder; manifest numbers must be counts', () => {
  for (const ok of ['a.md', 'src/a.ts', 'line\nbreak.md', '.hidden/x', 'a..b/c', '…/x']) assert.equal(isSafeIndexPath(ok), true, ok);
  for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a/./b', 'a//b', 'a/', 'C:/x', 'a\0b', './a']) assert.equal(isSafeIndexPath(bad), false, JSON.stringify(bad));
  const good: Manifest = { formatVersion: FORMAT_VERSION, modelId: 'm', chunkKey: 'k', dimensions: 384, shards: 2, catalogGeneration: 3, shardGenerations: [1, 0], updatedAt: '' };
  assert.equal(manifestProblem(good), undefined);
  assert.match(manifestProblem({ ...good, catalogGeneration: '1/../../x' as unknown as number }) ?? '', /catalog generation/);
  assert.match(manifestProblem({ ...good, shardGenerations: [1] }) ?? '', /shard generations/);
  assert.match(manifestProblem({ ...good, shards: 1e9 }) ?? '', /shards/);
  assert.match(manifestProblem([] as unknown as Manifest) ?? '', /not an object/);
});

test("settings a repository's own .vscode/settings.json must not set are machine-scoped", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { scope?: string }> } };
  };
  const properties = manifest.contributes.configuration.properties;
  // A model path or Hugging Face id (reads outside the folder, downloads), CPU and memory, and the
  // limits on hostile input: VS Code ignores machine-scoped settings in workspace and folder settings.
  for (const key of ['quipu.model', 'quipu.embedWorkers', 'quipu.embedThreads', 'quipu.chunkWorkers', 'quipu.batchSize', 'quipu.maxInflatedMB', 'quipu.maxExtractedChars', 'quipu.workerHeapMB']) {
    assert.equal(properties[key]?.scope, 'machine', key);
  }
});
