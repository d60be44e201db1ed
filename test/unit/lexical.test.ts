import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { definedNames, LexicalIndex, searchLexical, singular, tokenizeCode, type LexicalDocument } from '../../src/core/search/lexical';
import { relatedFormShare, shortFormsOf } from '../../src/core/search/word-forms';
import { fuseRankings, hybridScoreMeaning, VECTOR_WEIGHT, VECTOR_WEIGHT_EXACT, vectorWeightOf } from '../../src/core/search/rank';
import type { StoreHit } from '../../src/core/store/types';
import { copyFixture, tempDir, testEngine } from '../helpers';

test('the tokenizer splits camelCase, PascalCase, snake_case, kebab-case and paths, and keeps the whole identifier', () => {
  assert.deepEqual(tokenizeCode('parseHttpHeader'), ['parsehttpheader', 'parse', 'http', 'header']);
  assert.deepEqual(tokenizeCode('HTTPServer'), ['httpserver', 'http', 'server']);
  assert.deepEqual(tokenizeCode('max_retry_count'), ['maxretrycount', 'max', 'retry', 'count']);
  assert.deepEqual(tokenizeCode('src/net/retry-policy.ts'), ['src', 'net', 'retry', 'policy', 'ts']);
  assert.deepEqual(tokenizeCode('utf8Decode v2'), ['utf8decode', 'utf', '8', 'decode', 'v2', '2']);
  assert.deepEqual(tokenizeCode('The cat is on the mat'), ['cat', 'mat'], 'stop words and case');
  assert.deepEqual(tokenizeCode('Café crème'), ['café', 'crème'], 'accented words stay whole');
});

test('plurals and third persons become singular, and identifiers with them', () => {
  const cases: Record<string, string> = { returns: 'return', applies: 'apply', matches: 'match', classes: 'class', boxes: 'box', caches: 'cache', values: 'value', uses: 'use' };
  for (const [word, base] of Object.entries(cases)) assert.equal(singular(word), base, word);
  for (const kept of ['status', 'class', 'axis', 'alias', 'bus', 'is', 'has', 'utf8s', 'ts']) assert.equal(singular(kept), kept, kept);
  assert.deepEqual(tokenizeCode('getHeaders'), ['getheader', 'get', 'header']);
  assert.deepEqual(tokenizeCode('Applies a function to the values'), ['apply', 'function', 'value']);
});

test('definitions are recognised across languages', () => {
  const names = definedNames(
    [
      'export async function withRetry<T>(op) {',
      'class RateLimiter {',
      '  async acquire(tokens: number): Promise<void> {',
      'def parse_config(path):',
      'fn main() {',
      'func (s *Server) ServeHTTP(w http.ResponseWriter) {',
      'const handler = async (req) => {',
      'type Options = { a: number }',
      '## Installing the CLI',
      '  if (ready) {',
    ].join('\n'),
  );
  for (const name of ['withRetry', 'RateLimiter', 'acquire', 'parse_config', 'main', 'handler', 'Options', 'Installing the CLI']) {
    assert.ok(names.includes(name), `${name} in ${JSON.stringify(names)}`);
  }
  assert.ok(!names.includes('if'));
});

test('the lexical index adds, removes, filters and survives serialisation', () => {
  const index = LexicalIndex.empty();
  index.add([
    { id: 'a', text: 'function computeBackoffDelay(attempt) { return base * 2 ** attempt; }', path: 'src/net/retry.ts', symbol: 'computeBackoffDelay' },
    { id: 'b', text: 'const delay = computeBackoffDelay(3); // used here', path: 'src/client.ts' },
    { id: 'c', text: 'Hash passwords with a salt before storing them.', path: 'docs/security.md' },
  ]);
  assert.deepEqual(index.search('computeBackoffDelay', 10).map((h) => h.id), ['a', 'b'], 'the definition (symbol match) first');
  assert.deepEqual(index.search('backoff delay', 10).map((h) => h.id).sort(), ['a', 'b'], 'parts of identifiers match words');
  assert.deepEqual(index.search('computeBackoff', 10).map((h) => h.id)[0], 'a', 'a prefix of an identifier matches');
  assert.deepEqual(index.search('salt', 10, (id) => id !== 'c'), [], 'filters apply');
  index.remove(['a']);
  const restored = LexicalIndex.deserialize(index.serialize());
  assert.equal(restored.size, 2);
  assert.deepEqual(restored.search('computeBackoffDelay', 10).map((h) => h.id), ['b']);
  assert.deepEqual(restored.search('passwords', 10).map((h) => h.id), ['c']);
});

