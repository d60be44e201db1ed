/**
 * One search path (src/core/search/search.ts), its local side: a folder's index answers every query
 * of the contract (test/contracts/search-contract-corpus.ts) in every mode, honours every filter,
 * shows the file's own lines, and puts a quoted phrase first. No server: test/system's
 * search-contract.test.ts checks that a team index on Chroma ranks the same content alike.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { quotedPhrase } from '../../src/core/search/rank';
import type { SearchOptions, SearchResult } from '../../src/core/search/search';
import { assertSnippetLines, contractFolder, MODES, OPTIONS, PHRASE, QUERIES } from '../contracts/search-contract-corpus';
import { tempDir, testEngine } from '../helpers';

let engine: QuipuEngine;
const folder = contractFolder();
const indexDir = join(tempDir(), 'index');

before(async () => {
  engine = await testEngine();
  const summary = await engine.index(folder, { indexDir });
  assert.ok(summary.filesIndexed > 5, 'the corpus and the search sources are indexed');
});

/** What each filter of OPTIONS promises about the results. */
function assertFilters(results: SearchResult[], options: SearchOptions, what: string): void {
  assert.ok(results.length <= (options.topK ?? 10), `${what}: at most topK results`);
  const paths = results.map((r) => r.path);
  if (options.groupByFile) assert.equal(new Set(paths).size, paths.length, `${what}: one result per file`);
  if (options.types) assert.ok(paths.every((p) => p.endsWith('.ts')), `${what}: ${paths.join(', ')}`);
  if (options.include) assert.ok(paths.every((p) => p.startsWith('src/') && !p.endsWith('/lexical.ts')), `${what}: ${paths.join(', ')}`);
}

test('the local index answers every query in every mode, with every filter honoured and the file\'s own lines shown', async () => {
  let compared = 0;
  for (const mode of MODES) {
    for (const query of QUERIES) {
      for (const options of OPTIONS) {
        const what = `${mode} "${query}" ${JSON.stringify(options)}`;
        const local = await engine.search(folder, query, { ...options, mode, indexDir });
        assert.ok(local.length > 0, `${what} finds something`);
        assertFilters(local, options, what);
        local.forEach((result) => assertSnippetLines(folder, result));
        compared++;
      }
    }
  }
  assert.equal(compared, MODES.length * QUERIES.length * OPTIONS.length);
});

test('a quoted phrase puts the chunk holding it first, where its words alone would not', async () => {
  const [unquoted] = await engine.search(folder, PHRASE.slice(1, -1), { indexDir, mode: 'lexical', topK: 3 });
  assert.equal(unquoted?.path, 'notes/flushing.md', 'without quotes, the words alone decide (the test needs that to mean something)');
  for (const mode of ['hybrid', 'lexical'] as const) {
    const [first] = await engine.search(folder, PHRASE, { indexDir, mode });
    assert.equal(first?.path, 'notes/journal.md', mode);
    assert.ok(first.snippet.toLowerCase().includes(quotedPhrase(PHRASE)!), `${mode}: the snippet shows the phrase: ${first.snippet}`);
  }
});
