/**
 * Definitions found by name (src/core/search/definitions.ts): a definition that neither ranking
 * brings, because more chunks than the rankings read use the name more often than it does, is found
 * and put first; a chunk that defines the name beside others counts as a definition too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { tempDir, testEngine } from '../helpers';

const folder = tempDir();
const indexDir = join(tempDir(), 'index');
let engine: QuipuEngine;

before(async () => {
  mkdirSync(join(folder, 'screens'));
  mkdirSync(join(folder, 'lib'));
  // 120 screens, each naming Gizmo in the names it defines and in its text more often than the
  // definition does: BM25 ranks them all above it, deeper than the rankings read.
  for (let i = 0; i < 120; i++) {
    const uses = Array.from({ length: 6 }, (_, j) => `  const gizmoPart${j} = (label) => new Gizmo(label + ' ${i}.${j}');\n  gizmoPart${j}('screen').mount(root);`).join('\n');
    writeFileSync(join(folder, 'screens', `screen${i}.js`), `export function showGizmoScreen${i}(root) {\n${uses}\n  return root;\n}\n`);
  }
  // The definition, in a file named for something else, beside another class.
  writeFileSync(
    join(folder, 'lib', 'parts.js'),
    [
      'export class Gizmo {',
      '  constructor(label) {',
      '    this.label = label;',
      '    this.children = [];',
      '  }',
      '  mount(root) {',
      '    root.appendChild(this.render());',
      '  }',
      '}',
      '',
      'export class Sprocket {',
      '  turn(times) {',
      '    return times * 2;',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  engine = await testEngine();
  await engine.index(folder, { indexDir });
});

test('a definition behind more uses than the words ranking reads is found by name and comes first', async () => {
  const without = await engine.search(folder, 'Gizmo', { indexDir, mode: 'lexical', topK: 10, ranking: { skip: ['lookup'] } });
  assert.ok(!without.some((r) => r.path === 'lib/parts.js'), `without the lookup the definition is not among the first 10: ${without.map((r) => r.path).join(', ')}`);
  for (const mode of ['lexical', 'hybrid'] as const) {
    const results = await engine.search(folder, 'Gizmo', { indexDir, mode, topK: 5 });
    assert.equal(results[0]?.path, 'lib/parts.js', `${mode}: ${results.map((r) => `${r.path}:${r.startLine}`).join(', ')}`);
    assert.ok(results[0].startLine <= 1 && results[0].endLine >= 9, `${mode}: the chunk holds the class`);
  }
});
