/** The static model through the built CLI (the model itself: test/unit/static-model.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFixture, runCli, tempDir } from '../helpers';

test('a missing static model is named, with what to do', async () => {
  // The built CLI (npm run build), as a user runs it.
  const missing = `${tempDir()}/none.static.bin`;
  const run = await runCli(['index', copyFixture('corpus'), '--index-dir', tempDir(), '--static-model', missing]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /none\.static\.bin cannot be read \(ENOENT\)\. Run `npm run setup-model`/);
});