test('a long query word finds the shorter or sibling forms code uses, below an exact match', () => {
  const index = LexicalIndex.empty();
  index.add([
    { id: 'concat', text: 'export function concat(a, b) { return a.concat(b); }', path: 'src/concat.js', symbol: 'concat' },
    { id: 'serialize', text: 'export function serialize(value) { return JSON.stringify(value); }', path: 'src/json.js', symbol: 'serialize' },
    { id: 'config', text: 'const config = loadConfig(path);', path: 'src/app.ts' },
    { id: 'prose', text: 'Concatenating two lists gives one list holding both.', path: 'docs/lists.md' },
    { id: 'other', text: 'Conceal the secret; compete fairly; confine the scope.', path: 'docs/words.md' },
  ]);
  // "concat" is the start of "concatenating"; the exact word still ranks first.
  assert.deepEqual(index.search('concatenating lists', 10).map((h) => h.id), ['prose', 'concat']);
  // "serialize" shares "serializ" with "serialization" (8 of 13 characters).
  assert.deepEqual(index.search('function for serialization', 10).map((h) => h.id)[0], 'serialize');
  assert.deepEqual(index.search('configuration', 10).map((h) => h.id), ['config']);
  // Shared starts that are too short relate nothing: "conc" (concat, conceal), "conf" (config, confine).
  assert.deepEqual(index.search('concealing', 10).map((h) => h.id), ['other'], '"conceal" is a start of it; "concat" is not');
  assert.deepEqual(index.search('lists', 10).map((h) => h.id), ['prose']);

  // "parse" is a start of "parseheader", but also a word of the query: it counts once, as that word.
  const words = LexicalIndex.empty();
  words.add([
    { id: 'parse', text: 'parse the input first', path: 'a.md' },
    { id: 'both', text: 'function parseHeader(line) {}', path: 'b.ts' },
    { id: 'filler', text: 'nothing to see here at all', path: 'c.md' },
  ]);
  const scoreOf = (query: string) => words.search(query, 10).find((h) => h.id === 'parse')?.score;
  assert.ok(scoreOf('parse header') !== undefined);
  assert.equal(scoreOf('parseHeader'), scoreOf('parse header'));
});

test('word forms: starts of a long word and close siblings, with the share they have in common', () => {
  assert.equal(relatedFormShare('concat', 'concatenating'), 6 / 13);
  assert.equal(relatedFormShare('serialize', 'serialization'), 8 / 13);
  assert.equal(relatedFormShare('conc', 'concatenating'), 4 / 13);
  assert.equal(relatedFormShare('con', 'concatenating'), undefined, 'too short a start');
  assert.equal(relatedFormShare('compose', 'composition'), undefined, '6 of 11 is under the share');
  assert.equal(relatedFormShare('concatenating', 'concatenating'), undefined, 'the word itself');
  assert.equal(relatedFormShare('parseheader', 'parse'), undefined, 'query words under six characters');
  assert.equal(relatedFormShare('utf', 'utf16le'), undefined, 'words with digits');
  assert.deepEqual(shortFormsOf('message'), ['msg']);
});

test('a word finds the short forms code uses for it (eslint-plugin-unicorn\'s list), unless one is in most documents', () => {
  const index = LexicalIndex.empty();
  index.add([
    { id: 'db', text: 'export async function openDb(url) { return connect(url); }', path: 'src/store/open.ts', symbol: 'openDb' },
    { id: 'msg', text: 'queue.push(msg); log(msg.id);', path: 'src/queue/push.ts' },
    { id: 'prose', text: 'The database keeps one message per row.', path: 'src/docs/notes.md' },
    { id: 'other', text: 'nothing of interest here', path: 'src/other.ts' },
  ]);
  assert.deepEqual(index.search('database', 10).map((h) => h.id).sort(), ['db', 'prose'], '"db" in openDb');
  assert.deepEqual(index.search('message', 10).map((h) => h.id), ['prose', 'msg'], 'the word itself first');
  // Every path holds "src": "source" gains nothing from it.
  assert.deepEqual(index.search('source', 10), []);
});

