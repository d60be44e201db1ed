/**
 * The machine's vector cache (embed/vector-cache.ts): crash-safe and bounded. Shared by processes and
 * by indexes (a branch switched and back, a second worktree): test/system/vector-cache.test.ts.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VectorCache } from '../../src/core/embed/vector-cache';
import { tempDir } from '../helpers';

const DIMS = 8;
const key = (i: number) => i.toString(16).padStart(32, '0');
const vector = (i: number) => Float32Array.from({ length: DIMS }, (_, d) => i + d / 10);

test('vectors persist across processes (reopen), a torn or damaged record is a miss, the rest stay', () => {
  const dir = tempDir();
  const cache = VectorCache.open({ dir, maxBytes: 1 << 20 }, 'model-a', DIMS);
  cache.putMany(Array.from({ length: 10 }, (_, i): [string, Float32Array] => [key(i), vector(i)]));
  cache.close();
  const again = VectorCache.open({ dir, maxBytes: 1 << 20 }, 'model-a', DIMS);
  assert.equal(again.size, 10);
  assert.deepEqual(again.getMany([key(3)]).get(key(3)), vector(3));
  again.close();
  assert.equal(VectorCache.open({ dir, maxBytes: 1 << 20 }, 'model-b', DIMS).size, 0, 'another embedder has a cache of its own');

  // A crash in the middle of a record: the file ends inside record 9.
  const [folder] = readdirSync(dir).filter((name) => readdirSync(join(dir, name)).some((file) => file.endsWith('.vec') && statSync(join(dir, name, file)).size > 0));
  const [segment] = readdirSync(join(dir, folder)).filter((file) => file.endsWith('.vec'));
  const path = join(dir, folder, segment);
  const recordBytes = 16 + DIMS * 4 + 4;
  truncateSync(path, recordBytes * 9 + 5);
  // A flipped byte inside record 2's vector.
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([0xff]), 0, 1, recordBytes * 2 + 20);
  closeSync(fd);
  const reopened = VectorCache.open({ dir, maxBytes: 1 << 20 }, 'model-a', DIMS);
  const found = reopened.getMany(Array.from({ length: 10 }, (_, i) => key(i)));
  assert.deepEqual([...found.keys()].sort(), [0, 1, 3, 4, 5, 6, 7, 8].map(key));
  assert.deepEqual(found.get(key(8)), vector(8));
  reopened.close();
});

test('bounded by size: the oldest segments go first, and a vector used again is kept', () => {
  const dir = tempDir();
  const recordBytes = 16 + DIMS * 4 + 4;
  const settings = { dir, maxBytes: recordBytes * 45, segmentBytes: recordBytes * 10 };
  const cache = VectorCache.open(settings, 'model', DIMS);
  cache.putMany(Array.from({ length: 20 }, (_, i): [string, Float32Array] => [key(i), vector(i)]));
  // Used again while it sits in the oldest segment: written again to the newest.
  assert.ok(cache.getMany([key(0)]).has(key(0)));
  cache.putMany(Array.from({ length: 40 }, (_, i): [string, Float32Array] => [key(100 + i), vector(100 + i)]));
  assert.ok(cache.bytes <= settings.maxBytes, `${cache.bytes} bytes`);
  const found = cache.getMany([key(0), key(1), key(139)]);
  assert.deepEqual([...found.keys()].sort(), [key(0), key(139)].sort(), 'the unused old vector went, the used one stayed');
  cache.close();
});
