/**
 * The folder keeper as `quipu mcp` builds it (src/mcp/keeper.ts over core/keeper/folder-keeper.ts),
 * in process, with the real engine on a real temporary folder. Time is a clock the test moves: the
 * debounce, the reconciling pass minutes later and the lock retry happen when the test says, and
 * each wait is for the keeper to be idle, never a duration.
 */
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import type { KeeperClock, KeeperTimer } from '../../src/core/keeper/clock';
import { LOCK_RETRY_MS, RECONCILE_MS } from '../../src/core/keeper/folder-keeper';
import type { ServedFolder } from '../../src/mcp/folders';
import { servedKeeper } from '../../src/mcp/keeper';
import { tempDir, testEngine } from '../helpers';

/** A clock that stands still until `advance` moves it, firing the timers that come due on the way, in order. */
class ManualClock implements KeeperClock {
  private time = 1_000_000;
  private timers: { due: number; run: () => void; timer: KeeperTimer }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): KeeperTimer {
    const timer: KeeperTimer = { unref: () => undefined };
    this.timers.push({ due: this.time + Math.max(0, ms), run, timer });
    return timer;
  }

  clearTimeout(timer: KeeperTimer): void {
    this.timers = this.timers.filter((t) => t.timer !== timer);
  }

  /** Moves time by `ms`; a timer set by a timer that fires on the way fires too when it comes due. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.run();
    }
    this.time = target;
  }
}

let engine: QuipuEngine;
before(async () => {
  engine = await testEngine();
});

function servedFolder(): ServedFolder {
  const root = realpathSync(tempDir());
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'alpha.ts'), 'export function alpha(): number {\n  return 1;\n}\n');
  writeFileSync(join(root, 'src', 'beta.ts'), 'export function beta(): number {\n  return 2;\n}\n');
  return { root, name: 'work', indexDir: join(tempDir(), 'index') };
}

async function pathsFor(folder: ServedFolder, word: string): Promise<string[]> {
  return (await engine.search(folder.root, word, { indexDir: folder.indexDir, mode: 'lexical', topK: 10 })).map((r) => r.path);
}

test('quipu mcp finds a change its watcher missed: the reconciling pass after file events', async () => {
  const folder = servedFolder();
  const clock = new ManualClock();
  const logs: string[] = [];
  const keeper = servedKeeper([folder], () => Promise.resolve(engine), (line) => logs.push(line), undefined, clock);
  try {
    // Start-up: a full pass (no debounce).
    keeper.requestFull(folder.root);
    clock.advance(0);
    await keeper.whenIdle();
    assert.equal(keeper.stateOf(folder.root).lastSummary?.filesIndexed, 2, JSON.stringify({ ...keeper.stateOf(folder.root), logs }));

    // Two files change; the watcher reports one of them (it can drop events under load).
    writeFileSync(join(folder.root, 'src', 'alpha.ts'), 'export function alpha(): string {\n  return "quokkareported";\n}\n');
    writeFileSync(join(folder.root, 'src', 'beta.ts'), 'export function beta(): string {\n  return "wombatmissed";\n}\n');
    keeper.changed(folder.root, ['src/alpha.ts']);
    assert.equal(keeper.stateOf(folder.root).pendingFiles, 1);
    clock.advance(300);
    await keeper.whenIdle();
    assert.deepEqual(await pathsFor(folder, 'quokkareported'), ['src/alpha.ts'], 'the reported change is indexed');
    assert.deepEqual(await pathsFor(folder, 'wombatmissed'), [], 'the path update looked at the reported path only');

    // Nothing runs until the reconciling pass is due (two minutes after the last full pass).
    clock.advance(RECONCILE_MS - 301);
    assert.equal(keeper.busy || keeper.hasPending, false);
    clock.advance(1);
    assert.equal(keeper.stateOf(folder.root).fullPass, true, 'the reconciling pass runs');
    await keeper.whenIdle();
    assert.deepEqual(await pathsFor(folder, 'wombatmissed'), ['src/beta.ts'], 'the reconciling pass found the change the watcher missed');
    assert.equal(keeper.stateOf(folder.root).lastSummary?.filesIndexed, 1);
    assert.ok(logs.some((line) => line.startsWith('work: 1 file(s) indexed')), logs.join('\n'));
  } finally {
    await keeper.close();
  }
});

test('an index another process writes is left to it, and tried again after LOCK_RETRY_MS with the same work', async () => {
  const folder = servedFolder();
  const clock = new ManualClock();
  const logs: string[] = [];
  const keeper = servedKeeper([folder], () => Promise.resolve(engine), (line) => logs.push(line), undefined, clock);
  const lock = join(folder.indexDir, 'index.lock');
  try {
    // A live process on this host (this test) owns the lock, as a VS Code window indexing would.
    mkdirSync(folder.indexDir, { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    keeper.requestFull(folder.root);
    clock.advance(0);
    await keeper.whenIdle();
    const locked = keeper.stateOf(folder.root);
    assert.match(locked.lockedBy ?? '', /lock/);
    assert.equal(locked.lastSummary, undefined);
    assert.ok(logs.some((line) => line.includes('Searching what it commits')), logs.join('\n'));

    rmSync(lock);
    clock.advance(LOCK_RETRY_MS - 1);
    assert.equal(keeper.busy || keeper.hasPending, false, 'not tried again before LOCK_RETRY_MS');
    clock.advance(1);
    assert.equal(keeper.stateOf(folder.root).fullPass, true, 'the full pass is tried again');
    await keeper.whenIdle();
    const state = keeper.stateOf(folder.root);
    assert.equal(state.lockedBy, undefined);
    assert.equal(state.lastSummary?.filesIndexed, 2);
    assert.deepEqual(await pathsFor(folder, 'beta'), ['src/beta.ts']);
  } finally {
    await keeper.close();
  }
});

test('a changed ignore file makes a watcher event a full pass: what it now ignores leaves the index', async () => {
  const folder = servedFolder();
  const clock = new ManualClock();
  const keeper = servedKeeper([folder], () => Promise.resolve(engine), () => undefined, undefined, clock);
  try {
    keeper.requestFull(folder.root);
    clock.advance(0);
    await keeper.whenIdle();
    assert.deepEqual(await pathsFor(folder, 'beta'), ['src/beta.ts']);
    writeFileSync(join(folder.root, '.gitignore'), 'src/beta.ts\n');
    keeper.changed(folder.root, ['.gitignore']);
    assert.equal(keeper.stateOf(folder.root).fullPass, true);
    clock.advance(0);
    await keeper.whenIdle();
    // The ignore file itself is text, and names beta.ts.
    assert.deepEqual(await pathsFor(folder, 'beta'), ['.gitignore']);
    assert.equal(keeper.stateOf(folder.root).lastSummary?.filesRemoved, 1);
  } finally {
    await keeper.close();
  }
});

test('the keeper indexes in the fast tier, then completes the deep tier behind it', async () => {
  const folder = servedFolder();
  const clock = new ManualClock();
  const keeper = servedKeeper([folder], () => Promise.resolve(engine), () => undefined, undefined, clock);
  try {
    keeper.requestFull(folder.root);
    clock.advance(0);
    await keeper.whenIdle();
    const afterFast = keeper.stateOf(folder.root);
    assert.deepEqual(afterFast.tierCounts, { fast: 2, deep: 0 }, JSON.stringify(afterFast));
    assert.equal(afterFast.deepPending, true);
    assert.deepEqual(await pathsFor(folder, 'beta'), ['src/beta.ts'], 'searchable before the deep tier');
    clock.advance(0);
    await keeper.whenQuiet();
    const afterDeep = keeper.stateOf(folder.root);
    assert.deepEqual(afterDeep.tierCounts, { fast: 0, deep: 2 });
    assert.equal(afterDeep.deepPending, false);
    assert.equal(afterDeep.lastSummary?.tier, 'fast', 'the last summary is the foreground run’s');
  } finally {
    await keeper.close();
  }
});
