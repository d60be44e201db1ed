/**
 * Several folders as one ranking (engine.searchFolders): the candidates of all folders are fused
 * once, so the best answer leads wherever it is, and scores compare across folders.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, tempDir, testEngine } from '../helpers';

test('two folders: the best answer is in the second; it leads, and the first folder\'s best scores below it', async () => {
  const engine = await testEngine();
  // First folder: the corpus without the password code. Second: only the password code.
  const first = copyFixture('corpus');
  rmSync(join(first, 'src', 'auth'), { recursive: true });
  const second = copyFixture('corpus');
  for (const path of ['docs', 'src/net', 'src/util']) rmSync(join(second, path), { recursive: true });
  const targets = [first, second].map((folder) => ({ folder, indexDir: tempDir() }));
  for (const t of targets) await engine.index(t.folder, { indexDir: t.indexDir });

  const query = 'keep user credentials safe before saving them';
  // (Not lexical: the query shares no word with the code, so words alone cannot find it.)
  for (const mode of ['hybrid', 'vector'] as const) {
    const { results, unavailable } = await engine.searchFolders(targets, query, { mode, topK: 5 });
    assert.deepEqual(unavailable, []);
    assert.equal(results[0].folderIndex, 1, `${mode}: ${results.map((r) => `${r.folderIndex}:${r.path} ${r.score.toFixed(3)}`).join(', ')}`);
    assert.equal(results[0].path, 'src/auth/password.ts');
    const firstFolderBest = results.find((r) => r.folderIndex === 0);
    assert.ok(firstFolderBest && firstFolderBest.score < results[0].score, `${mode}: the first folder's best is below (${firstFolderBest?.score} vs ${results[0].score})`);
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score, 'one order by score');
  }

  // Searched alone, each folder scales its own candidates: the first folder's best then outscores
  // the password code (which has none of the query's words), and merging those scores put it first.
  const alone = await Promise.all(targets.map((t) => engine.search(t.folder, query, { indexDir: t.indexDir, topK: 5 })));
  const passwordAlone = alone[1].find((r) => r.path === 'src/auth/password.ts');
  assert.ok(passwordAlone && alone[0][0].score > passwordAlone.score, `alone: ${alone[0][0].path} ${alone[0][0].score} vs password.ts ${passwordAlone?.score}`);

  // A folder never indexed is left out and named; the others still answer.
  const withMissing = await engine.searchFolders([...targets, { folder: tempDir(), indexDir: join(tempDir(), 'none') }], query, { topK: 3 });
  assert.equal(withMissing.results[0].path, 'src/auth/password.ts');
  assert.deepEqual(withMissing.unavailable.map((u) => u.folderIndex), [2]);
});
