/** Code-aware chunks: real parsers (tree-sitter) on real files, Markdown by headings. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chunkByStructure, type Chunk, type ChunkTokenizer } from '../../src/core/chunk/chunker';
import { codeOutline, codeStructure, markdownStructure } from '../../src/core/chunk/structure';
import { loadTokenizer } from '../../src/core/embed/tokenizer';
import { FIXTURES, MODEL_DIR, ROOT } from '../helpers';

let tokenizer: ChunkTokenizer;
before(async () => {
  tokenizer = await loadTokenizer(MODEL_DIR);
});

/** Every non-blank line is in some chunk, every chunk's text is its lines, and no chunk is too long. */
function assertSound(text: string, chunks: Chunk[], maxTokens: number): void {
  const lines = text.split('\n');
  const covered = new Set<number>();
  for (const chunk of chunks) {
    assert.ok(chunk.ids.length <= maxTokens, `${chunk.ids.length} tokens at ${chunk.startLine}`);
    assert.ok(chunk.startLine >= 1 && chunk.endLine <= lines.length && chunk.startLine <= chunk.endLine);
    const slice = lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    assert.ok(slice.includes(chunk.text.split('\n')[0]), `chunk text starts on line ${chunk.startLine}`);
    for (let line = chunk.startLine; line <= chunk.endLine; line++) covered.add(line);
  }
  lines.forEach((line, i) => assert.ok(!line.trim() || covered.has(i + 1), `line ${i + 1} is in no chunk: ${line}`));
}

test('TypeScript: declarations with their doc comments, methods inside classes, exported arrow functions', async () => {
  const units = await codeStructure(readFileSync(join(FIXTURES, 'corpus', 'src', 'net', 'retry.ts'), 'utf8'), 'typescript');
  assert.deepEqual(
    units?.map((u) => [u.name, u.startLine, u.endLine]),
    [['RetryOptions', 1, 5], ['sleep', 7, 7], ['withRetry', 9, 25], ['fetchJson', 27, 33]],
    'withRetry starts at its doc comment (line 9), not at `export async function` (line 13)',
  );
  const source = ['import x from "y";', '', '/** A class. */', 'export class Cache extends Base {', '  /** Reads. */', '  async get(key: string) {', '    return this.map.get(key);', '  }', '  clear() { this.map.clear(); }', '}', 'export const handler = async (req) => {', '  return 1;', '};'].join('\n');
  const cache = await codeStructure(source, 'typescript');
  assert.deepEqual(cache?.map((u) => u.name), ['Cache', 'handler']);
  assert.deepEqual(cache?.[0]?.children.map((u) => [u.name, u.startLine]), [['Cache.get', 5], ['Cache.clear', 9]]);
});

