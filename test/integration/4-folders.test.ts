/**
 * A window with two workspace folders (a multi-root workspace: the fixture, then test/e2e's "farm"
 * folder with one note): both are indexed, and one ranking over both puts the best answer first
 * although it is in the second folder, in the API the panel and quick pick use and in the
 * language-model tool. Run in its own window (test/e2e/run.ts); index.ts picks it by its name.
 */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { QuipuApi } from '../../src/extension/api';
import { SECOND_FOLDER_FILE, WORKSPACE_FILES } from '../e2e/workspace';
import { describeResults, indexWorkspace, quipu } from './helpers';

const QUERY = 'why do my chickens stop producing eggs in the cold months';

suite('Two workspace folders, one ranking', () => {
  let api: QuipuApi;
  const farmName = 'farm';

  suiteSetup(async () => {
    api = await quipu();
    assert.deepEqual(vscode.workspace.workspaceFolders?.map((f) => f.name).slice(1), [farmName]);
    await indexWorkspace(api);
  });

  test('both folders are indexed', () => {
    assert.equal(api.state().files, WORKSPACE_FILES.length + 1, JSON.stringify(api.state()));
  });

  test('the best answer leads from the second folder, above the first folder\'s best, in one order by score', async () => {
    for (const mode of ['hybrid', 'vector'] as const) {
      const results = await api.search(QUERY, { mode, topK: 5 });
      assert.equal(results[0]?.path, SECOND_FOLDER_FILE, `${mode}: ${describeResults(results)}`);
      assert.equal(results[0].folderName, farmName);
      const firstFolderBest = results.find((r) => r.folderName !== farmName);
      assert.ok(firstFolderBest && firstFolderBest.score < results[0].score, `${mode}: ${describeResults(results)}`);
      for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score, `${mode}: one order by score: ${describeResults(results)}`);
    }
  });

  test("invokeTool('quipu_search') names the folder of each result and puts the second folder's answer first", async () => {
    const result = await vscode.lm.invokeTool('quipu_search', { input: { query: QUERY }, toolInvocationToken: undefined });
    const text = result.content.map((part) => (part as { value?: unknown }).value).filter((v): v is string => typeof v === 'string').join('');
    const first = text.split('\n').find((line) => /^1\. /.test(line)) ?? '';
    assert.match(first, /animals\/hens\.md/, text);
    assert.match(first, new RegExp(farmName), text);
  });
});
