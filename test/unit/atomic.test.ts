/**
 * Atomic replace where a rename over an open file fails, as on Windows: the file host's rename is
 * made to fail with EPERM/EBUSY/EACCES, as Windows does while another process holds the target.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeWriteHost, type WriteHost } from '../../src/core/files/host';
import { writeFileAtomic } from '../../src/core/store/atomic';
import { tempDir } from '../helpers';

const QUICK = { attempts: 6, firstDelayMs: 1, maxDelayMs: 4 };

/** The real file system, with renames that fail with `code` the first `failures` times. */
function flakyRenames(code: string, failures: number): WriteHost & { renames: number } {
  const host = {
    ...nodeWriteHost,
    renames: 0,
    async rename(from: string, to: string) {
      host.renames++;
      if (host.renames <= failures) throw Object.assign(new Error(`${code}: operation not permitted, rename '${from}' -> '${to}'`), { code, syscall: 'rename' });
      await nodeWriteHost.rename(from, to);
    },
  };
  return host;
}

for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
  test(`a rename refused with ${code} is tried again until it goes through`, async () => {
    const dir = tempDir();
    const target = join(dir, 'manifest.json');
    writeFileSync(target, 'old');
    const host = flakyRenames(code, 3);
    await writeFileAtomic(target, 'new', host, QUICK);
    assert.equal(readFileSync(target, 'utf8'), 'new');
    assert.equal(host.renames, 4);
    assert.deepEqual(readdirSync(dir), ['manifest.json'], 'no temporary file left');
  });
}

test('a rename that keeps failing reports the error, leaves the old file whole and no temporary file', async () => {
  const dir = tempDir();
  const target = join(dir, 'catalog.json');
  writeFileSync(target, 'old');
  const host = flakyRenames('EBUSY', Infinity);
  await assert.rejects(writeFileAtomic(target, 'new', host, QUICK), { code: 'EBUSY' });
  assert.equal(host.renames, QUICK.attempts);
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['catalog.json']);
});

test('other errors are not retried', async () => {
  const dir = tempDir();
  const host = flakyRenames('ENOSPC', 1);
  await assert.rejects(writeFileAtomic(join(dir, 'a.json'), 'x', host, QUICK), { code: 'ENOSPC' });
  assert.equal(host.renames, 1);
  assert.deepEqual(readdirSync(dir), []);
});

test('the default host writes through to the disk', async () => {
  const target = join(tempDir(), 'deep', 'er', 'file.bin');
  await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(target)], [1, 2, 3]);
});
