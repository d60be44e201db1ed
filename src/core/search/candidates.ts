/**
 * Candidates from every shard of a store (or of several stores, one per folder), ranked as one: the
 * vector side keeps each shard's nearest and merges them by cosine (one model, one scale); the
 * lexical side scores all shards with statistics summed over them (`searchLexical`), so scores
 * compare exactly. Filters apply while scanning, per row.
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

/** A candidate from one of several stores searched together. */
export interface SourcedHit extends StoreHit {
  /** Which of the given stores holds it. */
  storeIndex: number;
}

/**
 * BM25 over every shard of every given store as one index, best first, with the same filters: the
 * statistics are summed over all of them, so scores from different folders compare exactly.
 */
export async function lexicalCandidates(stores: IndexStore[], text: string, topK: number, options: QueryOptions = {}): Promise<SourcedHit[]> {
  const accept = acceptorOf(options);
  const parts: { index: ShardLexicalIndex; rows: Int32Array; metadata: readonly ChunkMetadata[]; storeIndex: number; accept: (slot: number) => boolean }[] = [];
  for (const [storeIndex, store] of stores.entries()) {
    for (const shard of await store.searchableShards()) {
      const { index, rows } = await shard.lexical();
      const metadata = shard.metadata;
      parts.push({ index, rows, metadata, storeIndex, accept: (slot: number) => rows[slot] >= 0 && accept(metadata[rows[slot]]) });
    }
  }
  return searchLexical(parts, text, topK).map(({ part, id, score, slot }) => ({ id, score, metadata: parts[part].metadata[parts[part].rows[slot]], storeIndex: parts[part].storeIndex }));
}

/** The filters as one predicate over metadata. */
function acceptorOf(options: QueryOptions): (metadata: ChunkMetadata) => boolean {
  if (options.predicate) return options.predicate;
  const types = (options.filter as { ext?: { $in?: string[] } } | undefined)?.ext?.$in;
  if (!types) return () => true;
  const allowed = new Set(types);
  return (metadata) => allowed.has(metadata.ext);
}