test('a real source file is cut at function boundaries, each chunk named after its function', async () => {
  const text = readFileSync(join(ROOT, 'node_modules', 'commander', 'lib', 'command.js'), 'utf8');
  const units = await codeStructure(text, 'javascript');
  assert.ok(units && units.length > 0);
  const settings = { maxTokens: 256, overlapTokens: 32 };
  const chunks = chunkByStructure(text, units, tokenizer, settings);
  assertSound(text, chunks, settings.maxTokens);
  // Command is one huge class: it is cut at its methods.
  const named = chunks.filter((c) => c.symbol?.startsWith('Command.'));
  assert.ok(named.length > 40, `${named.length} chunks named after Command's methods`);
  const lines = text.split('\n');
  const action = chunks.filter((c) => c.symbol === 'Command.action');
  assert.equal(action.length, 1, 'action() has a chunk of its own');
  assert.match(lines.slice(action[0].startLine - 1, action[0].endLine).join('\n'), /^\s*\/\*\*[\s\S]*\n\s*action\(fn\) \{/, 'with its doc comment');
  // A method too long for one chunk falls back to line windows, still named after the method.
  const small = chunkByStructure(text, units, tokenizer, { maxTokens: 64, overlapTokens: 8 });
  assertSound(text, small, 64);
  assert.ok(small.filter((c) => c.symbol === 'Command._parseCommand').length > 1);
});

test('a function wrapped in a call (curried, memoised, a handler) is a declaration named after its variable', async () => {
  const source = [
    'var and = /*#__PURE__*/_curry2(function and(a, b) {', '  return a && b;', '});',
    'export const Card = memo(function Card(props) {', '  return props.title;', '});',
    'const handler = asyncHandler(async (req, res) => {', '  res.send(1);', '});',
    'const total = sum(1, 2);',
  ].join('\n');
  assert.deepEqual((await codeStructure(source, 'javascript'))?.map((u) => [u.name, u.startLine, u.endLine]), [['and', 1, 3], ['Card', 4, 6], ['handler', 7, 9]]);
});

test('Python and other grammars parse; an unknown language has no structure', async () => {
  const py = await codeStructure(readFileSync(join(FIXTURES, 'corpus', 'src', 'util', 'dates.py'), 'utf8'), 'python');
  assert.deepEqual(py?.map((u) => u.name), ['iso_week_label', 'to_utc', 'humanize_duration']);
  const go = await codeStructure('package main\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n', 'go');
  assert.deepEqual(go?.map((u) => [u.name, u.startLine]), [['Add', 3]]);
  const rust = await codeStructure('struct Point { x: i32 }\n\nimpl Point {\n    fn norm(&self) -> i32 { self.x }\n}\n', 'rust');
  assert.deepEqual(rust?.map((u) => u.name), ['Point', 'Point']);
  assert.deepEqual(rust?.[1]?.children.map((u) => u.name), ['Point.norm']);
  assert.equal(await codeStructure('whatever', 'plaintext'), undefined);
});

test('wiring lines: imports, includes, requires and bare re-exports at the top level, in every grammar', async () => {
  const wiring = async (language: string, source: string) => (await codeOutline(source, language))?.wiringLines;
  const js = [
    'import a from "a";', 'import {', '  b,', '} from "b";', 'const c = require("c");', 'import "side-effect";',
    'export * from "d";', 'export { e } from "e";', 'export default and;', 'export default function f() { return import("q"); }',
    'export const g = () => require("g");', 'const h = compute(require("h"));',
  ].join('\n');
  // Dynamic imports, exported declarations and requires inside expressions are code, not wiring.
  assert.deepEqual(await wiring('javascript', js), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await wiring('typescript', 'import type { T } from "t";\nimport x = require("x");\nexport { a };\nexport interface I { a: T }'), [1, 2, 3]);
  assert.deepEqual(await wiring('python', 'from __future__ import annotations\nimport os\nfrom typing import (\n    List,\n)\n\ndef f():\n    import json\n'), [1, 2, 3, 4, 5]);
  assert.deepEqual(await wiring('go', 'package main\n\nimport (\n\t"fmt"\n)\n\nfunc main() {}\n'), [1, 3, 4, 5]);
  assert.deepEqual(await wiring('rust', 'use std::io;\nextern crate serde;\nfn main() {}\n'), [1, 2]);
  assert.deepEqual(await wiring('java', 'package a.b;\nimport java.util.List;\nclass A {}\n'), [1, 2]);
  assert.deepEqual(await wiring('cpp', '#include <stdio.h>\n#include "x.h"\nint main() { return 0; }\n'), [1, 2]);
  assert.deepEqual(await wiring('ruby', 'require "json"\nrequire_relative "x"\ndef f; end\n'), [1, 2]);
  assert.equal(await codeOutline('whatever', 'plaintext'), undefined);
});

test('Markdown is cut by headings and each chunk carries its heading path', () => {
  const text = readFileSync(join(FIXTURES, 'corpus', 'docs', 'deploy.md'), 'utf8');
  const units = markdownStructure(text);
  assert.equal(units[0]?.name, 'Deploying the service');
  assert.deepEqual(units[0]?.children.map((u) => u.name), [
    'Deploying the service > Building the container image',
    'Deploying the service > Rolling out',
    'Deploying the service > Rolling back',
  ]);
  const chunks = chunkByStructure(text, units, tokenizer, { maxTokens: 64, overlapTokens: 8 });
  assertSound(text, chunks, 64);
  assert.ok(chunks.some((c) => c.symbol === 'Deploying the service > Rolling back' && /roll/i.test(c.text)));
  // Headings inside fenced code are not headings.
  assert.deepEqual(markdownStructure('# Real\n\n```sh\n# not a heading\n```\n').map((u) => u.name), ['Real']);
});
