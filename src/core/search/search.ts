/**
 * Search: the query's embedding and words against the stores' candidates (search/candidates.ts),
 * fused, filtered and grouped here, with snippets attached; one folder or several, one ranking.
 */
import { compileGlobs } from '../files/glob';
import type { ChunkMetadata, IndexStore, StoreHit } from '../store/store';
import { lexicalCandidates, vectorCandidates, type QueryOptions, type SourcedHit } from './candidates';

/** How results are ranked: embeddings only, words only (BM25), or both fused. */
export type SearchMode = 'vector' | 'lexical' | 'hybrid';

export interface SearchOptions {
  topK?: number;
  /** Ranking (default: the best measured one, see bench/QUALITY.md). */
  mode?: SearchMode;
  /** Only paths matching at least one of these globs (relative to the folder). */
  include?: string[];
  /** No paths matching any of these globs. */
  exclude?: string[];
  /** Only these file types: extensions without the dot ("ts", "md", "pdf"). */
  types?: string[];
  /** One result per file: the best chunk of each. */
  groupByFile?: boolean;
}

export interface SearchResult {
  /** Relative to the indexed folder, forward slashes. */
  path: string;
  startLine: number;
  endLine: number;
  /** PDF page, when the file has pages. */
  page?: number;
  score: number;
  language: string;
  snippet: string;
  /** Enclosing symbol (function, class, heading), when known. */
  symbol?: string;
}

const SNIPPET_MAX_CHARS = 600;
const SNIPPET_MAX_LINES = 12;

/** The ranking searches use unless told otherwise: the best measured one (bench/QUALITY.md). */
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

/** How deep each ranking is read before fusing. */
const FUSION_DEPTH = 60;
/**
 * The embedding's share of a fused score; the words get the rest. Chosen on the eval datasets
 * (bench/QUALITY-EXPERIMENTS.md §5): once the model read cleaner chunks, 0.65 had the best mean of
 * the weights that keep hybrid at or above both vector-only and lexical-only on all four (0.6 had
 * been best before; scaled scores beat reciprocal rank fusion throughout).
 */
export const VECTOR_WEIGHT = 0.65;
/** For a query that is one identifier or a quoted phrase: the words lead. */
export const VECTOR_WEIGHT_EXACT = 0.25;

export interface SearchQuery {
  text: string;
  /**
   * The query's embedding; needed unless the mode is lexical. A promise lets the lexical ranking
   * run on this thread while the embedding is still being computed in its worker.
   */
  vector?: Float32Array | Promise<Float32Array>;
}

export async function searchStore(store: IndexStore, query: SearchQuery, options: SearchOptions = {}): Promise<SearchResult[]> {
  return (await searchStores([store], query, options)).map(({ storeIndex: _, ...result }) => result);
}

export interface StoresSearchResult extends SearchResult {
  /** Which of the given stores the result comes from. */
  storeIndex: number;
}

/**
 * One ranking over one or several indexes (the workspace folders of a window, the folders of one
 * `quipu mcp`): every store's candidates are gathered first and fused once over their union, so
 * scores compare across folders. Cosine scores share one scale (one model), BM25 statistics are
 * summed over every shard of every store, and the union is min-max scaled once. (Fusing each folder
 * alone scales its best hit to 1 in every folder, and a weak folder's best then outranks a strong
 * folder's second.)
 */
export async function searchStores(stores: IndexStore[], query: SearchQuery, options: SearchOptions = {}): Promise<StoresSearchResult[]> {
  const topK = options.topK ?? 10;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  const queryOptions = toQueryOptions(options);
  // Grouping keeps one chunk per file, so ask the stores for more to fill topK files.
  const wanted = options.groupByFile ? topK * 5 : topK;
  const depth = Math.max(wanted, FUSION_DEPTH);
  const phrase = quotedPhrase(query.text);
  // Chunk ids are unique within an index only: fusion keys them by store too.
  const keyed = (hits: SourcedHit[]): SourcedHit[] => (stores.length === 1 ? hits : hits.map((hit) => ({ ...hit, id: `${hit.storeIndex}:${hit.id}` })));
  const semantic = async (k: number) => {
    if (!query.vector) throw new Error(`a ${mode} search needs the query's embedding`);
    const vector = await query.vector;
    const perStore = await Promise.all(stores.map(async (store, storeIndex) => (await vectorCandidates(store, vector, k, queryOptions)).map((hit) => ({ ...hit, storeIndex }))));
    return keyed(perStore.flat().sort((a, b) => b.score - a.score).slice(0, k));
  };
  let hits: SourcedHit[];
  // A phrase query reads the words' ranking deeper, to find the chunks that hold the phrase.
  if (mode === 'lexical') hits = keyed(await lexicalCandidates(stores, query.text, phrase ? depth : wanted, queryOptions));
  else if (mode === 'vector') hits = await semantic(wanted);
  else {
    // Words first: they need no embedding, so they overlap with the model's work on the query.
    const lexical = keyed(await lexicalCandidates(stores, query.text, depth, queryOptions));
    hits = fuseRankings(await semantic(depth), lexical, vectorWeightOf(query.text)) as SourcedHit[];
  }
  if (phrase && mode !== 'vector') hits = await phraseMatchesFirst(stores, hits, phrase);
  const results: StoresSearchResult[] = [];
  const files = new Set<string>();
  for (const hit of hits.slice(0, wanted)) {
    if (options.groupByFile) {
      const file = `${hit.storeIndex}:${hit.metadata.path}`;
      if (files.has(file)) continue;
      files.add(file);
    }
    results.push({ ...(await toResult(stores[hit.storeIndex], hit.metadata, hit.score)), storeIndex: hit.storeIndex });
    if (results.length >= topK) break;
  }
  return results;
}

