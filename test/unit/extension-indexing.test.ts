/**
 * The extension's controller on core's folder keeper, in Node: a stand-in `vscode` (test/fake-vscode.ts)
 * around the real engine on a real temporary workspace folder. What the status bar and the panel
 * render (`IndexState`), the notification of a first index, file events, another window holding the
 * lock, and an engine restart. The real workbench is test/integration's.
 */
import { calls, Uri, workspace, configuration, type FakeStatusBarItem } from '../fake-vscode';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as vscode from 'vscode';
import { QuipuController } from '../../src/extension/controller';
import { engineConfig, readSettings, tierPlanOf } from '../../src/extension/settings';
import { IndexStatusBar } from '../../src/extension/statusBar';
import { StatusReportProvider } from '../../src/extension/statusReport';
import type { IndexState } from '../../src/shared/panel-protocol';
import { tempDir } from '../helpers';

const logged: string[] = [];
const log = {
  info: (line: string) => logged.push(line),
  warn: (line: string) => logged.push(line),
  error: (line: string) => logged.push(line),
  debug: () => undefined,
  trace: () => undefined,
  show: () => undefined,
};

let root: string;
let ctl: QuipuController;
const statusBar = new IndexStatusBar();
const statusItem = () => (statusBar as unknown as { item: FakeStatusBarItem }).item;
const deepPhases: IndexState[] = [];

before(() => {
  // No machine-wide vector cache: this test's runs embed what they index.
  configuration.set('quipu.vectorCacheMB', { globalValue: 0 });
  root = realpathSync(tempDir());
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'alpha.ts'), 'export function alpha(): number {\n  return 1;\n}\n');
  writeFileSync(join(root, 'src', 'beta.ts'), 'export function beta(): number {\n  return 2;\n}\n');
  workspace.workspaceFolders = [{ uri: Uri.file(root), name: 'work', index: 0 }];
  const context = {
    storageUri: Uri.file(tempDir()),
    globalStorageUri: Uri.file(tempDir()),
    globalState: { get: <T>(_key: string, fallback: T) => fallback, update: () => Promise.resolve() },
    secrets: { get: () => Promise.resolve(undefined) },
  };
  ctl = new QuipuController(context as unknown as vscode.ExtensionContext, log as unknown as vscode.LogOutputChannel);
});

after(async () => {
  await ctl.dispose();
});

const pathsFor = async (word: string) => (await ctl.searchWorkspace(word, { mode: 'lexical' })).map((r) => r.path);

test('start-up indexes the folder with a notification, and the state says ready', async () => {
  assert.equal(ctl.state.phase, 'not-indexed');
  const phases: string[] = [];
  const subscription = ctl.onDidChangeState((state) => phases.push(state.phase));
  await ctl.start();
  await ctl.keeper.whenIdle();
  subscription.dispose();
  assert.ok(phases.includes('indexing'), phases.join(' '));
  assert.equal(ctl.state.phase, 'ready');
  assert.equal(ctl.state.files, 2);
  assert.deepEqual(calls.progress, ['Quipu: indexing work'], 'a first index shows a notification');
  assert.match(calls.statusBar.at(-1) ?? '', /Quipu indexed work: \d+ chunks/);
  const [folder] = ctl.allFolders();
  assert.equal(folder.lastSummary?.filesIndexed, 2);
  assert.equal(folder.problem, undefined);
  assert.ok(logged.some((line) => line === 'work: indexing (full pass)…'), logged.join('\n'));
  // The run the user waited for is the fast tier; the deep tier waits behind it, in the background.
  const tiers = ctl.state.tiers;
  assert.equal(tiers?.plan, 'fast-deep');
  assert.equal(tiers?.deep, 0);
  assert.equal(tiers?.fast, ctl.state.chunks);
  assert.ok(tiers.fast > 0);
  assert.equal(tiers?.deepIncomplete, true);
  assert.equal(tiers?.deepPending, true);
  assert.equal(tiers?.deepPercent, 0);
  statusBar.update(ctl.state);
  assert.equal(statusItem().text, '$(database) Quipu 2 files · deep 0%');
  assert.match(statusItem().tooltip ?? '', new RegExp(`\nFast tier \\(words and static vectors\\): ${tiers.fast} chunks\n`));
  assert.match(statusItem().tooltip ?? '', new RegExp(`\nDeep tier \\(the transformer's vectors\\): 0 of ${tiers.fast} chunks \\(0%\\)`));
  assert.match(statusItem().tooltip ?? '', /Searching works meanwhile/);
  // The report, with the deep tier held where it stands (paused), so it is not a race with the deep run.
  await ctl.keeper.pause();
  const report = new StatusReportProvider(ctl);
  try {
    const text = await report.provideTextDocumentContent();
    assert.ok(text.includes(`\n| Search tiers | ${tiers.fast} fast |\n| Deep tier | waiting behind other indexing; searching works meanwhile |\n`), text);
  } finally {
    report.dispose();
    ctl.keeper.resume();
  }
  // Followed from here on: the deep tier must not look like indexing the user waits for.
  ctl.onDidChangeState((state) => deepPhases.push(state));
});

