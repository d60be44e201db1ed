import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HALF_TO_FLOAT, toHalf } from '../../src/core/store/half';
import { deserializeShardRows, emptyShardRows, serializeShardRows, updatedShardRows } from '../../src/core/store/shard-file';
import { IndexStore } from '../../src/core/store/store';
import type { ChunkMetadata } from '../../src/core/store/types';
import { tempDir } from '../helpers';
import { indexProblems } from '../index-problems';

test('float16: every half survives the round trip, and a float lands within 2^-11 of itself, relatively', () => {
  for (let h = 0; h < 65536; h++) {
    const value = HALF_TO_FLOAT[h];
    if (Number.isNaN(value)) assert.ok(Number.isNaN(HALF_TO_FLOAT[toHalf(value)]));
    else assert.equal(toHalf(value), h, `half ${h} (${value})`);
  }
  for (const x of [0.5, -0.1234567, 1e-3, 0.0721, 0.999999, -0.3333333]) {
    assert.ok(Math.abs(HALF_TO_FLOAT[toHalf(x)] - x) <= Math.abs(x) * 2 ** -11, String(x));
  }
  assert.equal(HALF_TO_FLOAT[toHalf(1e6)], Infinity);
  assert.equal(HALF_TO_FLOAT[toHalf(1e-9)], 0);
});

function metadataOf(path: string, chunk: number): ChunkMetadata {
  return { path, ext: 'ts', lang: 'typescript', startLine: chunk * 10 + 1, endLine: chunk * 10 + 9, page: 0, chunk, textKey: 'ab'.repeat(16), inputHash: `h${path}${chunk}`, symbol: chunk ? `fn${chunk}` : '', tier: chunk % 2 ? 'fast' : 'deep' };
}

test('a shard file gives back its ids, metadata and unit vectors; an update removes and adds by id', () => {
  const dims = 5;
  let rows = updatedShardRows(emptyShardRows(dims), new Set(), [
    { id: 'a-0', vector: [3, 4, 0, 0, 0], metadata: metadataOf('src/a.ts', 0) },
    { id: 'a-1', vector: [0, 0, 0, 0, 0], metadata: metadataOf('src/a.ts', 1) },
    { id: 'b-0', vector: [1, 1, 1, 1, 1], metadata: { ...metadataOf('docs/b.md', 0), ext: 'md', lang: 'markdown', page: 3 } },
  ]);
  const back = deserializeShardRows(serializeShardRows(rows));
  assert.deepEqual(back.ids, ['a-0', 'a-1', 'b-0']);
  assert.deepEqual(back.metadata, rows.metadata);
  assert.deepEqual([...back.halves.subarray(0, 5)].map((h) => HALF_TO_FLOAT[h]), [HALF_TO_FLOAT[toHalf(0.6)], HALF_TO_FLOAT[toHalf(0.8)], 0, 0, 0]);
  assert.deepEqual([...back.halves.subarray(5, 10)], [0, 0, 0, 0, 0], 'a zero vector stays zero');

  rows = updatedShardRows(back, new Set(['a-0', 'a-1']), [{ id: 'c-0', vector: [0, 0, 2, 0, 0], metadata: metadataOf('c.ts', 0) }]);
  assert.deepEqual(rows.ids, ['b-0', 'c-0']);
  assert.equal(rows.metadata[0].page, 3);
  assert.deepEqual([...rows.halves.subarray(5, 10)].map((h) => HALF_TO_FLOAT[h]), [0, 0, 1, 0, 0]);
  assert.throws(() => updatedShardRows(rows, new Set(), [{ id: 'b-0', vector: [1, 0, 0, 0, 0], metadata: metadataOf('b', 0) }]), /already in its shard/);
  assert.throws(() => updatedShardRows(rows, new Set(), [{ id: 'd-0', vector: [1, 0], metadata: metadataOf('d', 0) }]), /2 dimensions, the index 5/);
});

