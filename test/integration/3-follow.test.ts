/** The index follows edits and deletions made in the editor, without a manual re-index. */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { QuipuApi, WorkspaceSearchResult } from '../../src/extension/api';
import { describeResults, fileUri, indexWorkspace, paths, quipu, waitFor } from './helpers';

const LIGHTHOUSE = [
  'Keeping the lighthouse lamp burning',
  '',
  'Every evening the keeper trimmed the wick, polished the great lens and wound the clockwork that',
  'turned it, so that ships far out at sea could see the beam sweep past and steer clear of the reef.',
  '',
].join('\n');

suite('The index follows the workspace', () => {
  let api: QuipuApi;

  suiteSetup(async () => {
    api = await quipu();
    await indexWorkspace(api);
  });

  test('an edit saved in the editor is searchable, and the old text is gone', async () => {
    const paraphrase = 'warning sailors away from dangerous rocks at night';
    const before = await api.search(paraphrase);
    assert.ok(!before.slice(0, 3).some((result) => result.path === 'notes/pasta.txt'), 'the fixture already talks about lighthouses');

    const uri = fileUri('notes/pasta.txt');
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), LIGHTHOUSE);
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    assert.ok(await document.save(), 'the document was not saved');

    // By meaning (no word shared with the new text): among the first three.
    let seen: WorkspaceSearchResult[] = [];
    await waitFor(
      'the edited file to be found by its new content',
      async () => {
        // By meaning: the deep tier, which follows the edit in the background.
        await api.whenQuiet();
        seen = await api.search(paraphrase);
        return seen.slice(0, 3).find((result) => result.path === 'notes/pasta.txt' && /lighthouse|keeper|wick/i.test(result.snippet));
      },
      60_000,
      () => `Top results: ${describeResults(seen)}`,
    );
    // By its words: first.
    const exact = await api.search('the lighthouse keeper polished the lens');
    assert.equal(exact[0]?.path, 'notes/pasta.txt', `got ${describeResults(exact)}`);
    // And the old text is no longer indexed.
    const pasta = await api.search('how to boil pasta so it does not stick');
    assert.ok(
      !pasta.some((result) => result.path === 'notes/pasta.txt' && /pasta/i.test(result.snippet)),
      `the old pasta text is still indexed: ${describeResults(pasta.filter((r) => r.path === 'notes/pasta.txt'))}`,
    );
  });

  test('a deleted file leaves the index', async () => {
    const query = 'format a number of seconds as hours and minutes';
    const before = await api.search(query);
    assert.equal(before[0]?.path, 'src/util/dates.py', `got ${paths(before).join(', ')}`);
    const files = api.state().files;

    await vscode.workspace.fs.delete(fileUri('src/util/dates.py'));
    let seen: WorkspaceSearchResult[] = [];
    await waitFor(
      'the deleted file to leave the index',
      async () => {
        await api.whenIdle();
        seen = await api.search(query);
        return seen.some((result) => result.path === 'src/util/dates.py') ? undefined : seen;
      },
      60_000,
      () => `Results: ${describeResults(seen)}`,
    );
    assert.equal(api.state().files, files - 1);
  });
});
