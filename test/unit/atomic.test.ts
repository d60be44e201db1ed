/**
 * Atomic replace where a rename over an open file fails, as on Windows: the file host's rename is
 * made to fail with EPERM/EBUSY/EACCES, as Windows does while another process holds the target.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeWriteHost, type WriteHost } from '../../src/core/files/host';
import { removeObsoleteFile, writeFileAtomic } from '../../src/core/store/atomic';
import { IndexStore } from '../../src/core/store/store';
import type { FileUpdate } from '../../src/core/store/types';
import { tempDir } from '../helpers';
import { indexProblems } from '../index-problems';

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

/** The real file system, with deletions that fail with `code` the first `failures` times. */
function flakyRemovals(code: string, failures: number): WriteHost & { removals: number } {
  const host = {
    ...nodeWriteHost,
    removals: 0,
    async remove(path: string) {
      host.removals++;
      if (host.removals <= failures) throw Object.assign(new Error(`${code}: resource busy or locked, unlink '${path}'`), { code, syscall: 'unlink' });
      await nodeWriteHost.remove(path);
    },
  };
  return host;
}

test('deleting a file another process holds is tried again until it goes', async () => {
  const path = join(tempDir(), 'catalog.g1.json');
  writeFileSync(path, '{}');
  const host = flakyRemovals('EPERM', 2);
  assert.equal(await removeObsoleteFile(path, host, QUICK), true);
  assert.equal(host.removals, 3);
  assert.equal(existsSync(path), false);
});

test('a file that stays held is left in place without an error; other errors are reported', async () => {
  const path = join(tempDir(), 'catalog.g1.json');
  writeFileSync(path, '{}');
  const held = flakyRemovals('EBUSY', Infinity);
  assert.equal(await removeObsoleteFile(path, held, QUICK), false);
  assert.equal(held.removals, QUICK.attempts);
  assert.equal(existsSync(path), true);
  await assert.rejects(removeObsoleteFile(path, flakyRemovals('EIO', 1), QUICK), { code: 'EIO' });
});

const IDENTITY = { modelId: 'test-model', chunkKey: 'test-chunks', dimensions: 4 };

function fileUpdate(path: string, text: string, vector: number[]): FileUpdate {
  return {
    path,
    size: text.length,
    mtimeMs: 1,
    hash: `hash-${text}`,
    ext: '.txt',
    language: 'plaintext',
    chunks: [{ text, startLine: 1, endLine: 1, inputHash: `input-${text}`, vector: Float32Array.from(vector) }],
  };
}

test('a commit stands when the files it replaced cannot be deleted (Windows: held open); the next writer removes them', async () => {
  const dir = tempDir();
  // Every deletion is refused, as while a reader or a virus scanner holds the old generation open.
  const held = flakyRemovals('EPERM', Infinity);
  const store = await IndexStore.open(dir, IDENTITY, { write: true, shards: 1, writeHost: held });
  store.stageFile(fileUpdate('a.txt', 'first text', [1, 0, 0, 0]));
  await store.commit();
  store.stageFile(fileUpdate('a.txt', 'second text', [0, 1, 0, 0]));
  await store.commit();
  assert.ok(held.removals > 0, 'the second commit tried to delete the first generation');
  const [entry] = [...store.catalog.values()];
  assert.equal(entry.hash, 'hash-second text');
  assert.deepEqual(await indexProblems(dir), []);
  await store.close();
  const leftovers = readdirSync(dir).filter((name) => name.startsWith('catalog.g'));
  assert.equal(leftovers.length, 2, `the old catalog is still there: ${leftovers.join(', ')}`);

  // A reader sees the second generation; the next writer deletes what the manifest does not name.
  const reader = await IndexStore.open(dir, IDENTITY, { write: false });
  assert.equal([...reader.catalog.values()][0].hash, 'hash-second text');
  await reader.close();
  const writer = await IndexStore.open(dir, IDENTITY, { write: true });
  await writer.close();
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('catalog.g')), ['catalog.g2.json']);
  const shardFiles = readdirSync(join(dir, 'shards', 's00'));
  assert.ok(shardFiles.every((name) => name.includes('.g2.')), `shard files: ${shardFiles.join(', ')}`);
});
