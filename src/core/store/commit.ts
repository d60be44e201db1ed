/**
 * Changes staged, then committed in one atomic step: new shard generations and texts first, then a
 * new catalog, then the manifest that makes them current (swapped atomically: a killed process
 * leaves the previous manifest, which names only complete files), then what they replaced is removed.
 */
import { removeObsoleteFile, writeFileAtomic } from './atomic';
import { writeCatalog } from './catalog';
import { sumOf } from './file-sums';
import { removeObsolete } from './housekeeping';
import { catalogPath, chunkIdsOf, lexicalFile, shardOf, textKeyOf, vectorFile } from './layout';
import type { LexicalDocument } from './lexical-index';
import { writeManifest } from './manifest';
import type { Shard, ShardCache } from './shard-cache';
import { serializeShardRows, updatedShardRows } from './shard-file';
import type { TextFiles } from './texts';
import type { CatalogEntry, ChunkMetadata, FileUpdate, IndexState, Manifest, ShardSums } from './types';

/** Changes not yet committed: files (null: removed) and new mtimes of files whose content did not change. */
export class Staging {
  readonly files = new Map<string, FileUpdate | null>();
  readonly touched = new Map<string, { size: number; mtimeMs: number }>();

  get size(): number {
    return this.files.size + this.touched.size;
  }

  clear(): void {
    this.files.clear();
    this.touched.clear();
  }
}

interface ShardWork {
  removeIds: string[];
  items: { id: string; vector: Float32Array; metadata: ChunkMetadata }[];
  lexical: LexicalDocument[];
}

/**
 * Applies every staged change in one atomic step (`commit`: the commit the folder is at, remembered).
 * On failure the manifest still names the last good generation, and the shards loaded are forgotten.
 */
export async function commitStaged(state: IndexState, staging: Staging, shards: ShardCache, texts: TextFiles, options: { commit?: string } = {}): Promise<void> {
  const commitChanged = options.commit !== undefined && options.commit !== state.manifest.commit;
  if (staging.size === 0 && !commitChanged) return;
  const { manifest: current } = state;
  const nextCatalog = new Map(state.catalog);
  const byShard = new Map<number, ShardWork>();
  const shardWork = (shard: number) => {
    let work = byShard.get(shard);
    if (!work) byShard.set(shard, (work = { removeIds: [], items: [], lexical: [] }));
    return work;
  };
  const obsoleteTextKeys = new Set<string>();

  for (const [path, update] of staging.files) {
    const old = nextCatalog.get(path);
    if (old) {
      shardWork(old.shard).removeIds.push(...old.chunkIds);
      obsoleteTextKeys.add(old.textKey);
      nextCatalog.delete(path);
    }
    if (!update) continue;
    const shard = shardOf(path, current.shards);
    const textKey = textKeyOf(update.hash, current.chunkKey, update.language);
    obsoleteTextKeys.delete(textKey);
    const textSum = await texts.write(textKey, update.chunks.map((c) => c.text));
    const chunkIds = chunkIdsOf(path, update.hash, update.chunks.length);
    update.chunks.forEach((chunk, i) => {
      shardWork(shard).lexical.push({ id: chunkIds[i], text: chunk.text, path, symbol: chunk.symbol });
      shardWork(shard).items.push({
        id: chunkIds[i],
        vector: chunk.vector,
        metadata: {
          path,
          ext: update.ext,
          lang: update.language,
          startLine: chunk.startLine,
          endLine: chunk.endLine,
          page: chunk.page ?? 0,
          chunk: i,
          textKey,
          inputHash: chunk.inputHash,
          symbol: chunk.symbol ?? '',
          tier: chunk.tier ?? 'deep',
        },
      });
    });
    const fastChunks = update.chunks.filter((chunk) => chunk.tier === 'fast').length;
    nextCatalog.set(path, {
      size: update.size,
      mtimeMs: update.mtimeMs,
      hash: update.hash,
      modelId: current.modelId,
      chunkKey: current.chunkKey,
      shard,
      textKey,
      chunkIds,
      textSum,
      ...(fastChunks > 0 ? { fastChunks } : {}),
    });
  }
  for (const [path, stat] of staging.touched) {
    const entry = nextCatalog.get(path);
    if (entry && !staging.files.has(path)) nextCatalog.set(path, { ...entry, ...stat });
  }
  for (const entry of nextCatalog.values()) obsoleteTextKeys.delete(entry.textKey);

  // New shard generations, then the catalog, then the manifest that makes them current.
  const shardGenerations = [...current.shardGenerations];
  const shardSums = current.shardSums?.slice() ?? new Array<ShardSums | null>(current.shards).fill(null);
  const written: { shard: Shard; generation: number }[] = [];
  try {
    for (const [shardNumber, work] of byShard) {
      const shard = shards.shard(shardNumber);
      const pending = shard.committed + 1;
      const rows = updatedShardRows(await shards.rowsOf(shard), new Set(work.removeIds), work.items);
      const vectorBytes = serializeShardRows(rows);
      await writeFileAtomic(vectorFile(shard.dir, pending), vectorBytes, state.writeHost);
      // The shard's BM25 index follows, under the same generation number.
      const lexical = await shards.lexicalOf(shard);
      lexical.remove(work.removeIds);
      lexical.add(work.lexical);
      const lexicalBytes = lexical.serialize();
      await writeFileAtomic(lexicalFile(shard.dir, pending), lexicalBytes, state.writeHost);
      shardSums[shardNumber] = { generation: pending, vectors: sumOf(vectorBytes), lexical: sumOf(lexicalBytes) };
      shards.adopt(shard, rows);
      shardGenerations[shardNumber] = pending;
      written.push({ shard, generation: pending });
    }
    const manifest: Manifest = {
      ...current,
      catalogGeneration: current.catalogGeneration + 1,
      shardGenerations,
      shardSums,
      updatedAt: new Date().toISOString(),
      ...(options.commit !== undefined ? { commit: options.commit } : {}),
    };
    await publish(state, manifest, nextCatalog);
    for (const { shard, generation } of written) shard.committed = generation;
    staging.clear();
    await removeObsolete(state, current, obsoleteTextKeys, texts);
  } catch (error) {
    // The manifest still names the last good generation: forget what this commit loaded
    // (vectors and lexical indexes alike, since both were changed in memory).
    shards.clear();
    throw error;
  }
}

