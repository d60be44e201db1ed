import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractDocument, ExtractionError } from '../../src/core/extract/documents';
import { DOCS } from '../helpers';

const read = (name: string) => new Uint8Array(readFileSync(join(DOCS, name)));

test('PDF text comes out per page, with the line where each page begins', async () => {
  const doc = await extractDocument('pdf', read('solar-guide.pdf'));
  assert.deepEqual(doc.pages?.map((p) => p.page), [1, 2, 3]);
  const lines = doc.text.split('\n');
  const pageText = (n: number) => lines.slice(doc.pages![n - 1].startLine - 1, doc.pages![n]?.startLine ? doc.pages![n].startLine - 1 : undefined).join('\n');
  assert.match(pageText(1), /photovoltaic/);
  assert.match(pageText(2), /^Sizing a home battery bank/);
  assert.doesNotMatch(pageText(2), /photovoltaic cells/);
  assert.match(pageText(3), /Cleaning and maintaining panels in\s+winter/);
  assert.ok(!doc.text.includes('\r'));
});

test('DOCX text keeps headings, paragraphs and list items', async () => {
  const doc = await extractDocument('docx', read('beekeeping.docx'));
  assert.equal(doc.pages, undefined);
  for (const expected of ['Keeping bees through the season', 'Preventing swarms', 'Queen cells hanging', 'centrifugal extractor']) {
    assert.ok(doc.text.includes(expected), `missing: ${expected}`);
  }
});

test('broken documents fail with a clear ExtractionError', async () => {
  const cases: [string, 'pdf' | 'docx', RegExp][] = [
    ['corrupt.pdf', 'pdf', /unreadable PDF/],
    ['corrupt.docx', 'docx', /unreadable DOCX/],
    ['not-really.pdf', 'pdf', /not a PDF file/],
    ['empty.pdf', 'pdf', /empty PDF file/],
    ['solar-guide.pdf', 'docx', /not a DOCX file/],
  ];
  for (const [name, kind, message] of cases) {
    await assert.rejects(extractDocument(kind, read(name)), (error: Error) => error instanceof ExtractionError && message.test(error.message), name);
  }
});
