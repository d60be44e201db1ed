/**
 * The team index's token: taken from the environment, sent to the server as a bearer token (seen by a
 * proxy in front of a real Chroma server), never printed. Addresses and provenance: test/unit/team-config.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEAM_TOKEN_ENV } from '../../src/core/store/team-address';
import { copyFixture, runCli, tempDir } from '../helpers';
import { startChroma, type RunningChroma } from '../servers/chroma';
import { startHoldingProxy } from '../servers/holding-proxy';

describe('against a real Chroma server', () => {
  let chroma: RunningChroma;
  before(async () => {
    chroma = await startChroma();
  });
  after(() => chroma?.dispose());

  test(`the token comes from ${TEAM_TOKEN_ENV}, reaches the server as a bearer token and is never printed`, async () => {
    const seen: (string | undefined)[] = [];
    const proxy = await startHoldingProxy(`http://127.0.0.1:${chroma.port}`, (req) => {
      seen.push(req.headers.authorization);
      return false;
    });
    try {
      const folder = copyFixture('corpus');
      const token = 'team-secret-7f3a';
      const run = await runCli(['index', folder, '--index-dir', join(tempDir(), 'i'), '--store', `chroma://127.0.0.1:${proxy.port}`, '--collection', 'tokens', '--commit', 'c1'], { env: { [TEAM_TOKEN_ENV]: token } });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(seen.length > 0 && seen.every((h) => h === `Bearer ${token}`), JSON.stringify(seen.slice(0, 3)));
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));
      assert.match(run.stdout, /Published to the team index tokens at chroma:\/\/127\.0\.0\.1:\d+: generation 1 \(commit c1\)/);
    } finally {
      await proxy.close();
    }
  });
});
