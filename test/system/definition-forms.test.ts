/**
 * Every common way code defines things becomes a chunk of its own, named as a reader names it and
 * starting at its doc comment: on real files of pinned packages fetched from npm and PyPI (cached in
 * bench/.cache, the same files `npm run bench:chunks` measures).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chunkByStructure, type Chunk, type ChunkTokenizer } from '../../src/core/chunk/chunker';
import { codeStructure } from '../../src/core/chunk/structure';
import { DEFAULT_CHUNK_SETTINGS } from '../../src/core/config/config';
import { loadTokenizer } from '../../src/core/embed/tokenizer';
import { MODEL_DIR } from '../helpers';

let tokenizer: ChunkTokenizer;
let fetchNpm: (spec: string) => string;
let fetchSdist: (spec: string) => Promise<string>;
before(async () => {
  tokenizer = await loadTokenizer(MODEL_DIR);
  ({ fetchNpm, fetchSdist } = await import('../../scripts/fetch-packages.mjs'));
});

interface File {
  text: string;
  lines: string[];
  chunks: Chunk[];
}

async function chunked(root: string, rel: string, language: string): Promise<File> {
  const text = readFileSync(join(root, rel), 'utf8');
  const units = await codeStructure(text, language);
  assert.ok(units && units.length > 0, `${rel} has declarations`);
  return { text, lines: text.split('\n'), chunks: chunkByStructure(text, units, tokenizer, DEFAULT_CHUNK_SETTINGS) };
}

/** The one chunk named `symbol`; it starts at `startPattern` (a doc comment or the first line) and holds `bodyPattern`. */
function assertOwnChunk(file: File, symbol: string, startPattern: RegExp, bodyPattern: RegExp): Chunk {
  const named = file.chunks.filter((c) => c.symbol === symbol);
  assert.equal(named.length, 1, `one chunk named ${symbol}; symbols: ${[...new Set(file.chunks.map((c) => c.symbol))].slice(0, 40).join(', ')}`);
  const [chunk] = named;
  assert.match(file.lines[chunk.startLine - 1], startPattern, `${symbol} starts at line ${chunk.startLine}: ${file.lines[chunk.startLine - 1]}`);
  assert.match(chunk.text, bodyPattern);
  return chunk;
}