test('the deep tier runs in the background: no notification, no spinner; then every chunk is deep', async () => {
  await ctl.keeper.whenQuiet();
  assert.ok(deepPhases.some((state) => state.tiers?.deepRunning), 'the deep run was seen');
  assert.deepEqual([...new Set(deepPhases.map((state) => state.phase))], ['ready']);
  assert.equal(calls.progress.length, 1, 'no notification for the deep tier');
  for (const state of deepPhases) {
    statusBar.update(state);
    assert.doesNotMatch(statusItem().text, /sync~spin/);
  }
  const tiers = ctl.state.tiers;
  assert.deepEqual({ fast: tiers?.fast, deep: tiers?.deep, incomplete: tiers?.deepIncomplete, running: tiers?.deepRunning, pending: tiers?.deepPending }, { fast: 0, deep: ctl.state.chunks, incomplete: false, running: false, pending: false });
  statusBar.update(ctl.state);
  assert.equal(statusItem().text, '$(database) Quipu 2 files');
  assert.match(statusItem().tooltip ?? '', new RegExp(`Deep tier \\(the transformer's vectors\\): complete, ${ctl.state.chunks} chunks`));
  assert.ok(logged.some((line) => /^work: deep tier done after [\d.]+ s: \d+ chunks embedded by the transformer; \d+ deep, 0 fast in the index\.$/.test(line)), logged.join('\n'));
  const [folder] = ctl.allFolders();
  assert.equal(folder.deepPending, false);
  assert.equal(folder.status?.tierCounts.fast, 0);
  // "Quipu: Show Index Status": the plan, and a row per folder.
  const report = new StatusReportProvider(ctl);
  try {
    const text = await report.provideTextDocumentContent();
    assert.match(text, /\nSearch tiers \(setting `quipu.tiers`\): \*\*fast-deep\*\*, words and static vectors first, searchable at once;/);
    assert.ok(text.includes(`\n| Search tiers | ${ctl.state.chunks} deep |\n`), text);
    assert.doesNotMatch(text, /\| Deep tier \|/);
  } finally {
    report.dispose();
  }
});

test('a file event updates that path in the background', async () => {
  writeFileSync(join(root, 'src', 'alpha.ts'), 'export function alpha(): string {\n  return "quokkaseen";\n}\n');
  ctl.filesChanged([Uri.file(join(root, 'src', 'alpha.ts')) as unknown as vscode.Uri]);
  assert.equal(ctl.keeper.stateOf(Uri.file(root).toString()).pendingFiles, 1);
  await ctl.keeper.settle(60_000);
  assert.deepEqual(await pathsFor('quokkaseen'), ['src/alpha.ts']);
  assert.equal(calls.progress.length, 1, 'a background update shows no notification');
  assert.ok(logged.includes('work: indexing (1 changed path(s))…'), logged.join('\n'));
});

test('another window holding the index: said once, shown in the state, searches still answer', async () => {
  // The deep tier done first (the change above queued it again): the lock below stands for another window's, not this one's background run.
  await ctl.keeper.whenQuiet();
  const [folder] = ctl.allFolders();
  const lock = join(folder.indexDir, 'index.lock');
  // A live process on this host (this test) owns the lock, as another VS Code window indexing would.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
  const before = calls.messages.length;
  ctl.indexAll();
  await ctl.keeper.whenIdle();
  ctl.indexAll();
  await ctl.keeper.whenIdle();
  const told = calls.messages.slice(before).filter((m) => m.includes('is being indexed by another VS Code window'));
  assert.equal(told.length, 1, 'the user is told once');
  assert.equal(ctl.state.phase, 'ready');
  assert.match(ctl.state.message ?? '', /Another VS Code window is updating this index/);
  assert.match(ctl.allFolders()[0].problem ?? '', /tries again shortly/);
  assert.deepEqual(await pathsFor('beta'), ['src/beta.ts']);
});

test('an engine restart closes the old engine; the next use starts a new one', async () => {
  const old = await ctl.getEngine();
  await ctl.resetEngine();
  const fresh = await ctl.getEngine();
  assert.notEqual(fresh, old);
  assert.deepEqual(await pathsFor('quokkaseen'), ['src/alpha.ts']);
});

test('quipu.tiers: a change starts a new engine with the plan; a remote embedder is deep alone, said, never an error', async () => {
  configuration.set('quipu.tiers', { globalValue: 'fast' });
  await ctl.resetEngine();
  assert.equal((await ctl.getEngine()).tiers, 'fast');
  await ctl.refreshStatuses();
  assert.equal(ctl.state.tiers?.plan, 'fast');
  assert.equal(ctl.state.tiers?.deepIncomplete, false, 'a plan without a deep tier is complete');
  // A remote embedder with a plan that is not deep: the config asks for deep, with a note, and makeConfig accepts it.
  configuration.set('quipu.embedder.url', { globalValue: 'http://127.0.0.1:9/v1' });
  try {
    const settings = readSettings();
    assert.equal(settings.tiers, 'fast');
    assert.equal(engineConfig(settings).tiers, 'deep');
    assert.match(tierPlanOf(settings).note ?? '', /"quipu.tiers" is fast, but a remote embedder .* computes the deep tier alone/);
    configuration.set('quipu.tiers', { globalValue: 'deep' });
    assert.equal(tierPlanOf(readSettings()).note, undefined);
  } finally {
    configuration.delete('quipu.embedder.url');
    configuration.delete('quipu.tiers');
  }
  // Not a known plan (a hand-edited settings file): the engine's default.
  configuration.set('quipu.tiers', { workspaceValue: 'fastest' });
  assert.equal(readSettings().tiers, undefined);
  configuration.delete('quipu.tiers');
  await ctl.resetEngine();
  assert.equal((await ctl.getEngine()).tiers, 'fast-deep');
});
