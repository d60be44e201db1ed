/**
 * The scheduler (src/core/keeper/scheduler.ts) on mocked timers: the debounce, the order of runs and
 * the reconciling pass are timing, so the test moves time itself and never sleeps.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { IndexScheduler, type RunRequest } from '../../src/core/keeper/scheduler';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
afterEach(() => mock.timers.reset());

/** Lets promise callbacks run (a run that finished, the next one starting). setImmediate is not mocked. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock by `ms`, then lets what those timers started go as far as it can without more time. */
async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  for (let i = 0; i < 5; i++) {
    await settle();
    // A finished run starts the next one after a timer of 0 ms.
    mock.timers.tick(0);
  }
}

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

test('file events are coalesced per folder and debounced into one run', async () => {
  const { scheduler, runs } = harness(20);
  scheduler.requestPaths('a', ['x.ts']);
  scheduler.requestPaths('a', ['y.ts', 'x.ts']);
  await advance(15);
  scheduler.requestPaths('a', ['z.md']);
  await advance(15);
  assert.equal(runs.length, 0, 'nothing runs before 20 ms of quiet after the last event');
  await advance(5);
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0].paths, ['x.ts', 'y.ts', 'z.md']);
  runs[0].finish();
  await advance(0);
  await scheduler.whenIdle();
  assert.equal(scheduler.busy, false);
});

test('a full pass absorbs pending path events; one run at a time; full passes go first', async () => {
  const { scheduler, runs } = harness();
  scheduler.requestPaths('a', ['x.ts']);
  scheduler.requestFull('a');
  scheduler.requestPaths('a', ['y.ts']);
  await advance(0);
  assert.equal(runs.length, 1, 'a full pass starts without the debounce');
  assert.equal(runs[0].kind, 'full');
  scheduler.requestPaths('b', ['q.ts']);
  scheduler.requestFull('c');
  await advance(100);
  assert.equal(runs.length, 1, 'the second run waits for the first');
  runs[0].finish();
  await advance(0);
  assert.equal(runs[1].folderKey, 'c', 'the full pass before the path update');
  runs[1].finish();
  await advance(0);
  assert.equal(runs[2].folderKey, 'b');
  runs[2].finish();
  await advance(0);
  await scheduler.whenIdle();
});

test('pause cancels the running pass and resume runs its work again; whenIdle waits for both', async () => {
  const { scheduler, runs } = harness();
  scheduler.requestFull('a');
  await advance(0);
  assert.equal(runs.length, 1);
  await scheduler.pause();
  assert.equal(runs[0].signal.aborted, true, 'the running pass was cancelled');
  assert.equal(scheduler.paused, true);
  scheduler.requestPaths('a', ['late.ts']);
  await advance(1000);
  assert.equal(runs.length, 1, 'nothing starts while paused');
  scheduler.resume();
  await advance(0);
  assert.equal(runs.length, 2);
  assert.equal(runs[1].kind, 'full', 'the interrupted full pass comes back, absorbing later events');
  let idle = false;
  const waiting = scheduler.whenIdle().then(() => (idle = true));
  await advance(1000);
  assert.equal(idle, false, 'a run is going');
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
  await advance(0);
  await scheduler.whenIdle();
  assert.equal(calls, 2);
  assert.equal((errors[0] as Error).message, 'disk full');
});

test('runs for file events are followed by a reconciling full pass, once, when due, only in folders walked whole', async () => {
  const { scheduler, runs } = harness(5, 60_000);
  // A folder never walked whole: events update their paths and nothing more.
  scheduler.requestPaths('never', ['x.ts']);
  await advance(5);
  assert.equal(runs.length, 1);
  runs[0].finish();
  scheduler.requestFull('a');
  await advance(0);
  assert.equal(runs.length, 2);
  runs[1].finish();
  await advance(0);
  // The full pass of 'a' ended now: its reconciling pass is due 60 s later, whatever events come between.
  await advance(10_000);
  scheduler.requestPaths('a', ['y.ts']);
  await advance(5);
  assert.equal(runs.length, 3);
  runs[2].finish();
  await advance(0);
  await advance(10_000);
  scheduler.requestPaths('a', ['z.ts']);
  await advance(5);
  assert.equal(runs.length, 4);
  runs[3].finish();
  await advance(0);
  await advance(39_000);
  assert.equal(runs.length, 4, 'not before 60 s after the last full pass');
  await advance(1_000);
  // Two event runs, one reconciling pass for them, and it is for the folder walked whole.
  assert.deepEqual(runs.map((r) => `${r.folderKey}:${r.kind}`), ['never:paths', 'a:full', 'a:paths', 'a:paths', 'a:full']);
  runs[4].finish();
  await advance(0);
  await scheduler.whenIdle();
  await advance(10 * 60_000);
  assert.equal(runs.length, 5, 'no event since: no other pass');
  await scheduler.dispose();
});

test('the deep tier runs only when nothing else waits, yields to any other work, and is taken up again', async () => {
  const { scheduler, runs } = harness(20);
  scheduler.requestFull('a');
  scheduler.requestDeep('a');
  await advance(0);
  assert.deepEqual(
    runs.map((r) => r.kind),
    ['full'],
    'the full pass goes first',
  );
  runs[0].finish();
  await advance(0);
  assert.deepEqual(
    runs.map((r) => r.kind),
    ['full', 'deep'],
  );
  assert.equal(scheduler.deepFolder, 'a');
  assert.equal(scheduler.busy, false, 'a deep run is not foreground work');
  await scheduler.whenIdle(); // resolves with the deep run going

  // A file event stops the deep run at once (before its debounce), then runs, then the deep run again.
  scheduler.requestPaths('a', ['x.ts']);
  assert.equal(runs[1].signal.aborted, true, 'the deep run was told to stop');
  await advance(0);
  assert.deepEqual(
    runs.map((r) => r.kind),
    ['full', 'deep', 'paths'],
  );
  let quiet = false;
  void scheduler.whenQuiet().then(() => (quiet = true));
  runs[2].finish();
  await advance(0);
  assert.deepEqual(
    runs.map((r) => r.kind),
    ['full', 'deep', 'paths', 'deep'],
  );
  assert.equal(quiet, false, 'whenQuiet waits for the deep tier');
  runs[3].finish();
  await advance(0);
  assert.equal(quiet, true);
  assert.equal(scheduler.deepPending, 0);
});

test('pausing keeps the deep tier for later; forgetting a folder drops it', async () => {
  const { scheduler, runs } = harness(20);
  scheduler.requestDeep('a');
  await advance(0);
  assert.equal(scheduler.deepFolder, 'a');
  await scheduler.pause();
  assert.equal(runs[0].signal.aborted, true);
  assert.equal(scheduler.deepPending, 1, 'kept for after the pause');
  scheduler.resume();
  await advance(0);
  assert.equal(runs.length, 2);
  assert.equal(runs[1].kind, 'deep');
  scheduler.forget('a');
  assert.equal(runs[1].signal.aborted, true);
  await advance(0);
  assert.equal(scheduler.deepPending, 0);
  assert.equal(runs.length, 2);
});