const WORDS = 'parse header retry backoff delay token stream buffer socket request response cache queue timer error'.split(' ');
function corpus(count: number): LexicalDocument[] {
  let seed = 11;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: count }, (_, i) => ({
    id: `doc${i}`,
    text: Array.from({ length: 5 + Math.floor(next() * 30) }, () => WORDS[Math.floor(next() ** 2 * WORDS.length)]).join(' '),
    path: `src/${WORDS[i % WORDS.length]}/file${i}.ts`,
    ...(i % 3 === 0 ? { symbol: `${WORDS[(i * 7) % WORDS.length]}Handler` } : {}),
  }));
}

test('shards are scored as one index: the same hits and scores as a single index of every document', () => {
  const documents = corpus(300);
  const whole = LexicalIndex.empty();
  whole.add(documents);
  const shards = [LexicalIndex.empty(), LexicalIndex.empty(), LexicalIndex.empty()];
  documents.forEach((d, i) => shards[i % 3].add([d]));
  for (const query of ['retry backoff', 'socketHandler', 'parse the header of a request', 'queu', 'timer error cache']) {
    const expected = whole.search(query, 20);
    const sharded = searchLexical(shards.map((index) => ({ index })), query, 20);
    assert.ok(expected.length > 0, query);
    assert.deepEqual(sharded.map((h) => h.id), expected.map((h) => h.id), query);
    sharded.forEach((h, i) => assert.ok(Math.abs(h.score - expected[i].score) < 1e-9, query));
  }
});

test('removing, replacing and a round trip through bytes keep exactly the scores of an index built afresh', () => {
  const documents = corpus(120);
  const edited = LexicalIndex.empty();
  edited.add(documents);
  edited.remove(documents.filter((_, i) => i % 4 === 0).map((d) => d.id));
  const replaced = { ...documents[1], text: 'socket socket timer' };
  edited.add([replaced]); // the same id again: replaces the old document
  const fresh = LexicalIndex.empty();
  fresh.add(documents.filter((d, i) => i % 4 !== 0 && d.id !== replaced.id));
  fresh.add([replaced]);
  const restored = LexicalIndex.deserialize(edited.serialize());
  assert.equal(restored.size, fresh.size);
  for (const query of ['socket timer', 'buffer', 'requestHandler', 'delay']) {
    const want = fresh.search(query, 50);
    for (const index of [edited, restored]) {
      const got = index.search(query, 50);
      assert.deepEqual(got.map((h) => h.id).sort(), want.map((h) => h.id).sort(), query);
      const scoreOf = new Map(want.map((h) => [h.id, h.score]));
      for (const h of got) assert.ok(Math.abs(h.score - scoreOf.get(h.id)!) < 1e-9, `${query}: ${h.id}`);
    }
  }
  assert.throws(() => LexicalIndex.deserialize(Buffer.from('not an index at all')), /not a Quipu lexical index/);
  const damaged = edited.serialize().subarray(0, 200);
  assert.throws(() => LexicalIndex.deserialize(damaged));
});

const hit = (id: string, score: number): StoreHit => ({ id, score, metadata: { path: id } as StoreHit['metadata'] });