test('CommonJS: app.x = function, Foo.prototype.x = function, a getter defined by a call, Object.defineProperty', async () => {
  const express = fetchNpm('express@4.21.2');
  const application = await chunked(express, 'lib/application.js', 'javascript');
  assertOwnChunk(application, 'app.handle', /^\/\*\*/, /app\.handle = function handle\(req, res, callback\)/);
  assertOwnChunk(application, 'app.route', /^\/\*\*/, /app\.route = function route\(path\)/);

  const route = await chunked(express, 'lib/router/route.js', 'javascript');
  // `Route.prototype.dispatch`: a method of Route, the prototype left out of its name.
  const dispatch = assertOwnChunk(route, 'Route.dispatch', /^\/\*\*/, /Route\.prototype\.dispatch = function dispatch\(req, res, done\)/);
  assert.ok(!/Route\.prototype\._options =/.test(dispatch.text), 'not mixed with the method before it');

  const request = await chunked(express, 'lib/request.js', 'javascript');
  // `defineGetter(req, 'hostname', function path() {…})`: the named function is the declaration.
  assertOwnChunk(request, 'path', /^\/\*\*/, /defineGetter\(req, 'path', function path\(\) \{/);
  // `req.get = req.header = function header(name) {…}`: a chain of assignments.
  // Too long for one chunk: line windows, all named after it, the first at its doc comment.
  const get = request.chunks.filter((c) => c.symbol === 'req.get');
  assert.ok(get.length >= 1 && /^\/\*\*/.test(request.lines[get[0].startLine - 1]) && /req\.header = function header\(name\)/.test(get.map((c) => c.text).join('\n')));
});

test('module.exports = {…}: each function-valued property is a declaration, nested objects too', async () => {
  const qs = fetchNpm('qs@6.13.0');
  const units = await codeStructure(readFileSync(join(qs, 'lib/formats.js'), 'utf8'), 'javascript');
  const exported = units?.find((u) => u.name === 'module.exports');
  assert.ok(exported, 'module.exports is a unit');
  assert.deepEqual(exported.children.map((u) => u.name), ['formatters']);
  assert.deepEqual(exported.children[0].children.map((u) => u.name), ['formatters.RFC1738', 'formatters.RFC3986']);
});

test('AMD define() and an IIFE-wrapped file: their declarations as if at top level', async () => {
  const jquery = fetchNpm('jquery@3.7.1');
  const ready = await chunked(jquery, 'src/core/ready.js', 'javascript');
  // `jQuery.extend( { ready: function( wait ) {…} } )` inside `define( [...], function( jQuery ) {…} )`.
  // The object's functions are jQuery's; the call fits one chunk, named after what it extends.
  assertOwnChunk(ready, 'jQuery', /^jQuery\.extend\( \{$/, /ready: function\( wait \)/);
  const units = await codeStructure(ready.text, 'javascript');
  assert.deepEqual(units?.find((u) => u.name === 'jQuery')?.children.map((u) => u.name), ['jQuery.ready']);
  assertOwnChunk(ready, 'completed', /^\/\/ The ready event handler/, /function completed\(\) \{/);

  const lodash = await chunked(fetchNpm('lodash@4.17.21'), 'lodash.js', 'javascript');
  // `;(function() { … function arrayMap(array, iteratee) {…} … }.call(this));`
  assertOwnChunk(lodash, 'arrayMap', /^\s*\/\*\*/, /function arrayMap\(array, iteratee\) \{/);
  // Inside `var runInContext = (function runInContext(context) {…})`: named under it.
  assertOwnChunk(lodash, 'runInContext.baseClamp', /^\s*\/\*\*/, /function baseClamp\(number, lower, upper\) \{/);
});

test('Python: decorated functions with their decorators, methods, returned inner functions', async () => {
  const click = await fetchSdist('click==8.1.8');
  const decorators = await chunked(click, 'src/click/decorators.py', 'python');
  assertOwnChunk(decorators, 'pass_context', /^def pass_context\(/, /def new_func\(\*args/);
  const units = await codeStructure(decorators.text, 'python');
  const maker = units?.find((u) => u.name === 'make_pass_decorator');
  assert.ok(maker?.children.some((u) => u.name === 'make_pass_decorator.decorator'), 'the returned inner function is a declaration');
  const core = await chunked(click, 'src/click/core.py', 'python');
  // `@property` above `def help_option_names` belongs to it.
  const property = core.chunks.find((c) => c.symbol === 'Context.command_path');
  assert.ok(property, 'Context.command_path has a chunk');
  assert.match(core.lines[property.startLine - 1], /^\s*@property/, 'the decorator line starts it');
});

test('Go methods are Type.Method; Rust impl methods are Type.method, with doc comments and attributes', async () => {
  const jsonnet = await fetchSdist('gojsonnet==0.21.0');
  const builtins = await chunked(jsonnet, 'builtins.go', 'go');
  assertOwnChunk(builtins, 'unaryBuiltin.evalCall', /^func \(b \*unaryBuiltin\) evalCall\(/, /flattenArgs/);

  const pydantic = await fetchSdist('pydantic-core==2.27.2');
  const url = await chunked(pydantic, 'src/url.rs', 'rust');
  const newUrl = url.chunks.find((c) => c.symbol === 'PyUrl.py_new');
  assert.ok(newUrl, `PyUrl.py_new has a chunk; symbols: ${[...new Set(url.chunks.map((c) => c.symbol))].join(', ')}`);
  assert.match(url.lines[newUrl.startLine - 1], /^\s*(#\[|\/\/\/|pub fn)/, 'starts at its attribute or doc comment');
});

test('a declaration starts at its doc comment, not at a separator rule or a note a blank line above it (go-jsonnet, express)', async () => {
  const jsonnet = await fetchSdist('gojsonnet==0.21.0');
  const ast = await chunked(jsonnet, 'ast/ast.go', 'go');
  // `// ----…` rules stand between go-jsonnet's declarations, a blank line above each doc comment.
  assertOwnChunk(ast, 'NodeBase', /^\/\/ NodeBase holds fields common to all node types\.$/, /type NodeBase struct/);
  // A TODO a blank line above, then a rule, then the doc comment.
  assertOwnChunk(ast, 'Context', /^\/\/ Context represents the surrounding context/, /type Context \*string/);
  // Of the file's 31 rules, a chunk starts at one only where the rule cannot join the chunk before it
  // (that one is full, or cut into line windows): Apply after ForSpec, LiteralNumber after Local….
  // When comments a blank line above were taken along, 29 chunks started at a rule.
  const rules = ast.lines.filter((line) => /^\/\/ -{20,}$/.test(line)).length;
  const atRule = ast.chunks.filter((c) => /^\/\/ -{20,}$/.test(ast.lines[c.startLine - 1]));
  assert.ok(rules >= 25, `${rules} separator rules`);
  assert.ok(atRule.length <= 2, `chunks starting at a separator rule: ${atRule.map((c) => `${c.startLine} ${c.symbol}`).join(', ')}`);

  // A JSDoc block one blank line above its function is still its doc comment.
  const application = await chunked(fetchNpm('express@4.21.2'), 'lib/application.js', 'javascript');
  const enabled = assertOwnChunk(application, 'app.enabled', /^\/\*\*$/, /app\.enabled = function enabled\(setting\)/);
  assert.equal(application.lines[enabled.startLine], ' * Check if `setting` is enabled (truthy).');
});

test('Java nested classes and C++ out-of-line methods', async () => {
  const jpype = await fetchSdist('jpype1==1.5.2');
  const grammar = await codeStructure(readFileSync(join(jpype, 'native/java/org/jpype/html/HtmlGrammar.java'), 'utf8'), 'java');
  const outer = grammar?.find((u) => u.name === 'HtmlGrammar');
  assert.ok(outer?.children.some((u) => u.name === 'HtmlGrammar.Cleanup'), 'a nested class is a declaration inside its class');
  const charType = await chunked(jpype, 'native/common/jp_chartype.cpp', 'cpp');
  assert.ok(charType.chunks.some((c) => c.symbol === 'JPCharType::JPCharType'), `symbols: ${[...new Set(charType.chunks.map((c) => c.symbol))].slice(0, 20).join(', ')}`);
});

test('a function wrapped in a call is one declaration, not a child of itself (ramda)', async () => {
  const ramda = fetchNpm('ramda@0.32.0');
  const units = await codeStructure(readFileSync(join(ramda, 'es/add.js'), 'utf8'), 'javascript');
  assert.deepEqual(
    units?.map((u) => [u.name, u.children.map((c) => c.name)]),
    [['add', []]],
  );
});

test('TypeScript overloads: one declaration with the implementation, cut between them when too large (rxjs)', async () => {
  const rxjs = fetchNpm('rxjs@7.8.2');
  const pluck = await chunked(rxjs, 'src/internal/operators/pluck.ts', 'typescript');
  const units = await codeStructure(pluck.text, 'typescript');
  assert.deepEqual(units?.map((u) => u.name), ['pluck'], 'the overloads and the implementation are one declaration');
  assert.ok(pluck.chunks.every((c) => c.symbol === 'pluck'), 'every chunk is named after it');
  const implementation = pluck.lines.findIndex((line) => line.startsWith('export function pluck<T, R>(')) + 1;
  const signatures = pluck.lines.findIndex((line) => line.startsWith('export function pluck<T>(...properties: string[])')) + 1;
  assert.ok(!pluck.chunks.some((c) => c.startLine <= signatures && c.endLine >= implementation), 'no chunk mixes the signatures with the implementation');
  // (the comments just above the implementation: a tslint pragma, then its doc comment)
  assert.ok(pluck.chunks.some((c) => /^\/\*/.test(pluck.lines[c.startLine - 1]) && c.startLine > signatures && c.startLine < implementation), "the implementation's chunks start at the comments above it");
});
