import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IndexScheduler, type RunRequest } from '../../src/extension/scheduler';

/** A scheduler whose runs are recorded and finish when the test says so. */
function harness(debounceMs = 20, reconcileMs = 0) {
  const runs: { folderKey: string; kind: string; paths?: string[]; signal: AbortSignal; finish: () => void }[] = [];
  const errors: unknown[] = [];
  const scheduler = new IndexScheduler({
    debounceMs,
    run: (request: RunRequest) =>
      new Promise<void>((resolve) => {
        const finish = () => resolve();
        request.signal.addEventListener('abort', finish, { once: true });
        runs.push({
          folderKey: request.folderKey,
          kind: request.work.kind,
          paths: request.work.kind === 'paths' ? [...request.work.paths].sort() : undefined,
          signal: request.signal,
          finish,
        });
      }),
    onError: (_key, error) => errors.push(error),
    onChange: () => undefined,
    reconcileMs,
  });
  return { scheduler, runs, errors };
}

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

test('file events are coalesced per folder and debounced into one run', async () => {
  const { scheduler, runs } = harness();
  scheduler.requestPaths('a', ['x.ts']);
  scheduler.requestPaths('a', ['y.ts', 'x.ts']);
  await tick(5);
  scheduler.requestPaths('a', ['z.md']);
  assert.equal(runs.length, 0, 'nothing runs before the quiet time');
  await tick(60);
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0].paths, ['x.ts', 'y.ts', 'z.md']);
  runs[0].finish();
  await scheduler.whenIdle();
  assert.equal(scheduler.busy, false);
});

test('a full pass absorbs pending path events; one run at a time; full passes go first', async () => {
  const { scheduler, runs } = harness();
  scheduler.requestPaths('a', ['x.ts']);
  scheduler.requestFull('a');
  scheduler.requestPaths('a', ['y.ts']);
  await tick();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].kind, 'full');
  scheduler.requestPaths('b', ['q.ts']);
  scheduler.requestFull('c');
  await tick();
  assert.equal(runs.length, 1, 'the second run waits for the first');
  runs[0].finish();
  await tick();
  assert.equal(runs[1].folderKey, 'c', 'the full pass before the path update');
  runs[1].finish();
  await tick();
  assert.equal(runs[2].folderKey, 'b');
  runs[2].finish();
  await scheduler.whenIdle();
});

test('pause cancels the running pass and resume runs its work again; whenIdle waits for both', async () => {
  const { scheduler, runs } = harness();
  scheduler.requestFull('a');
  await tick();
  assert.equal(runs.length, 1);
  await scheduler.pause();
  assert.equal(runs[0].signal.aborted, true, 'the running pass was cancelled');
  assert.equal(scheduler.paused, true);
  scheduler.requestPaths('a', ['late.ts']);
  await tick();
  assert.equal(runs.length, 1, 'nothing starts while paused');
  scheduler.resume();
  await tick();
  assert.equal(runs.length, 2);
  assert.equal(runs[1].kind, 'full', 'the interrupted full pass comes back, absorbing later events');
  let idle = false;
  const waiting = scheduler.whenIdle().then(() => (idle = true));
  await tick();
  assert.equal(idle, false);
  runs[1].finish();
  await waiting;
  assert.equal(idle, true);
});

test('a failed run is reported and the scheduler goes on', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const scheduler = new IndexScheduler({
    debounceMs: 1,
    run: () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve();
    },
    onError: (_key, error) => errors.push(error),
    onChange: () => undefined,
  });
  scheduler.requestFull('a');
  scheduler.requestFull('b');
  await scheduler.whenIdle();
  await tick();
  assert.equal(calls, 2);
  assert.equal((errors[0] as Error).message, 'disk full');
});

test('runs for file events are followed by a reconciling full pass, once, only in folders walked whole', async () => {
  const { scheduler, runs } = harness(5, 50);
  const until = async (condition: () => boolean) => {
    while (!condition()) await tick(5);
  };
  // A folder never walked whole: events update their paths and nothing more.
  scheduler.requestPaths('never', ['x.ts']);
  await until(() => runs.length === 1);
  runs[0].finish();
  scheduler.requestFull('a');
  await until(() => runs.length === 2);
  runs[1].finish();
  scheduler.requestPaths('a', ['y.ts']);
  await until(() => runs.length === 3);
  runs[2].finish();
  scheduler.requestPaths('a', ['z.ts']);
  await until(() => runs.length === 4);
  runs[3].finish();
  // Two event runs, one reconciling pass for them, and it is for the folder walked whole.
  await until(() => runs.length === 5);
  assert.deepEqual(runs.map((r) => `${r.folderKey}:${r.kind}`), ['never:paths', 'a:full', 'a:paths', 'a:paths', 'a:full']);
  runs[4].finish();
  await scheduler.whenIdle();
  await scheduler.dispose();
});
