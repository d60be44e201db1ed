/**
 * Candidates from every shard of a store, ranked as one: the vector side keeps each shard's nearest
 * and merges them by cosine; the lexical side scores all shards with statistics summed over them
 * (`searchLexical`), so scores compare exactly. Filters apply while scanning, per row.
 */
import type { MetadataFilter } from 'vectra';
import type { ShardLexicalIndex } from '../store/lexical-index';
import type { ChunkMetadata, IndexStore, StoreHit } from '../store/store';
import { searchLexical } from './lexical';

export interface QueryOptions {
  /** Exact metadata matches (file types), in Vectra's filter language. */
  filter?: MetadataFilter;
  /** Applied while scanning, for what the filter cannot say (path globs). */
  predicate?: (metadata: ChunkMetadata) => boolean;
}

/** The topK chunks nearest to `vector` (cosine) over all shards, filters applied while scanning. */
export async function vectorCandidates(store: IndexStore, vector: Float32Array, topK: number, options: QueryOptions = {}): Promise<StoreHit[]> {
  const accept = acceptorOf(options);
  const hits: StoreHit[] = [];
  for (const { vectors, ids, metadata } of await store.searchableShards()) {
    for (const { row, score } of vectors.nearest(vector, topK, (row) => accept(metadata[row]))) hits.push({ id: ids[row], score, metadata: metadata[row] });
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, topK);
}

/** BM25 over every shard's chunks as one index, best first, with the same filters. */
export async function lexicalCandidates(store: IndexStore, text: string, topK: number, options: QueryOptions = {}): Promise<StoreHit[]> {
  const accept = acceptorOf(options);
  const parts: { index: ShardLexicalIndex; rows: Int32Array; metadata: readonly ChunkMetadata[]; accept: (slot: number) => boolean }[] = [];
  for (const shard of await store.searchableShards()) {
    const { index, rows } = await shard.lexical();
    const metadata = shard.metadata;
    parts.push({ index, rows, metadata, accept: (slot: number) => rows[slot] >= 0 && accept(metadata[rows[slot]]) });
  }
  return searchLexical(parts, text, topK).map(({ part, id, score, slot }) => ({ id, score, metadata: parts[part].metadata[parts[part].rows[slot]] }));
}

/** The filters as one predicate over metadata. */
function acceptorOf(options: QueryOptions): (metadata: ChunkMetadata) => boolean {
  if (options.predicate) return options.predicate;
  const types = (options.filter as { ext?: { $in?: string[] } } | undefined)?.ext?.$in;
  if (!types) return () => true;
  const allowed = new Set(types);
  return (metadata) => allowed.has(metadata.ext);
}
