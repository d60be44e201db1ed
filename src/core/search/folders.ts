/**
 * One ranking over several indexes (the workspace folders of a window, the folders of one `quipu
 * mcp`): every folder's candidates are gathered first and fused once over their union, so scores
 * compare across folders. (Fusing each folder alone scales its best hit to 1 in every folder, and
 * a weak folder's best hit then outranks a strong folder's second.)
 *
 * Cosine scores share one scale (one model). BM25 scores are summed over shards within an index but
 * not across indexes, so each folder's words are ranked with its own statistics; the union is then
 * min-max scaled once, as one folder's candidates are.
 */
import { lexicalCandidates, vectorCandidates } from './candidates';
import type { IndexStore, StoreHit } from '../store/store';
import { DEFAULT_SEARCH_MODE, fuseRankings, quotedPhrase, searchStore, toQueryOptions, toResult, vectorWeightOf, type SearchOptions, type SearchQuery, type SearchResult } from './search';

/** How deep each folder's rankings are read before fusing (as for one folder). */
const FUSION_DEPTH = 60;

export interface FolderSearchResult extends SearchResult {
  /** Which of the given stores the result comes from. */
  storeIndex: number;
}

interface TaggedHit extends StoreHit {
  storeIndex: number;
}

export async function searchStores(stores: IndexStore[], query: SearchQuery, options: SearchOptions = {}): Promise<FolderSearchResult[]> {
  if (stores.length === 1) return (await searchStore(stores[0], query, options)).map((r) => ({ ...r, storeIndex: 0 }));
  const topK = options.topK ?? 10;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  const queryOptions = toQueryOptions(options);
  const wanted = options.groupByFile ? topK * 5 : topK;
  const depth = Math.max(wanted, FUSION_DEPTH);
  const phrase = quotedPhrase(query.text);
  // Chunk ids are unique within an index only: tag them with their store.
  const tag = (storeIndex: number, hits: StoreHit[]): TaggedHit[] => hits.map((hit) => ({ ...hit, id: `${storeIndex}:${hit.id}`, storeIndex }));
  const lexical = async (k: number) => (await Promise.all(stores.map(async (store, i) => tag(i, await lexicalCandidates(store, query.text, k, queryOptions))))).flat();
  const semantic = async (k: number) => {
    if (!query.vector) throw new Error(`a ${mode} search needs the query's embedding`);
    const vector = await query.vector;
    return (await Promise.all(stores.map(async (store, i) => tag(i, await vectorCandidates(store, vector, k, queryOptions))))).flat();
  };
  let hits: TaggedHit[];
  if (mode === 'lexical') hits = byScore(await lexical(phrase ? depth : wanted));
  else if (mode === 'vector') hits = byScore(await semantic(wanted));
  else {
    const words = await lexical(depth);
    hits = fuseRankings(await semantic(depth), words, vectorWeightOf(query.text)) as TaggedHit[];
  }
  if (phrase && mode !== 'vector') hits = await phraseFirst(stores, hits, phrase);
  const results: FolderSearchResult[] = [];
  const files = new Set<string>();
  for (const hit of hits.slice(0, wanted)) {
    if (options.groupByFile) {
      const key = `${hit.storeIndex}:${hit.metadata.path}`;
      if (files.has(key)) continue;
      files.add(key);
    }
    results.push({ ...(await toResult(stores[hit.storeIndex], hit.metadata, hit.score)), storeIndex: hit.storeIndex });
    if (results.length >= topK) break;
  }
  return results;
}

function byScore(hits: TaggedHit[]): TaggedHit[] {
  return hits.sort((a, b) => b.score - a.score);
}

/** As for one folder: chunks holding the quoted phrase come first, each group keeping its order. */
async function phraseFirst(stores: IndexStore[], hits: TaggedHit[], phrase: string): Promise<TaggedHit[]> {
  const holds = await Promise.all(
    hits.map(async (hit) => {
      const texts = await stores[hit.storeIndex].texts(hit.metadata.textKey).catch(() => [] as string[]);
      return (texts[hit.metadata.chunk] ?? '').toLowerCase().replace(/\s+/g, ' ').includes(phrase);
    }),
  );
  return [...hits.filter((_, i) => holds[i]), ...hits.filter((_, i) => !holds[i])];
}