test('a damaged shard file is refused with what is wrong, never read as fewer chunks', () => {
  const rows = updatedShardRows(emptyShardRows(4), new Set(), [{ id: 'a-0', vector: [1, 2, 3, 4], metadata: metadataOf('a.ts', 0) }]);
  const bytes = serializeShardRows(rows);
  assert.throws(() => deserializeShardRows(bytes.subarray(0, bytes.length - 2)), /bytes, not the/);
  assert.throws(() => deserializeShardRows(bytes.subarray(0, 20)), /truncated/);
  assert.throws(() => deserializeShardRows(Buffer.from('garbage garbage garbage')), /not a Quipu vector shard/);
  const header = Buffer.from(bytes);
  header.write('}', 9);
  assert.throws(() => deserializeShardRows(header), /header is damaged/);
  assert.throws(() => deserializeShardRows(Buffer.alloc(0)), /not a Quipu vector shard/);
});

test('an index in format 5 (Vectra protobuf shards) is rebuilt: a writer says why and starts from empty', async () => {
  const dir = tempDir();
  const old = { formatVersion: 5, modelId: 'm', chunkKey: 'k', dimensions: 3, shards: 1, catalogGeneration: 1, shardGenerations: [1], updatedAt: '' };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(old));
  writeFileSync(join(dir, 'catalog.g1.json'), JSON.stringify({ 'a.md': { size: 1, mtimeMs: 1, hash: 'h', modelId: 'm', chunkKey: 'k', shard: 0, textKey: 'ab'.repeat(16), chunkIds: ['x-0'] } }));
  mkdirSync(join(dir, 'shards', 's00'), { recursive: true });
  writeFileSync(join(dir, 'shards', 's00', 'index.g1.pb'), 'an old Vectra protobuf shard');
  const identity = { modelId: 'm', chunkKey: 'k', dimensions: 3 };
  const reader = await IndexStore.open(dir, identity, { write: false });
  assert.match(reader.rebuildReason ?? '', /the index format changed \(5 → 6\)/);
  assert.equal(reader.catalog.size, 0);
  await reader.close();

  const writer = await IndexStore.open(dir, identity, { write: true });
  assert.match(writer.rebuildReason ?? '', /the index format changed \(5 → 6\)/);
  assert.equal(existsSync(join(dir, 'shards', 's00', 'index.g1.pb')), false, 'the old shard is gone');
  writer.stageFile({ path: 'a.md', size: 1, mtimeMs: 2, hash: 'h2'.padEnd(16, '0'), ext: 'md', language: 'markdown', chunks: [{ text: 'bees', startLine: 1, endLine: 1, inputHash: 'i', vector: Float32Array.from([0, 3, 4]) }] });
  await writer.commit();
  assert.deepEqual(await indexProblems(dir), []);
  await writer.close();
  const again = await IndexStore.open(dir, identity, { write: false });
  assert.equal(again.rebuildReason, undefined);
  const [vector] = [...(await again.tieredVectorsOf('a.md')).values()].map((v) => v.vector);
  assert.deepEqual([...vector].map((x) => Math.round(x * 1000) / 1000), [0, 0.6, 0.8]);
  await again.close();
});

test('an index of the same model id with other dimensions is rebuilt, saying so; a reader that does not know them reads it', async () => {
  const dir = tempDir();
  const identity = { modelId: 'm', chunkKey: 'k', dimensions: 3 };
  const writer = await IndexStore.open(dir, identity, { write: true, shards: 1 });
  writer.stageFile({ path: 'a.md', size: 1, mtimeMs: 1, hash: 'h1'.padEnd(16, '0'), ext: 'md', language: 'markdown', chunks: [{ text: 'bees', startLine: 1, endLine: 1, inputHash: 'i', vector: Float32Array.from([0, 3, 4]) }] });
  await writer.commit();
  await writer.close();

  // A remote model's reader opens without asking the server its size (0: unknown).
  const unknown = await IndexStore.open(dir, { ...identity, dimensions: 0 }, { write: false });
  assert.equal(unknown.rebuildReason, undefined);
  assert.equal(unknown.catalog.size, 1);
  await unknown.close();

  const other = { ...identity, dimensions: 4 };
  assert.deepEqual(await indexProblems(dir, other), ["the model's dimensions changed (3 → 4)"]);
  const rebuilt = await IndexStore.open(dir, other, { write: true });
  assert.equal(rebuilt.rebuildReason, "the model's dimensions changed (3 → 4)");
  assert.equal(rebuilt.catalog.size, 0);
  assert.equal(rebuilt.identity.dimensions, 4);
  await rebuilt.close();
});
