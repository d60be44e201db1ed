import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCodeRepo, CodeDatasetError, countQuestions, parseCodeRepo, type CodeRepo } from '../../src/core/eval/code-dataset';

const query = (text: string, category = 'semantic', relevant: unknown[] = [{ path: 'lib/a.js', startLine: 3, endLine: 9 }]) => ({ query: text, category, relevant });
const repo = (queries: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'demo',
  language: 'JavaScript',
  source: { kind: 'npm', spec: 'demo@1.0.0' },
  heldOut: false,
  description: 'a demo',
  queries,
  ...extra,
});
const many = (n: number) => Array.from({ length: n }, (_, i) => query(`question ${i}`));
/** The corpus: lib/a.js has 40 lines, lib/b.js 10; nothing else exists. */
const lines = (path: string) => ({ 'lib/a.js': 40, 'lib/b.js': 10 })[path];

test('a good file parses: grades default to 2, file-level answers keep no lines', () => {
  const parsed = parseCodeRepo(repo([query('where is x', 'architecture', [{ path: './lib/a.js' }, { path: 'lib/b.js', startLine: 1, endLine: 10, grade: 1 }])]), 'demo');
  assert.deepEqual(parsed.queries[0].relevant, [
    { path: 'lib/a.js', grade: 2 },
    { path: 'lib/b.js', grade: 1, startLine: 1, endLine: 10 },
  ]);
  assert.equal(parsed.id, 'demo');
});

test('every structural problem is reported at once, naming the file and the question', () => {
  const bad = repo(
    [
      query('no category', 'misc'),
      query('half a span', 'symbol', [{ path: 'lib/a.js', startLine: 3 }]),
      query('backwards', 'symbol', [{ path: 'lib/a.js', startLine: 9, endLine: 3 }]),
      query('only secondary', 'semantic', [{ path: 'lib/a.js', grade: 1 }]),
      query('bad grade', 'semantic', [{ path: 'lib/a.js', grade: 3 }]),
    ],
    { heldOut: 'no', source: { kind: 'npm', spec: 'demo' } },
  );
  const error = (() => {
    try {
      parseCodeRepo(bad, 'demo', 'bench/code/demo.json');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof CodeDatasetError);
  const text = error.problems.join('\n');
  for (const expected of [
    /demo.json: "heldOut" must be true or false/,
    /"source.spec" must pin a version/,
    /queries\[0\] "no category": "category" must be one of architecture, semantic, symbol/,
    /queries\[1\] "half a span" relevant\[0\]: give both "startLine" and "endLine"/,
    /queries\[2\] "backwards" relevant\[0\]: lines must be whole numbers with 1 ≤ startLine ≤ endLine/,
    /queries\[3\] "only secondary": needs at least one answer of grade 2/,
    /queries\[4\] "bad grade" relevant\[0\]: "grade" must be 1 or 2/,
  ]) {
    assert.match(text, expected);
  }
  assert.equal(error.problems.length, 7);
});

test('the corpus check: missing files, spans past the end, duplicates, too few questions', () => {
  const parsed: CodeRepo = parseCodeRepo(
    repo([
      ...many(16),
      query('Question 3'),
      query('gone', 'symbol', [{ path: 'lib/missing.js' }]),
      query('too long', 'symbol', [{ path: 'lib/b.js', startLine: 5, endLine: 11 }]),
    ]),
    'demo',
  );
  assert.deepEqual(checkCodeRepo(parsed, lines), [
    'demo.json: queries[16] "Question 3" repeats queries[3]',
    'demo.json: queries[17] "gone": lib/missing.js is not in the corpus',
    'demo.json: queries[18] "too long": lib/b.js:5-11 ends past the file\'s 10 lines',
  ]);
  assert.deepEqual(checkCodeRepo(parseCodeRepo(repo(many(17)), 'demo'), lines), ['demo.json: 17 questions, at least 18 are needed']);
  assert.deepEqual(checkCodeRepo(parseCodeRepo(repo(many(18)), 'demo'), lines), []);
});

test('question counts per language and category', () => {
  const a = parseCodeRepo(repo([query('a', 'symbol'), query('b', 'semantic')]), 'a');
  const b = parseCodeRepo(repo([query('c', 'architecture')], { language: 'Lua' }), 'b');
  const c = parseCodeRepo(repo([query('d', 'symbol')]), 'c');
  assert.deepEqual(Object.fromEntries(countQuestions([a, b, c])), {
    JavaScript: { architecture: 0, semantic: 1, symbol: 2, total: 3 },
    Lua: { architecture: 1, semantic: 0, symbol: 0, total: 1 },
  });
});
