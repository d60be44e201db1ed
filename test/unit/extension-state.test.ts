/**
 * What the status bar and the panel show (src/extension/state.ts), from what the engine host, the
 * folder keeper and the index statuses say. Pure: no `vscode`, no engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexStatus } from '../../src/core/engine/engine';
import type { IndexProgress } from '../../src/core/pipeline/events';
import { indexStateOf, progressText, type StateInputs } from '../../src/extension/state';
import type { QuipuSettings } from '../../src/extension/settings';

const status = (files: number, more: Partial<IndexStatus> = {}) => ({ files, chunks: files * 3, ...more }) as IndexStatus;
const inputs = (more: Partial<StateInputs> = {}): StateInputs => ({
  settings: {} as QuipuSettings,
  trusted: true,
  folders: [{ status: status(4) }, { status: status(6) }],
  paused: false,
  busy: false,
  ...more,
});

test('phases, in the order they win', () => {
  assert.deepEqual(indexStateOf(inputs()), { phase: 'ready', files: 10, chunks: 30 });
  assert.equal(indexStateOf(inputs({ folders: [] })).phase, 'no-folder');
  assert.equal(indexStateOf(inputs({ trusted: false, paused: true })).phase, 'untrusted');
  assert.equal(indexStateOf(inputs({ paused: true, busy: true })).phase, 'paused');
  assert.equal(indexStateOf(inputs({ busy: true, folders: [{ status: status(4), problem: 'disk full' }] })).phase, 'indexing');
});

test('a folder problem over an index that answers is a message; without one, or with no engine, an error', () => {
  const problem = { folders: [{ status: status(4) }, { status: status(0), problem: 'Another VS Code window is updating this index.' }] };
  assert.deepEqual(indexStateOf(inputs(problem)), { phase: 'ready', files: 4, chunks: 12, message: 'Another VS Code window is updating this index.' });
  assert.equal(indexStateOf(inputs({ folders: [{ status: status(0), problem: 'disk full' }] })).phase, 'error');
  assert.deepEqual(indexStateOf(inputs({ engineProblem: 'The model is missing.' })), { phase: 'error', files: 10, chunks: 30, message: 'The model is missing.' });
});

test('nothing indexed: why, when the index must be rebuilt', () => {
  assert.deepEqual(indexStateOf(inputs({ folders: [{ status: status(0, { staleReason: 'the model changed' }) }] })), {
    phase: 'not-indexed',
    files: 0,
    chunks: 0,
    message: 'The index must be rebuilt: the model changed.',
  });
});

test('indexing shows the run going: files done of the total once discovery is over', () => {
  const progress = { filesIndexed: 30, filesUnchanged: 70, filesToIndex: 50, discoveryDone: true, chunksPerSecond: 35.2, etaSeconds: 90, currentFile: 'src/a.ts' } as IndexProgress;
  const state = indexStateOf(inputs({ busy: true, progress }));
  assert.deepEqual(state.progress, { filesDone: 100, filesTotal: 120, chunksPerSecond: 35.2, etaSeconds: 90, currentFile: 'src/a.ts' });
  assert.equal(progressText(state), '100 / 120 files · 35 chunks/s · about 2 min left');
  const early = indexStateOf(inputs({ busy: true, progress: { ...progress, discoveryDone: false, etaSeconds: undefined } }));
  assert.equal(progressText(early), '100 files · 35 chunks/s');
});

test('a team index: its state beside the overlay; an overlay of no files is ready once the server was asked', () => {
  const settings = { teamIndex: { url: 'chroma://team:8000', collection: 'repo' } } as QuipuSettings;
  const teamState = { description: 'the team index repo at chroma://team:8000', url: 'chroma://team:8000', collection: 'repo', available: false, notice: 'the server does not answer' };
  const state = indexStateOf(inputs({ settings, folders: [{ status: status(0) }], teamFolder: { name: 'work', status: status(0) }, teamState }));
  assert.equal(state.phase, 'ready');
  assert.deepEqual(state.team, { url: 'chroma://team:8000', collection: 'repo', folderName: 'work', available: false, notice: 'the server does not answer', overlayFiles: 0 });
  const refused = indexStateOf(inputs({ settings, teamFolder: { name: 'work', status: status(4) }, teamState: { ...teamState, error: 'set QUIPU_TEAM_TOKEN' } }));
  assert.equal(refused.message, 'set QUIPU_TEAM_TOKEN (or run "Quipu: Set Team Index Token")');
  assert.equal(refused.team?.error, refused.message);
});
