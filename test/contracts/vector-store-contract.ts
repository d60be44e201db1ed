/**
 * The VectorStore contract (src/core/store/vector-store.ts): one suite, run against every
 * implementation by a test file of its own: the local shards in test/unit (no server), a team index on
 * a real Chroma server in test/system. Another backend joins with a file that calls `vectorStoreContract`.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { searchLexical } from '../../src/core/search/lexical';
import { hashText } from '../../src/core/store/layout';
import type { FileUpdate, StoreIdentity } from '../../src/core/store/types';
import { StoreIdentityError, type VectorStore } from '../../src/core/store/vector-store';

const DIMS = 16;
const IDENTITY: StoreIdentity = { modelId: 'test-model', chunkKey: 'chunks-v1', dimensions: DIMS };

/** A deterministic unit vector per seed. */
function vectorOf(seed: number): Float32Array {
  const v = new Float32Array(DIMS);
  let x = seed * 2654435761;
  for (let i = 0; i < DIMS; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    v[i] = x / 2147483648 - 0.5;
  }
  const norm = Math.hypot(...v);
  return v.map((n) => n / norm);
}

function fileOf(path: string, texts: string[], seed: number): FileUpdate {
  const content = texts.join('\n');
  return {
    path,
    size: content.length,
    mtimeMs: 1,
    hash: hashText(content),
    ext: path.split('.').pop()!,
    language: path.endsWith('.md') ? 'markdown' : 'typescript',
    chunks: texts.map((text, i) => ({ text, startLine: i * 10 + 1, endLine: i * 10 + 9, inputHash: hashText(`${path}:${text}`).slice(0, 32), vector: vectorOf(seed + i), symbol: `sym${i}` })),
  };
}

export interface ContractBackend {
  name: string;
  /** Set-up before the suite's first test (a server's start). */
  start?: () => Promise<void>;
  /** A fresh, empty store for one test: opens it as a reader or as the writer. */
  make: () => (identity: StoreIdentity, write: boolean) => Promise<VectorStore>;
}

