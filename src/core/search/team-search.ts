/**
 * Search over a team index and the local overlay as one: the base's hits for paths the overlay
 * replaces (changed or deleted here) are dropped; the vector side merges both stores' nearest by
 * cosine (same model, same scale); the lexical side scores the base's BM25 index and the overlay's
 * shards together, statistics summed over all of them, so the two rank on one scale; then the two
 * rankings are fused as for one store (`fuseRankings`).
 */
import { searchLexical } from './lexical';
import { DEFAULT_SEARCH_MODE, fuseRankings, makeSnippet, toQueryOptions, vectorWeightOf, type SearchOptions, type SearchQuery, type SearchResult } from './search';
import type { StoreHit } from '../store/store';
import type { StoreQueryOptions, TextHit, VectorStore } from '../store/vector-store';

const FUSION_DEPTH = 60;

export interface TeamSources {
  /** The team index; undefined when it does not answer (the overlay alone then). */
  base: VectorStore | undefined;
  overlay: VectorStore;
  /** Base paths the overlay replaces: changed or deleted in the folder. */
  dropped: ReadonlySet<string>;
}

export async function searchTeamStores(sources: TeamSources, query: SearchQuery, options: SearchOptions = {}): Promise<SearchResult[]> {
  const topK = options.topK ?? 10;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  const wanted = options.groupByFile ? topK * 5 : topK;
  const depth = Math.max(wanted, FUSION_DEPTH);
  const common = toQueryOptions(options) as StoreQueryOptions;
  const baseOptions: StoreQueryOptions = { ...common, excludePaths: sources.dropped };
  const owner = new Map<string, VectorStore>();
  const mark = (store: VectorStore, hits: TextHit[]) => {
    for (const hit of hits) owner.set(hit.id, store);
    return hits;
  };
  const lexical = async (limit: number): Promise<TextHit[]> => {
    const baseParts = sources.base ? await sources.base.lexicalParts(baseOptions) : [];
    const overlayParts = await sources.overlay.lexicalParts(common);
    const parts = [...baseParts, ...overlayParts];
    return searchLexical(parts, query.text, limit).map(({ part, slot, id, score }) => {
      const hit = parts[part].hitOf(slot, id, score);
      owner.set(id, part < baseParts.length ? sources.base! : sources.overlay);
      return hit;
    });
  };
  const semantic = async (limit: number): Promise<TextHit[]> => {
    const vector = await query.vector!;
    const [fromBase, fromOverlay] = await Promise.all([
      sources.base ? sources.base.vectorCandidates(vector, limit, baseOptions).then((hits) => mark(sources.base!, hits)) : [],
      sources.overlay.vectorCandidates(vector, limit, common).then((hits) => mark(sources.overlay, hits)),
    ]);
    return [...fromBase, ...fromOverlay].sort((a, b) => b.score - a.score).slice(0, limit);
  };
  let hits: StoreHit[];
  if (mode === 'lexical') hits = await lexical(wanted);
  else {
    if (!query.vector) throw new Error(`a ${mode} search needs the query's embedding`);
    if (mode === 'vector') hits = await semantic(wanted);
    else {
      const words = await lexical(depth);
      hits = fuseRankings(await semantic(depth), words, vectorWeightOf(query.text));
    }
  }
  const results: SearchResult[] = [];
  const files = new Set<string>();
  for (const hit of hits.slice(0, wanted)) {
    if (options.groupByFile) {
      if (files.has(hit.metadata.path)) continue;
      files.add(hit.metadata.path);
    }
    const store = owner.get(hit.id) ?? sources.overlay;
    const text = await store.chunkText(hit as TextHit).catch(() => '');
    const m = hit.metadata;
    results.push({ path: m.path, startLine: m.startLine, endLine: m.endLine, ...(m.page ? { page: m.page } : {}), score: hit.score, language: m.lang, ...(m.symbol ? { symbol: m.symbol } : {}), snippet: makeSnippet(text) });
    if (results.length >= topK) break;
  }
  return results;
}