test('fusion adds scaled scores, rewards agreement, and identifier queries lean on the words', () => {
  // Cosine scores, and BM25 scores on another scale.
  const semantic = [hit('x', 0.62), hit('y', 0.6), hit('z', 0.3)];
  const lexical = [hit('y', 14), hit('w', 7), hit('q', 4)];
  const fused = fuseRankings(semantic, lexical, 0.6);
  assert.deepEqual(fused.map((h) => h.id).slice(0, 3), ['y', 'x', 'w']);
  assert.equal(fused.length, 5);
  assert.ok(Math.abs(fused[0].score - (0.6 * (0.3 / 0.32) + 0.4)) < 1e-9);
  assert.ok(Math.abs(fuseRankings([hit('x', 0.5)], [hit('x', 3)])[0].score - 1) < 1e-9, 'first in both scores 1');
  assert.deepEqual(fuseRankings(semantic, []).map((h) => h.id), ['x', 'y', 'z'], 'no word matched: the vector ranking stands');
  assert.equal(vectorWeightOf('parseJSON'), VECTOR_WEIGHT_EXACT);
  assert.equal(vectorWeightOf('max_retries'), VECTOR_WEIGHT_EXACT);
  assert.equal(vectorWeightOf('"exact phrase here"'), VECTOR_WEIGHT_EXACT);
  assert.equal(vectorWeightOf('how are passwords stored'), VECTOR_WEIGHT);
  assert.equal(vectorWeightOf('retry'), VECTOR_WEIGHT);
  // When the rankings disagree on an identifier query, the lexical first place wins.
  const disagree = fuseRankings([hit('call-site', 0.7), hit('definition', 0.6)], [hit('definition', 9), hit('call-site', 4)], VECTOR_WEIGHT_EXACT);
  assert.equal(disagree[0].id, 'definition');
  // What a score is said to be follows the weights the query got.
  assert.ok(hybridScoreMeaning('parseJSON').startsWith(`fused score (${VECTOR_WEIGHT_EXACT} × cosine + ${1 - VECTOR_WEIGHT_EXACT} × BM25,`));
  assert.ok(hybridScoreMeaning('how are passwords stored').startsWith(`fused score (${VECTOR_WEIGHT} × cosine + ${Number((1 - VECTOR_WEIGHT).toFixed(2))} × BM25,`));
});

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

test('search modes: an exact identifier finds its definition first; a paraphrase still works in hybrid', async () => {
  const folder = copyFixture('corpus');
  mkdirSync(join(folder, 'src', 'app'), { recursive: true });
  // Call sites of the function in other files, so that the word alone does not decide.
  for (let i = 0; i < 4; i++) {
    writeFileSync(
      join(folder, 'src', 'app', `client-${i}.ts`),
      `import { withRetry } from '../net/retry';\n\nexport async function load${i}(url: string) {\n  // fetch resource ${i}, retrying when the network fails\n  return withRetry(() => fetch(url), { attempts: ${i + 2} });\n}\n`,
    );
  }
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const source = readFileSync(join(folder, 'src', 'net', 'retry.ts'), 'utf8');
  const defined = source.split('\n').findIndex((line) => /function withRetry/.test(line)) + 1;
  assert.ok(defined > 0, 'the fixture defines withRetry');

  for (const mode of ['lexical', 'hybrid'] as const) {
    const [first] = await engine.search(folder, 'withRetry', { indexDir, mode, topK: 5 });
    assert.equal(first?.path, 'src/net/retry.ts', `${mode}: the defining file first`);
    assert.ok(first.startLine <= defined && defined <= first.endLine, `${mode}: the chunk holding the definition`);
  }
  const hybrid = await engine.search(folder, 'keep user credentials safe before saving them', { indexDir, mode: 'hybrid', topK: 5 });
  assert.equal(hybrid[0]?.path, 'src/auth/password.ts', 'hybrid keeps the semantic match');
  const filtered = await engine.search(folder, 'withRetry', { indexDir, mode: 'lexical', include: ['src/app/**'] });
  assert.ok(filtered.length > 0 && filtered.every((r) => r.path.startsWith('src/app/')), 'filters apply to the lexical side');
});

test('a quoted phrase ranks the chunk holding those words in that order first', async () => {
  const folder = tempDir();
  // notes.md repeats the words (BM25 likes it) but never in order; journal.md says the phrase once.
  writeFileSync(join(folder, 'notes.md'), '# Notes\n\nFlushed writes: every write is logged, after which it is flushed; flushed every time, write after write, every flushed write after every write.\n');
  writeFileSync(
    join(folder, 'journal.md'),
    '# Journal\n\nThe storage layer keeps pages in memory for a while. Its cache is flushed after every write, which costs some speed but loses nothing on a crash. Reads never flush anything.\n',
  );
  writeFileSync(join(folder, 'other.md'), '# Other\n\nNothing about storage here: gardening, tomatoes and sunlight.\n');
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  const [unquoted] = await engine.search(folder, 'flushed after every write', { indexDir, mode: 'lexical', topK: 3 });
  assert.equal(unquoted?.path, 'notes.md', 'without quotes, the words alone decide (the test needs that to mean something)');
  for (const mode of ['lexical', 'hybrid'] as const) {
    const [first] = await engine.search(folder, '"flushed  after every WRITE"', { indexDir, mode, topK: 3 });
    assert.equal(first?.path, 'journal.md', mode);
  }
});
