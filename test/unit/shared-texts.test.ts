import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, testEngine } from '../helpers';

// Found by `npm run bench:soak`: the same bytes under two extensions are cut differently, and the
// texts of one overwrote the other's (they were kept under a key of content and settings only).
test('the same content as Markdown and as TypeScript keeps both files\' chunk texts', async () => {
  const engine = await testEngine();
  const folder = tempDir();
  const indexDir = join(tempDir(), 'index');
  // Headings and prose, and functions between them: Markdown cuts at the headings, TypeScript at the functions.
  const content = Array.from({ length: 6 }, (_, i) =>
    [
      `# Part ${i}: retries and caches`,
      '',
      `Retry a request with exponential backoff, attempt ${i}, and keep recently used entries in a bounded map.`,
      '',
      `export function backoff${i}(attempt: number): number {`,
      `  const base = ${100 + i} * 2 ** attempt;`,
      '  const jitter = Math.random() * base * 0.1;',
      '  return Math.min(30_000, base + jitter);',
      '}',
      '',
      `export function evict${i}(map: Map<string, number>, limit: number): void {`,
      '  while (map.size > limit) map.delete(map.keys().next().value as string);',
      '}',
      '',
    ].join('\n'),
  ).join('\n');
  writeFileSync(join(folder, 'notes.md'), content);
  writeFileSync(join(folder, 'notes.ts'), content);
  await engine.index(folder, { indexDir });
  const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number };
  const catalog = JSON.parse(readFileSync(join(indexDir, `catalog.g${manifest.catalogGeneration}.json`), 'utf8')) as Record<string, { chunkIds: string[] }>;
  assert.notEqual(catalog['notes.md'].chunkIds.length, catalog['notes.ts'].chunkIds.length, 'the two files are cut differently (else the test shows nothing)');
  const { report } = await engine.verify(folder, { indexDir });
  assert.deepEqual(report.damaged, []);
  assert.equal(report.ok, true);
  const results = await engine.search(folder, 'bounded map of recently used entries', { indexDir, topK: 10 });
  const byPath = (path: string) => results.filter((r) => r.path === path);
  assert.ok(byPath('notes.md').length > 0 && byPath('notes.ts').length > 0, results.map((r) => r.path).join(', '));
  // Each hit's text is its own file's lines, as that file was cut.
  const lines = content.split('\n');
  for (const result of results) {
    const own = lines.slice(result.startLine - 1, result.endLine).join('\n');
    for (const line of result.snippet.split('\n').map((l) => l.replace(/…/g, '').trim()).filter(Boolean)) assert.ok(own.includes(line), `${result.path}:${result.startLine}-${result.endLine} shows "${line}"`);
  }
});