export function vectorStoreContract(backend: ContractBackend): void {
  describe(`VectorStore contract: ${backend.name}`, () => {
    if (backend.start) before(backend.start);
    const a1 = fileOf('src/retry.ts', ['export function retryWithBackoff() {}', 'const jitter = Math.random();'], 10);
    const b1 = fileOf('docs/guide.md', ['# Installing the solar inverter', 'Tighten every bolt.'], 20);

    test('commit makes a generation readers see whole; queries, filters, texts, catalog and vectors', async () => {
      const open = backend.make();
      const writer = await open(IDENTITY, true);
      try {
        writer.stageFile(a1);
        writer.stageFile(b1);
        // Nothing committed yet: a reader sees generation 0, or (a server) is told nothing is published.
        const early = await open(IDENTITY, false).catch((error: Error) => {
          assert.match(error.message, /no published generation/);
          return undefined;
        });
        if (early) {
          assert.equal(early.generation(), 0);
          assert.deepEqual(await early.vectorCandidates(vectorOf(10), 5), []);
          await early.close();
        }
        await writer.commit({ commit: 'abc123' });
        const reader = await open(IDENTITY, false);
        assert.ok(reader.generation() > 0);
        assert.equal(reader.indexedCommit(), 'abc123');
        assert.deepEqual(reader.identity(), IDENTITY);

        const catalog = await reader.catalog();
        assert.deepEqual([...catalog.keys()].sort(), ['docs/guide.md', 'src/retry.ts']);
        assert.equal(catalog.get('src/retry.ts')!.hash, a1.hash);
        assert.deepEqual(catalog.get('src/retry.ts')!.inputHashes, a1.chunks.map((c) => c.inputHash));

        const nearest = await reader.vectorCandidates(vectorOf(11), 3);
        assert.equal(nearest.length, 3);
        assert.equal(nearest[0].metadata.path, 'src/retry.ts');
        assert.equal(nearest[0].metadata.startLine, 11);
        assert.equal(nearest[0].metadata.symbol, 'sym1');
        assert.ok(Math.abs(nearest[0].score - 1) < 1e-4, `cosine of a stored vector with itself: ${nearest[0].score}`);
        assert.ok(nearest[0].score >= nearest[1].score && nearest[1].score >= nearest[2].score);
        assert.equal(await reader.chunkText(nearest[0]), 'const jitter = Math.random();');

        const onlyMd = await reader.vectorCandidates(vectorOf(11), 10, { filter: { ext: { $in: ['md'] } } });
        assert.deepEqual([...new Set(onlyMd.map((h) => h.metadata.path))], ['docs/guide.md']);
        const excluded = await reader.vectorCandidates(vectorOf(11), 10, { excludePaths: new Set(['src/retry.ts']) });
        assert.ok(excluded.length === 2 && excluded.every((h) => h.metadata.path === 'docs/guide.md'));
        const globbed = await reader.vectorCandidates(vectorOf(11), 10, { predicate: (m) => m.path.startsWith('docs/') });
        assert.ok(globbed.length === 2 && globbed.every((h) => h.metadata.path === 'docs/guide.md'));

        const parts = await reader.lexicalParts();
        const words = searchLexical(parts, 'solar inverter', 5);
        assert.ok(words.length >= 1);
        const top = parts[words[0].part].hitOf(words[0].slot, words[0].id, words[0].score);
        assert.equal(top.metadata.path, 'docs/guide.md');
        assert.equal(await reader.chunkText(top), '# Installing the solar inverter');
        const filteredParts = await reader.lexicalParts({ excludePaths: new Set(['docs/guide.md']) });
        assert.equal(searchLexical(filteredParts, 'solar inverter', 5).length, 0);

        const vectors = await reader.vectorsByInputHash([a1.chunks[0].inputHash, 'not-there']);
        assert.deepEqual([...vectors.keys()], [a1.chunks[0].inputHash]);
        const got = vectors.get(a1.chunks[0].inputHash)!;
        assert.ok(Math.abs(got.reduce((s, x, i) => s + x * a1.chunks[0].vector[i], 0) - 1) < 1e-4);
        await reader.close();
      } finally {
        await writer.close();
      }
    });

    test('a changed file replaces its chunks, a removed one goes, an unchanged one is not written twice', async () => {
      const open = backend.make();
      const writer = await open(IDENTITY, true);
      try {
        writer.stageFile(a1);
        writer.stageFile(b1);
        await writer.commit({ commit: 'c1' });
        const first = writer.generation();
        const a2 = fileOf('src/retry.ts', ['export function retryWithBackoff(times: number) {}'], 30);
        writer.stageFile(a2);
        writer.stageRemoval('docs/guide.md');
        await writer.commit({ commit: 'c2' });
        assert.ok(writer.generation() > first);
        // The same content again: nothing new.
        writer.stageFile(a2);
        await writer.commit({ commit: 'c2' });
        const reader = await open(IDENTITY, false);
        const all = await reader.vectorCandidates(vectorOf(30), 50);
        assert.deepEqual(all.map((h) => h.metadata.path), ['src/retry.ts']);
        assert.equal(all.length, 1);
        assert.equal(await reader.chunkText(all[0]), 'export function retryWithBackoff(times: number) {}');
        const catalog = await reader.catalog();
        assert.deepEqual([...catalog.keys()], ['src/retry.ts']);
        assert.equal(catalog.get('src/retry.ts')!.hash, a2.hash);
        assert.equal(reader.indexedCommit(), 'c2');
        assert.equal(searchLexical(await reader.lexicalParts(), 'solar', 5).length, 0);
        assert.equal((await reader.vectorsByInputHash([b1.chunks[0].inputHash])).size, 0);
        await reader.close();
      } finally {
        await writer.close();
      }
    });

    test('a reader with another model or dimension gets an error naming both', async () => {
      const open = backend.make();
      const writer = await open(IDENTITY, true);
      writer.stageFile(a1);
      await writer.commit();
      await writer.close();
      await assert.rejects(open({ ...IDENTITY, modelId: 'other-model', dimensions: 8 }, false), (error: Error) => {
        assert.ok(error instanceof StoreIdentityError, String(error));
        assert.match(error.message, /test-model \(16 dimensions\)/);
        assert.match(error.message, /other-model \(8 dimensions\)/);
        return true;
      });
    });
  });
}