/**
 * Forgets whole shards (for `verify --repair`, when a shard's files are damaged): their files leave
 * the catalog and the shards start empty, in one commit of the manifest; re-indexing the returned
 * paths fills them again. The damaged files are left for the next writer's housekeeping.
 */
export async function resetShards(state: IndexState, shards: ShardCache, numbers: number[]): Promise<string[]> {
  const reset = new Set(numbers);
  const forgotten: string[] = [];
  const nextCatalog = new Map(state.catalog);
  for (const [path, entry] of state.catalog) {
    if (reset.has(entry.shard)) {
      nextCatalog.delete(path);
      forgotten.push(path);
    }
  }
  const { manifest: current } = state;
  const manifest: Manifest = {
    ...current,
    catalogGeneration: current.catalogGeneration + 1,
    shardGenerations: current.shardGenerations.map((g, shard) => (reset.has(shard) ? 0 : g)),
    ...(current.shardSums ? { shardSums: current.shardSums.map((sums, shard) => (reset.has(shard) ? null : sums)) } : {}),
    updatedAt: new Date().toISOString(),
  };
  await publish(state, manifest, nextCatalog);
  await removeObsoleteFile(catalogPath(state.dir, current.catalogGeneration), state.writeHost);
  for (const shard of reset) shards.forget(shard);
  return forgotten;
}

/** Writes the catalog, then the manifest naming it; once both are down, they are the index's state. */
async function publish(state: IndexState, manifest: Manifest, catalog: Map<string, CatalogEntry>): Promise<void> {
  await writeCatalog(state.dir, manifest.catalogGeneration, catalog, state.writeHost);
  await writeManifest(state.dir, manifest, state.writeHost);
  state.manifest = manifest;
  state.catalog = catalog;
}
