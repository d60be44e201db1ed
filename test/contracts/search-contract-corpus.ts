/**
 * What the search contract searches (test/unit and test/system search-contract.test.ts): the corpus
 * fixture and Quipu's own search sources, embedded by the real model, with queries for sentences,
 * identifiers and quoted phrases, in every mode, with every filter.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchMode, SearchOptions, SearchResult } from '../../src/core/search/search';
import { copyFixture, ROOT } from '../helpers';

/** A fresh copy of the contract's folder. */
export function contractFolder(): string {
  const folder = copyFixture('corpus');
  cpSync(join(ROOT, 'src', 'core', 'search'), join(folder, 'src', 'search'), { recursive: true });
  // flushing.md repeats the words (BM25 likes it) but never in order; journal.md says the phrase once.
  writeFileSync(join(folder, 'notes', 'flushing.md'), '# Notes\n\nFlushed writes: every write is logged, after which it is flushed; flushed every time, write after write, every flushed write after every write.\n');
  writeFileSync(join(folder, 'notes', 'journal.md'), '# Journal\n\nThe storage layer keeps pages in memory for a while. Its cache is flushed after every write, which costs some speed but loses nothing on a crash.\n');
  return folder;
}

export const PHRASE = '"flushed after every write"';
export const QUERIES = ['how are passwords hashed', 'retry a request with exponential backoff', 'fuseRankings', 'searchLexical', '"term rarity are summed"', PHRASE, 'parse json'];
export const OPTIONS: SearchOptions[] = [{}, { topK: 20 }, { groupByFile: true }, { types: ['ts'] }, { include: ['src/**'], exclude: ['**/lexical.ts'] }];
export const MODES: SearchMode[] = ['hybrid', 'vector', 'lexical'];

/** A snippet is the file's lines from snippetStartLine on, within the chunk's lines. */
export function assertSnippetLines(folder: string, result: SearchResult): void {
  const shown = result.snippet.replace(/\n…$/, '').split('\n');
  const file = readFileSync(join(folder, result.path), 'utf8').split('\n');
  assert.ok(result.snippetStartLine >= result.startLine && result.snippetStartLine + shown.length - 1 <= result.endLine, `${result.path}:${result.startLine}-${result.endLine} shows lines from ${result.snippetStartLine}`);
  shown.forEach((line, i) => assert.equal(line, file[result.snippetStartLine - 1 + i], `${result.path} line ${result.snippetStartLine + i}`));
}