/**
 * Convex combination of the two rankings' scores, each scaled to [0, 1] over the hits it returned
 * (cosine and BM25 live on different scales). A chunk missing from one ranking gets 0 there. Scores
 * beat ranks here: how far ahead the best hit is carries information that rank fusion throws away.
 */
export function fuseRankings(semantic: StoreHit[], lexical: StoreHit[], vectorWeight = VECTOR_WEIGHT): StoreHit[] {
  const scaled = (hits: StoreHit[]) => {
    const scores = hits.map((h) => h.score);
    const max = Math.max(...scores);
    const min = Math.min(...scores);
    return new Map(hits.map((h) => [h.id, max > min ? (h.score - min) / (max - min) : 1]));
  };
  const v = scaled(semantic);
  const l = scaled(lexical);
  const all = new Map<string, StoreHit>();
  for (const hit of [...semantic, ...lexical]) if (!all.has(hit.id)) all.set(hit.id, hit);
  return [...all.values()]
    .map((hit) => ({ ...hit, score: vectorWeight * (v.get(hit.id) ?? 0) + (1 - vectorWeight) * (l.get(hit.id) ?? 0) }))
    .sort((a, b) => b.score - a.score);
}

/**
 * The embedding's share for this query. A query that is one identifier (`parseJSON`,
 * `max_retries`, `foo.bar()`) or a quoted phrase asks for those exact characters, so the lexical
 * ranking leads; a sentence keeps the measured balance.
 */
export function vectorWeightOf(query: string): number {
  const trimmed = query.trim();
  if (/^".+"$/.test(trimmed)) return VECTOR_WEIGHT_EXACT;
  const identifier = /^[\w$.:#/-]+(\(\))?$/.test(trimmed) && /[a-z][A-Z]|_|\.|\(|::|#|\//.test(trimmed);
  return identifier ? VECTOR_WEIGHT_EXACT : VECTOR_WEIGHT;
}

/** The phrase of a query in double quotes (`"retry with backoff"`), lower-cased, spaces collapsed. */
export function quotedPhrase(query: string): string | undefined {
  const match = /^"(.+)"$/.exec(query.trim());
  return match ? normaliseSpaces(match[1]) : undefined;
}

function normaliseSpaces(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * A quoted query asks for those words in that order: chunks that hold the phrase come first, each
 * group keeping its ranking. (BM25 only sees the words, so a chunk using them apart could lead.)
 */
async function phraseMatchesFirst(stores: IndexStore[], hits: SourcedHit[], phrase: string): Promise<SourcedHit[]> {
  const holds = await Promise.all(
    hits.map(async (hit) => {
      const texts = await stores[hit.storeIndex].texts(hit.metadata.textKey).catch(() => [] as string[]);
      return normaliseSpaces(texts[hit.metadata.chunk] ?? '').includes(phrase);
    }),
  );
  return [...hits.filter((_, i) => holds[i]), ...hits.filter((_, i) => !holds[i])];
}

export function toQueryOptions(options: SearchOptions): QueryOptions {
  const types = options.types?.map((t) => t.replace(/^\./, '').toLowerCase()).filter(Boolean) ?? [];
  const include = options.include?.filter(Boolean) ?? [];
  const exclude = options.exclude?.filter(Boolean) ?? [];
  if (include.length === 0 && exclude.length === 0) {
    return types.length > 0 ? { filter: { ext: { $in: types } } } : {};
  }
  // Globs are beyond Vectra's filter language: match each path once, then filter while scanning.
  const included = include.length > 0 ? compileGlobs(include, 'include glob') : () => true;
  const excluded = exclude.length > 0 ? compileGlobs(exclude, 'exclude glob') : () => false;
  const typeSet = new Set(types);
  const verdicts = new Map<string, boolean>();
  return {
    predicate: (metadata: ChunkMetadata) => {
      let verdict = verdicts.get(metadata.path);
      if (verdict === undefined) {
        verdict = included(metadata.path) && !excluded(metadata.path);
        verdicts.set(metadata.path, verdict);
      }
      return verdict && (typeSet.size === 0 || typeSet.has(metadata.ext));
    },
  };
}

export async function toResult(store: IndexStore, metadata: ChunkMetadata, score: number): Promise<SearchResult> {
  const texts = await store.texts(metadata.textKey).catch(() => [] as string[]);
  return {
    path: metadata.path,
    startLine: metadata.startLine,
    endLine: metadata.endLine,
    ...(metadata.page ? { page: metadata.page } : {}),
    score,
    language: metadata.lang,
    ...(metadata.symbol ? { symbol: metadata.symbol } : {}),
    snippet: makeSnippet(texts[metadata.chunk] ?? ''),
  };
}

export function makeSnippet(text: string): string {
  const lines = text.split('\n').slice(0, SNIPPET_MAX_LINES);
  let snippet = lines.join('\n');
  if (snippet.length > SNIPPET_MAX_CHARS) snippet = snippet.slice(0, SNIPPET_MAX_CHARS) + '…';
  else if (lines.length < text.split('\n').length) snippet += '\n…';
  return snippet;
}
