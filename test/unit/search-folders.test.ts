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

test('words are ranked with statistics summed over all folders: two folders score as one index holding both', async () => {
  const engine = await testEngine();
  // The corpus split in two folders with no file in common, and the whole corpus as one folder.
  const first = copyFixture('corpus');
  rmSync(join(first, 'src', 'auth'), { recursive: true });
  const second = copyFixture('corpus');
  for (const path of ['docs', 'notes', 'src/net', 'src/util']) rmSync(join(second, path), { recursive: true });
  const whole = copyFixture('corpus');
  const split = [first, second].map((folder) => ({ folder, indexDir: tempDir() }));
  const one = { folder: whole, indexDir: tempDir() };
  for (const t of [...split, one]) await engine.index(t.folder, { indexDir: t.indexDir });

  // Words of both halves: "password" only in the second folder, "retry" and "deploy" in the first.
  const query = 'password hash retry deploy';
  const { results } = await engine.searchFolders(split, query, { mode: 'lexical', topK: 20 });
  const alone = await engine.search(one.folder, query, { indexDir: one.indexDir, mode: 'lexical', topK: 20 });
  const scores = (list: { path: string; startLine: number; score: number }[]) => list.map((r) => `${r.path}:${r.startLine} ${r.score.toFixed(6)}`);
  assert.ok(results.some((r) => r.folderIndex === 0) && results.some((r) => r.folderIndex === 1), 'both folders answer');
  assert.deepEqual(scores(results), scores(alone));

  // Each folder searched alone ranks its words by its own statistics: the scores differ.
  const secondAlone = await engine.search(second, query, { indexDir: split[1].indexDir, mode: 'lexical', topK: 20 });
  const inUnion = results.filter((r) => r.folderIndex === 1);
  assert.notDeepEqual(scores(secondAlone), scores(inUnion));
});
