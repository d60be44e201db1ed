/**
 * What the model reads: chunks without wiring and pragmas, compound words cut, for chunks and
 * queries alike; checked on the text, then on the vectors the real engine stores and searches with.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cosine } from '../../src/core/embed/pooling';
import { chunkModelInput, queryModelInput, splitCompoundWords } from '../../src/core/embed/model-input';
import { loadTokenizer, wrapTokenizer } from '../../src/core/embed/tokenizer';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { IndexStore } from '../../src/core/store/store';
import { MODEL_DIR, tempDir, testEngine } from '../helpers';

test('compound identifiers are cut into words; snake_case, plain words and numbers are left alone', () => {
  assert.equal(splitCompoundWords('dropLastWhile'), 'drop Last While');
  assert.equal(splitCompoundWords('XMLHttpRequest getHeaderValue'), 'XML Http Request get Header Value');
  assert.equal(splitCompoundWords('base64Encode and HTTPServer'), 'base64 Encode and HTTP Server');
  assert.equal(splitCompoundWords('max_retries, Parse the JSON text, v2 API'), 'max_retries, Parse the JSON text, v2 API');
  assert.equal(queryModelInput('parseJSON', true), 'parse JSON');
  assert.equal(queryModelInput('parseJSON', false), 'parseJSON');
});

const AND_JS = ['import _curry2 from "./internal/_curry2.js";', '', 'var and = /*#__PURE__*/_curry2(function and(a, b) {', '  return a && b;', '});', 'export default and;'].join('\n');

test('the chunk keeps its code; wiring lines and tool pragmas are left out; its whereabouts lead', () => {
  const input = chunkModelInput(AND_JS, 1, { context: { path: 'es/and.js', symbol: 'and' }, stripBoilerplate: true, wiringLines: new Set([1, 6]), splitWords: false });
  assert.equal(input, ['es/and.js · and', '', 'var and = _curry2(function and(a, b) {', '  return a && b;', '});'].join('\n'));
  // Wiring lines are lines of the file: a chunk starting at line 5 skips the file's line 6, its second.
  assert.equal(chunkModelInput('});\nexport default and;', 5, { stripBoilerplate: true, wiringLines: new Set([1, 6]), splitWords: false }), '});');
  // A chunk that is nothing but imports (an index file) is kept whole rather than emptied.
  const reexports = 'export * from "./a";\nexport { b } from "./b";';
  assert.equal(chunkModelInput(reexports, 1, { stripBoilerplate: true, wiringLines: new Set([1, 2]), splitWords: false }), reexports);
  // Linter, coverage and type-checker pragmas go too; a doc comment stays.
  const pragmas = '/** Reads the file. */\nconst x = load(); // eslint-disable-line no-undef\n/* istanbul ignore next */\n// @ts-ignore\nfoo();';
  assert.equal(chunkModelInput(pragmas, 1, { stripBoilerplate: true, splitWords: false }), '/** Reads the file. */\nconst x = load(); \n\n\nfoo();');
  // Switched off, the chunk is read as it is.
  assert.equal(chunkModelInput(AND_JS, 1, { stripBoilerplate: false, wiringLines: new Set([1, 6]), splitWords: false }), AND_JS);
  assert.equal(chunkModelInput('function dropLastWhile() {}', 1, { context: { path: 'src/dropLastWhile.js' }, stripBoilerplate: false, splitWords: true }), 'src/drop Last While.js\nfunction drop Last While() {}');
});

test('words are cut only for a tokenizer that lower-cases (uncased MiniLM does; a cased one does not)', async () => {
  assert.equal((await loadTokenizer(MODEL_DIR)).lowercases, true);
  const cased = wrapTokenizer({ encode: (text) => [...text].map((c) => c.charCodeAt(0)) });
  assert.equal(cased.lowercases, false);
});

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

test('the engine stores the vector of the prepared chunk and searches with the prepared query', async () => {
  const folder = tempDir();
  mkdirSync(join(folder, 'es'));
  writeFileSync(join(folder, 'es', 'and.js'), AND_JS);
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const store = await IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
  const [stored] = [...(await store.tieredVectorsOf('es/and.js')).values()].map((v) => v.vector);
  await store.close();
  assert.ok(stored, 'the file has a chunk');

  const [prepared, asIs] = await engine.embed(['es/and.js · and\n\nvar and = _curry2(function and(a, b) {\n  return a && b;\n});', `es/and.js · and\n${AND_JS}`]);
  assert.ok(cosine(stored, prepared) > 0.9999, `stored vector is the prepared chunk's (cosine ${cosine(stored, prepared)})`);
  assert.ok(cosine(stored, asIs) < 0.99, `and not the raw chunk's (cosine ${cosine(stored, asIs)})`);

  // A vector search scores by exact cosine: the query was embedded as "drop Last While".
  const [hit] = await engine.search(folder, 'dropLastWhile', { indexDir, mode: 'vector', topK: 1 });
  const [splitQuery, rawQuery] = await engine.embed(['drop Last While', 'dropLastWhile']);
  assert.ok(Math.abs(hit.score - cosine(stored, splitQuery)) < 1e-4, `score ${hit.score} is the cut query's ${cosine(stored, splitQuery)}`);
  assert.ok(Math.abs(hit.score - cosine(stored, rawQuery)) > 1e-3, 'not the raw query\'s');
});
