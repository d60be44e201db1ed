/**
 * Snippets show the lines of a chunk that matched the query's words (src/core/search/snippet.ts), on
 * real files: the corpus fixture and Quipu's own sources, cut as chunks would be.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { trimSnippet } from '../../src/core/search/agent-text';
import { SNIPPET_MAX_LINES, snippetOf, SnippetTerms } from '../../src/core/search/snippet';
import { FIXTURES, ROOT } from '../helpers';

const retry = readFileSync(join(FIXTURES, 'corpus', 'src', 'net', 'retry.ts'), 'utf8').trimEnd();
const password = readFileSync(join(FIXTURES, 'corpus', 'src', 'auth', 'password.ts'), 'utf8').trimEnd();
const fileLines = (text: string) => text.split('\n');

/** The snippet's lines are the file's lines from `startLine` on (its last line "…" when the chunk goes on). */
function assertFileLines(text: string, firstLine: number, snippet: { text: string; startLine: number }): void {
  const shown = snippet.text.replace(/\n…$/, '').split('\n');
  assert.deepEqual(shown, fileLines(text).slice(snippet.startLine - firstLine, snippet.startLine - firstLine + shown.length));
}

test('the lines that hold the query words, read as code: "fetch json" finds fetchJson, not the first lines', () => {
  const snippet = snippetOf(retry, 1, new SnippetTerms('fetch json'));
  assert.equal(snippet.startLine, 27, 'the blank line above the match is not shown');
  assert.match(snippet.text, /^export async function fetchJson/);
  assertFileLines(retry, 1, snippet);
});

test('the window with the most query words wins, with the line above its first match', () => {
  // "exponential" matches "exponentially" as a prefix; the comment holds both words, the loop only "delay".
  const snippet = snippetOf(retry, 1, new SnippetTerms('exponential delay'));
  assert.equal(snippet.startLine, 10);
  assert.match(snippet.text, /exponentially growing delay/);
  assert.ok(snippet.text.split('\n').length <= SNIPPET_MAX_LINES + 1);
  assert.match(snippet.text, /\n…$/, 'the chunk goes on below the window');
  assertFileLines(retry, 1, snippet);
});

test('line numbers follow the chunk: a chunk from the middle of a file', () => {
  const source = readFileSync(join(ROOT, 'src', 'core', 'search', 'lexical.ts'), 'utf8');
  const at = fileLines(source).findIndex((line) => line.includes('term rarity are summed')) + 1;
  assert.ok(at > 20, 'the line is there');
  const firstLine = at - 15;
  const chunk = fileLines(source).slice(firstLine - 1, firstLine - 1 + 40).join('\n');
  const snippet = snippetOf(chunk, firstLine, new SnippetTerms('term rarity summed'));
  assert.equal(snippet.startLine, at - 1);
  assert.match(snippet.text.split('\n')[1], /term rarity are summed/);
  assertFileLines(chunk, firstLine, snippet);
});

test('abbreviations and parts of identifiers match; no match at all shows the first lines', () => {
  const split = snippetOf(password, 1, new SnippetTerms('split the stored string'));
  // Line 18 holds two of the words (`stored: string`), line 19 two (`stored.split`): from the comment above.
  assert.equal(split.startLine, 17);
  assert.match(split.text, /stored\.split/);
  assertFileLines(password, 1, split);
  const none = snippetOf(retry, 1, new SnippetTerms('tulips and windmills'));
  assert.equal(none.startLine, 1);
  assert.match(none.text, /^export interface RetryOptions/);
  assert.equal(snippetOf(retry, 5).startLine, 5, 'no query words: the first lines');
});

test('agent text numbers the snippet lines from the snippet start, blank edges dropped', () => {
  const snippet = snippetOf(retry, 1, new SnippetTerms('fetch json'));
  const text = trimSnippet(snippet.text, snippet.startLine, 3);
  assert.deepEqual(text.split('\n'), ['27: export async function fetchJson(url: string): Promise<unknown> {', '28:   return withRetry(async () => {', '29:     const response = await fetch(url);', '…']);
  assert.equal(trimSnippet('\n\nx\n', 9, 5), '11: x');
  assert.equal(trimSnippet('x', 1, 0), '');
});
