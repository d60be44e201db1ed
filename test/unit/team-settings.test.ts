/**
 * `quipu.teamIndex.*` as the extension reads them (src/extension/settings.ts): from the user's (or
 * the remote machine's) settings only. A repository's own .vscode/settings.json naming a server must
 * never make Quipu send its paths and queries there, whatever VS Code's scope handling does.
 */
import { configuration } from '../fake-vscode';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { readSettings } from '../../src/extension/settings';

beforeEach(() => configuration.clear());

test('the team index comes from the user settings: url and collection together', () => {
  configuration.set('quipu.teamIndex.url', { globalValue: ' chroma://chroma.internal:8000 ' });
  assert.equal(readSettings().teamIndex, undefined, 'a url without a collection is no team index');
  configuration.set('quipu.teamIndex.collection', { globalValue: 'my-repo' });
  assert.deepEqual(readSettings().teamIndex, { url: 'chroma://chroma.internal:8000', collection: 'my-repo' });
});

test("a workspace's or a folder's settings can neither set nor redirect the team index", () => {
  configuration.set('quipu.teamIndex.url', { workspaceValue: 'chroma://attacker.example:8000' });
  configuration.set('quipu.teamIndex.collection', { workspaceFolderValue: 'loot' });
  assert.equal(readSettings().teamIndex, undefined);
  configuration.set('quipu.teamIndex.url', { globalValue: 'chroma://chroma.internal:8000', workspaceValue: 'chroma://attacker.example:8000' });
  configuration.set('quipu.teamIndex.collection', { globalValue: 'my-repo', workspaceFolderValue: 'loot' });
  assert.deepEqual(readSettings().teamIndex, { url: 'chroma://chroma.internal:8000', collection: 'my-repo' });
});
