/**
 * The ranking stack's parts on the paths and symbols of real repositories (express, cobra, flask,
 * requests): what a query asks for, what role a file plays, and how the steps reorder candidates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileRole } from '../../src/core/search/ranking/file-roles';
import { queryIntent } from '../../src/core/search/ranking/query-intent';
import { pathEvidence, RANK_SETTINGS, rankStack, type RankContext } from '../../src/core/search/ranking/stack';

test('query kinds: bare and qualified symbols, paths, quoted phrases, sentences', () => {
  assert.equal(queryIntent('Router').kind, 'symbol');
  assert.deepEqual(queryIntent('Router').names, ['Router']);
  assert.deepEqual(queryIntent('Foo::bar').names, ['Foo.bar', 'bar']);
  assert.deepEqual(queryIntent('Command.ExecuteC').names, ['Command.ExecuteC', 'ExecuteC']);
  assert.deepEqual(queryIntent('parse_args').names, ['parse_args']);
  assert.equal(queryIntent('res.cookie()').kind, 'symbol');
  assert.equal(queryIntent('lib/router/index.js').kind, 'path');
  assert.equal(queryIntent('"retry with backoff"').kind, 'phrase');
  const sentence = queryIntent('how does the router match a path with parameters');
  assert.equal(sentence.kind, 'natural');
  assert.deepEqual(sentence.names, []);
  assert.ok(sentence.words.includes('router') && sentence.words.includes('parameters'));
  assert.ok(!sentence.words.includes('how') && !sentence.words.includes('the'));
  assert.deepEqual(queryIntent('where does handleRequest set the status').names, ['handleRequest']);
  // A plain lower-case word is a topic as much as a name.
  assert.equal(queryIntent('session').kind, 'natural');
  assert.deepEqual(queryIntent('session').names, ['session']);
});

test('a query that names tests, docs, examples or type declarations asks for them', () => {
  assert.deepEqual([...queryIntent('tests for the 405 handling of the router').asks], ['test']);
  assert.deepEqual([...queryIntent('docs on configuring the logger').asks], ['doc']);
  assert.deepEqual([...queryIntent('an example of a custom flag').asks], ['example']);
  assert.deepEqual([...queryIntent('retry delay between attempts').asks], []);
});

test('file roles by path, across languages', () => {
  const roles: [string, string][] = [
    ['lib/router/index.js', 'implementation'],
    ['command_test.go', 'test'],
    ['tests/test_basic.py', 'test'],
    ['src/foo.spec.ts', 'test'],
    ['spec/rack/mock_spec.rb', 'test'],
    ['src/test/java/com/x/FooTest.java', 'test'],
    ['t/mojo/url.t', 'test'],
    ['README.md', 'doc'],
    ['docs/advanced.rst', 'doc'],
    ['examples/server.js', 'example'],
    ['index.d.ts', 'stub'],
    ['requests/__init__.pyi', 'stub'],
    ['vendor/github.com/x/y.go', 'vendored'],
    ['dist/axios.min.js', 'generated'],
    ['flask/__init__.py', 'barrel'],
    ['cobra.go', 'implementation'],
  ];
  for (const [path, role] of roles) assert.equal(fileRole(path), role, path);
});

test('path evidence: the share of query words in the file or folder name, prefixes of 4+ letters count', () => {
  assert.equal(pathEvidence('lib/middleware/redirect.go', ['redirect', 'middleware']), 1);
  assert.equal(pathEvidence('route_headers.go', ['header', 'route', 'matching']), 2 / 3);
  assert.equal(pathEvidence('lib/response.js', ['cookie']), 0);
  assert.equal(pathEvidence('src/HandlerStack.php', ['handler']), 1);
});

interface C {
  id: string;
  score: number;
  path: string;
  symbol: string;
}
const c = (id: string, score: number, path: string, symbol = ''): C => ({ id, score, path, symbol });
const rankCandidates = (candidates: C[], context: Omit<RankContext<C>, 'facts'>) => rankStack(candidates, { ...context, facts: ({ path, symbol }) => ({ path, file: path, symbol, startLine: 1 }) });

test('definitions first for a symbol query, the file named after it first of all', () => {
  const candidates = [c('use', 1, 'mux_test.go', 'TestRouter'), c('call', 0.9, 'route.go', 'Route.Match'), c('def', 0.5, 'mux.go', 'Router'), c('file', 0.4, 'router.go', 'Router')];
  const ranked = rankCandidates(candidates, { intent: queryIntent('Router') });
  assert.deepEqual(ranked.slice(0, 2).map((r) => r.id), ['file', 'def']);
});

test('implementation before tests and docs, unless the query asks for them', () => {
  const candidates = [c('readme', 0.9, 'README.md'), c('test', 0.95, 'command_test.go', 'TestFlags'), c('impl', 0.8, 'command.go', 'Command.Flags')];
  assert.equal(rankCandidates(candidates, { intent: queryIntent('how are typed flag values parsed') })[0].id, 'impl');
  assert.equal(rankCandidates(candidates, { intent: queryIntent('tests for typed flag values') })[0].id, 'test');
  assert.equal(rankCandidates(candidates, { intent: queryIntent('flag values'), chosenRoles: new Set(['doc'] as const) })[0].id, 'readme');
});

test('diversity: a second chunk of the same file yields to another file of close score', () => {
  const candidates = [c('a1', 1, 'route_headers.go'), c('a2', 0.95, 'route_headers.go'), c('a3', 0.9, 'route_headers.go'), c('b', 0.8, 'mux.go')];
  const settings = { ...RANK_SETTINGS, diversity: 0.6 };
  const ranked = rankCandidates(candidates, { intent: queryIntent('match route by header value'), settings, skip: new Set(['coherence', 'path'] as const) });
  assert.deepEqual(ranked.map((r) => r.id).slice(0, 2), ['a1', 'b']);
  // Without the step, the file fills the top three.
  const plain = rankCandidates(candidates, { intent: queryIntent('match route by header value'), settings, skip: new Set(['coherence', 'path', 'diversity'] as const) });
  assert.deepEqual(plain.map((r) => r.id).slice(0, 3), ['a1', 'a2', 'a3']);
});
