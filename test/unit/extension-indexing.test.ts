/**
 * The extension's controller on core's folder keeper, in Node: a stand-in `vscode` (test/fake-vscode.ts)
 * around the real engine on a real temporary workspace folder. What the status bar and the panel
 * render (`IndexState`), the notification of a first index, file events, another window holding the
 * lock, and an engine restart. The real workbench is test/integration's.
 */
import { calls, Uri, workspace, configuration } from '../fake-vscode';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as vscode from 'vscode';
import { QuipuController } from '../../src/extension/controller';
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
  // The deep tier done first: the lock below stands for another window's, not this one's background run.
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
