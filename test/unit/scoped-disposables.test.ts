/** The extension's restart scope (src/extension/scoped-disposables.ts): what one engine lifetime made goes with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScopedDisposables } from '../../src/extension/scoped-disposables';

test('disposes newest first, waits for each, goes on past a failure, and empties', async () => {
  const scope = new ScopedDisposables();
  const closed: string[] = [];
  scope.push({ dispose: () => closed.push('engine') });
  scope.push({ dispose: () => Promise.reject(new Error('the server went away')) });
  const later = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    closed.push('team session');
  };
  scope.push({ dispose: later });
  await scope.dispose();
  assert.deepEqual(closed, ['team session', 'engine']);
  await scope.dispose();
  assert.deepEqual(closed, ['team session', 'engine'], 'a second dispose has nothing left to close');
});
