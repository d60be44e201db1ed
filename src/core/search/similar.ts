/**
 * "More like this": the chunks nearest to an indexed chunk (or to the mean of a few, for a line range
 * that spans them), found with the vectors the store already holds, so nothing is embedded again.
 */
import { LocalVectorStore } from '../store/local-vector-store';
import type { IndexStore } from '../store/store';
import type { StoreHit } from '../store/types';
import { acceptorOf } from '../store/vector-store';
import { resultOf, toQueryOptions, type SearchOptions, type SearchResult } from './search';

export interface SimilarSource {
  /** Relative to the indexed folder, forward slashes. */
  path: string;
  /** The lines to match (1-based, inclusive); the whole file when not given. */
  startLine?: number;
  endLine?: number;
}

export interface SimilarAnswer {
  /** The indexed chunks the source lines fall in, whose vectors were used. */
  source: { path: string; startLine: number; endLine: number; chunks: number; symbol?: string };
  results: SearchResult[];
}

export class NotIndexedError extends Error {
  override name = 'NotIndexedError';
}

export async function similarInStore(store: IndexStore, source: SimilarSource, options: Omit<SearchOptions, 'mode'> = {}): Promise<SimilarAnswer> {
  const entry = store.catalog.get(source.path);
  if (!entry || entry.chunkIds.length === 0) throw new NotIndexedError(`${source.path} is not in the index (not indexed yet, skipped, or ignored).`);
  const vectors = await store.tieredVectorsOf(source.path);
  const anyVector = vectors.values().next().value?.vector;
  if (!anyVector) throw new NotIndexedError(`${source.path} has no stored vectors.`);
  // Every chunk of the file, with its metadata: a scan limited to the file's path.
  const vectorStore = LocalVectorStore.of(store);
  const own = await vectorStore.vectorCandidates(anyVector, entry.chunkIds.length, { predicate: (m) => m.path === source.path });
  const from = source.startLine ?? 1;
  const to = source.endLine ?? Number.MAX_SAFE_INTEGER;
  if (to < from) throw new RangeError(`end_line ${to} is before start_line ${from}.`);
  const picked = own.filter((hit) => hit.metadata.startLine <= to && hit.metadata.endLine >= from).sort((a, b) => a.metadata.startLine - b.metadata.startLine);
  if (picked.length === 0) throw new RangeError(`${source.path} has no indexed lines in ${from}-${to === Number.MAX_SAFE_INTEGER ? 'end' : to}.`);
  // Vectors compare within a tier: the source's best tier, and only chunks of that tier answer.
  const tier = picked.some((hit) => hit.metadata.tier === 'deep') ? 'deep' : 'fast';
  const query = meanVector(picked.filter((hit) => hit.metadata.tier === tier).map((hit) => vectors.get(hit.metadata.inputHash)?.vector).filter((v): v is Float32Array => v !== undefined));
  const sourceIds = new Set(picked.map((hit) => hit.id));
  const topK = options.topK ?? 10;
  const allowed = acceptorOf(toQueryOptions(options));
  const wanted = options.groupByFile ? topK * 5 : topK;
  const hits = await vectorStore.vectorCandidates(query, wanted, { tier, predicate: (m) => allowed(m) && !(m.path === source.path && overlaps(m, picked)) });
  const results: SearchResult[] = [];
  const files = new Set<string>();
  for (const hit of hits) {
    if (sourceIds.has(hit.id)) continue;
    if (options.groupByFile) {
      if (files.has(hit.metadata.path)) continue;
      files.add(hit.metadata.path);
    }
    // No words to match: the snippet is the chunk's first lines.
    results.push(resultOf(hit.metadata, hit.score, await vectorStore.chunkText(hit)));
    if (results.length >= topK) break;
  }
  const first = picked[0].metadata;
  const last = picked[picked.length - 1].metadata;
  return {
    source: { path: source.path, startLine: first.startLine, endLine: last.endLine, chunks: picked.length, ...(picked.length === 1 && first.symbol ? { symbol: first.symbol } : {}) },
    results,
  };
}

/** The source's own chunks are not an answer; other parts of the same file are. */
function overlaps(metadata: StoreHit['metadata'], picked: StoreHit[]): boolean {
  return picked.some((hit) => hit.metadata.startLine <= metadata.endLine && hit.metadata.endLine >= metadata.startLine);
}

function meanVector(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 1) return vectors[0];
  const mean = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) mean[i] += v[i];
  let norm = 0;
  for (const x of mean) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < mean.length; i++) mean[i] /= norm;
  return mean;
}
