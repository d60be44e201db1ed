/**
 * What the status bar and the panel show (src/extension/state.ts), from what the engine host, the
 * folder keeper and the index statuses say. Pure: no `vscode`, no engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexStatus } from '../../src/core/engine/engine';
import type { IndexProgress } from '../../src/core/pipeline/events';
import { indexStateOf, progressText, tierLines, type StateInputs } from '../../src/extension/state';
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

test('tiers: how far the deep tier has come over every folder, its background run, and what it means for searching', () => {
  const tiered = (fast: number, deep: number) => status(4, { tiers: 'fast-deep', tierCounts: { fast, deep } });
  const progress = { tier: 'deep', filesIndexed: 12, filesToIndex: 40, discoveryDone: true, chunksPerSecond: 14, etaSeconds: 130 } as IndexProgress;
  const state = indexStateOf(inputs({ folders: [{ status: tiered(500, 234) }, { status: tiered(240, 260) }], deep: { running: true, pending: true, progress } }));
  // The deep tier in the background is not indexing: no spinner, searching as ever.
  assert.equal(state.phase, 'ready');
  assert.deepEqual(state.tiers, {
    plan: 'fast-deep',
    fast: 740,
    deep: 494,
    deepPercent: 40,
    deepIncomplete: true,
    deepRunning: true,
    deepPending: true,
    deepProgress: { filesDone: 12, filesTotal: 40, chunksPerSecond: 14, etaSeconds: 130 },
  });
  assert.deepEqual(tierLines(state.tiers), [
    'Fast tier (words and static vectors): 740 chunks',
    "Deep tier (the transformer's vectors): 494 of 1,234 chunks (40%), computed in the background now: 12 / 40 files · about 2 min left",
    'Searching works meanwhile; chunks without deep vectors are ranked by their fast ones.',
  ]);
  const waiting = indexStateOf(inputs({ folders: [{ status: tiered(500, 234) }], deep: { running: false, pending: true } })).tiers!;
  assert.equal(tierLines(waiting)[1], "Deep tier (the transformer's vectors): 234 of 734 chunks (31%), waiting behind other indexing");
  const done = indexStateOf(inputs({ folders: [{ status: tiered(0, 1234) }] })).tiers!;
  assert.equal(done.deepIncomplete, false);
  assert.deepEqual(tierLines(done), ['Fast tier (words and static vectors): 0 chunks', "Deep tier (the transformer's vectors): complete, 1,234 chunks"]);
  // A remote embedder: the deep tier alone, and why, when the setting asked for more.
  const remote = indexStateOf(inputs({ folders: [{ status: status(4, { tiers: 'deep', tierCounts: { fast: 0, deep: 12 } }) }], tierNote: 'a remote embedder computes the deep tier alone' })).tiers!;
  assert.deepEqual(tierLines(remote), ["Deep tier (the transformer's vectors): all 12 chunks", 'Note: a remote embedder computes the deep tier alone']);
  const fastOnly = indexStateOf(inputs({ folders: [{ status: status(4, { tiers: 'fast', tierCounts: { fast: 12, deep: 0 } }) }] })).tiers!;
  assert.equal(fastOnly.deepIncomplete, false);
  assert.equal(tierLines(fastOnly)[1], 'Deep tier: off (setting "quipu.tiers" is fast)');
  // No status read yet: nothing said about tiers.
  assert.equal(indexStateOf(inputs()).tiers, undefined);
});
