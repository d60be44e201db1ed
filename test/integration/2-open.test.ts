/** Opening results the way the quick pick does: the right file, the hit's lines selected and shown. */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, teardown, test } from 'mocha';
import type { QuipuApi } from '../../src/extension/api';
import { closeAllEditors, indexWorkspace, quipu, searchAndOpenFirst } from './helpers';

suite('Opening results', () => {
  let api: QuipuApi;

  suiteSetup(async () => {
    api = await quipu();
    await indexWorkspace(api);
  });

  teardown(closeAllEditors);

  test('Enter in "Quipu: Search" opens retry.ts with the hit\'s lines selected and visible', async () => {
    const query = 'wait longer after each failed attempt';
    const [top] = await api.search(query);
    assert.equal(top?.path, 'src/net/retry.ts');
    const editor = await searchAndOpenFirst(query, 'src/net/retry.ts');
    assert.equal(editor.document.uri.scheme, 'file');
    assert.equal(editor.selection.start.line, top.startLine - 1, 'selection starts at the hit');
    assert.equal(editor.selection.end.line, Math.min(top.endLine, editor.document.lineCount) - 1, 'selection ends at the hit');
    assert.ok(
      editor.visibleRanges.some((range) => range.contains(editor.selection.start)),
      `the hit's first line ${top.startLine} is not visible: ${JSON.stringify(editor.visibleRanges)}`,
    );
  });

  test('a PDF hit opens as its extracted text (quipu-doc:), not as bytes', async () => {
    const query = 'electricity from sunlight on the roof';
    const [top] = await api.search(query);
    assert.equal(top?.path, 'docs/solar-guide.pdf');
    const editor = await searchAndOpenFirst(query, 'docs/solar-guide.pdf');
    assert.equal(editor.document.uri.scheme, 'quipu-doc');
    const text = editor.document.getText();
    assert.ok(!text.startsWith('%PDF'), 'the PDF opened as raw bytes');
    assert.match(text, /photovoltaic/i);
    assert.equal(editor.selection.start.line, top.startLine - 1);
    const firstLine = top.snippet.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
    assert.ok(editor.document.lineAt(top.startLine - 1).text.includes(firstLine.slice(0, 20)), `line ${top.startLine} does not start the hit`);
  });

  test('a DOCX hit opens as its extracted text too', async () => {
    const query = 'looking after honey bee colonies';
    const [top] = await api.search(query);
    assert.equal(top?.path, 'docs/beekeeping.docx');
    const editor = await searchAndOpenFirst(query, 'docs/beekeeping.docx');
    assert.equal(editor.document.uri.scheme, 'quipu-doc');
    assert.match(editor.document.getText(), /hive/i);
    assert.ok(!editor.document.getText().startsWith('PK'), 'the DOCX opened as zip bytes');
  });
});
