import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chunkText, type ChunkTokenizer } from '../../src/core/chunk/chunker';
import { loadTokenizer } from '../../src/core/embed/tokenizer';
import { FIXTURES, MODEL_DIR, ROOT } from '../helpers';

let tokenizer: ChunkTokenizer;
before(async () => {
  tokenizer = await loadTokenizer(MODEL_DIR);
});

const settings = { maxTokens: 64, overlapTokens: 8 };

test('the tokenizer is the model\'s own (BERT WordPiece with [CLS] and [SEP])', () => {
  assert.deepEqual(tokenizer.encodeForModel('This is an example sentence', 256), [101, 2023, 2003, 2019, 2742, 6251, 102]);
  assert.equal(tokenizer.specialTokenCount, 2);
});

test('chunks of real code respect the token limit and keep exact line ranges', () => {
  const text = readFileSync(join(ROOT, 'node_modules', 'commander', 'lib', 'command.js'), 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const chunks = chunkText(text, tokenizer, settings);
  assert.ok(chunks.length > 50, `expected many chunks, got ${chunks.length}`);
  for (const chunk of chunks) {
    assert.ok(chunk.ids.length <= settings.maxTokens, `chunk of ${chunk.ids.length} tokens`);
    assert.equal(chunk.ids[0], 101);
    assert.equal(chunk.ids[chunk.ids.length - 1], 102);
    assert.ok(chunk.startLine >= 1 && chunk.endLine >= chunk.startLine && chunk.endLine <= lines.length);
    // The chunk is the lines it claims (or a piece of them, where a line alone exceeds the limit).
    const claimed = lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    assert.ok(claimed.includes(chunk.text), `chunk text is not within lines ${chunk.startLine}-${chunk.endLine}`);
  }
  // Where every line fits, a chunk is exactly its lines.
  const whole = chunks.filter((c) => lines.slice(c.startLine - 1, c.endLine).join('\n') === c.text);
  assert.ok(whole.length / chunks.length > 0.9, 'most chunks are whole lines');
});

test('every non-blank line is covered, in order, with a small overlap', () => {
  const text = readFileSync(join(FIXTURES, 'corpus', 'src', 'net', 'retry.ts'), 'utf8');
  const lines = text.split('\n');
  const chunks = chunkText(text, tokenizer, settings);
  const covered = new Set<number>();
  for (const chunk of chunks) for (let l = chunk.startLine; l <= chunk.endLine; l++) covered.add(l);
  lines.forEach((line, i) => {
    if (line.trim()) assert.ok(covered.has(i + 1), `line ${i + 1} not in any chunk`);
  });
  for (let i = 1; i < chunks.length; i++) {
    assert.ok(chunks[i].startLine > chunks[i - 1].startLine, 'chunks move forward');
    assert.ok(chunks[i].startLine <= chunks[i - 1].endLine + 2, 'no gap between consecutive chunks');
  }
  assert.ok(chunks.some((c, i) => i > 0 && c.startLine <= chunks[i - 1].endLine), 'some chunks overlap');
});

test('a single line longer than the limit is split, never dropped', () => {
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
  const longLine = words.join(' ');
  const base64ish = 'QUJD'.repeat(300); // one "word" of 1200 characters
  const text = `first line\n${longLine}\n${base64ish}\nlast line`;
  const chunks = chunkText(text, tokenizer, settings);
  for (const chunk of chunks) assert.ok(chunk.ids.length <= settings.maxTokens);
  const onLine2 = chunks.filter((c) => c.startLine <= 2 && c.endLine >= 2);
  assert.ok(onLine2.length >= 2, 'the long line spans several chunks');
  const joined = chunks.map((c) => c.text).join(' ');
  for (const word of ['word0', 'word199', 'word399', 'last line', 'first line']) assert.ok(joined.includes(word), `${word} was dropped`);
  const base64Chars = chunks.filter((c) => c.startLine <= 3 && c.endLine >= 3).reduce((n, c) => n + (c.text.match(/[QUJD]/g)?.length ?? 0), 0);
  assert.ok(base64Chars >= base64ish.length, 'every character of the long word is in some chunk');
});

test('the default 256-token chunks never exceed the model limit on prose, and blank text gives none', () => {
  const text = readFileSync(join(ROOT, 'node_modules', 'commander', 'Readme.md'), 'utf8');
  const chunks = chunkText(text, tokenizer, { maxTokens: 256, overlapTokens: 32 });
  assert.ok(chunks.length > 5);
  for (const chunk of chunks) assert.ok(chunk.ids.length <= 256);
  assert.deepEqual(chunkText('\n\n   \n', tokenizer, settings), []);
  const one = chunkText('\n\nhello world\n\n', tokenizer, settings);
  assert.equal(one.length, 1);
  assert.equal(one[0].startLine, 3);
  assert.equal(one[0].endLine, 3);
});
