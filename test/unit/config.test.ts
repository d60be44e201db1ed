import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkKeyOf, DEFAULT_CHUNK_SETTINGS, defaultEmbedWorkers, describeChunkKey, MAX_DEFAULT_EMBED_WORKERS } from '../../src/core/config/config';

test('embedding workers follow the cores: one per core on two, one core spared from four, bounded', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 6, 8, 16, 64].map(defaultEmbedWorkers),
    [1, 2, 2, 3, 4, MAX_DEFAULT_EMBED_WORKERS, MAX_DEFAULT_EMBED_WORKERS, MAX_DEFAULT_EMBED_WORKERS],
  );
  assert.equal(defaultEmbedWorkers(0), 1, 'an unknown core count still gets a worker');
});

test('the default chunk key is pinned: a change rebuilds every index, so it changes here on purpose', () => {
  assert.equal(chunkKeyOf(DEFAULT_CHUNK_SETTINGS), 'v5;max=256;overlap=32;context;strip;words');
  assert.equal(chunkKeyOf({ ...DEFAULT_CHUNK_SETTINGS, embedContext: false, splitWords: false }), 'v5;max=256;overlap=32;strip');
});

test('a chunk key reads as words in status reports, unknown parts as they are', () => {
  assert.equal(
    describeChunkKey(chunkKeyOf(DEFAULT_CHUNK_SETTINGS)),
    'at most 256 tokens, 32 shared with the next; the model reads them with path and symbol in front, imports and pragmas left out, identifiers cut into words (v5)',
  );
  assert.equal(describeChunkKey(chunkKeyOf({ maxTokens: 128, overlapTokens: 0 })), 'at most 128 tokens, 0 shared with the next (v5)');
  assert.equal(describeChunkKey('v9;max=64;overlap=8;rerank'), 'at most 64 tokens, 8 shared with the next; the model reads them with rerank (v9)');
});
