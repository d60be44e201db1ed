/**
 * Search: embed the query (in the embedding worker), filter and rank in the store, attach snippets.
 */
import picomatch from 'picomatch';
import type { ChunkMetadata, IndexStore, QueryOptions, StoreHit } from '../store/store';

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

/** Reciprocal rank fusion's constant: ranks beyond the first few count less and less. */
const RRF_K = 60;
/** How deep each ranking is read before fusing. */
const FUSION_DEPTH = 60;

export interface SearchQuery {
  text: string;
  /** The query's embedding; needed unless the mode is lexical. */
  vector?: Float32Array;
}

export async function searchStore(store: IndexStore, query: SearchQuery, options: SearchOptions = {}): Promise<SearchResult[]> {
  const topK = options.topK ?? 10;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  const queryOptions = toQueryOptions(options);
  // Grouping keeps one chunk per file, so ask the store for more to fill topK files.
  const wanted = options.groupByFile ? topK * 5 : topK;
  let hits: StoreHit[];
  if (mode === 'lexical') hits = await store.queryLexical(query.text, wanted, queryOptions);
  else {
    if (!query.vector) throw new Error(`a ${mode} search needs the query's embedding`);
    if (mode === 'vector') hits = await store.query(query.vector, wanted, queryOptions);
    else {
      const depth = Math.max(wanted, FUSION_DEPTH);
      const [semantic, lexical] = await Promise.all([store.query(query.vector, depth, queryOptions), store.queryLexical(query.text, depth, queryOptions)]);
      hits = fuseRankings(semantic, lexical, lexicalWeightOf(query.text)).slice(0, wanted);
    }
  }
  const results: SearchResult[] = [];
  const files = new Set<string>();
  for (const hit of hits) {
    if (options.groupByFile) {
      if (files.has(hit.metadata.path)) continue;
      files.add(hit.metadata.path);
    }
    results.push(await toResult(store, hit.metadata, hit.score));
    if (results.length >= topK) break;
  }
  return results;
}

/**
 * Weighted reciprocal rank fusion: each ranking adds weight / (k + rank). The score is scaled so
 * that a chunk ranked first by both rankings scores 1.
 */
export function fuseRankings(semantic: StoreHit[], lexical: StoreHit[], lexicalWeight = 1): StoreHit[] {
  const fused = new Map<string, StoreHit>();
  const add = (hits: StoreHit[], weight: number) =>
    hits.forEach((hit, rank) => {
      const gain = weight / (RRF_K + rank + 1);
      const known = fused.get(hit.id);
      if (known) known.score += gain;
      else fused.set(hit.id, { ...hit, score: gain });
    });
  add(semantic, 1);
  add(lexical, lexicalWeight);
  const best = (1 + lexicalWeight) / (RRF_K + 1);
  return [...fused.values()].map((hit) => ({ ...hit, score: hit.score / best })).sort((a, b) => b.score - a.score);
}

/**
 * How much the words count against the meaning. A query that is one identifier (`parseJSON`,
 * `max_retries`, `foo.bar()`) or a quoted phrase asks for those exact characters, so the lexical
 * ranking leads; a sentence is left to the balance of both.
 */
export function lexicalWeightOf(query: string): number {
  const trimmed = query.trim();
  if (/^".+"$/.test(trimmed)) return 3;
  const identifier = /^[\w$.:#/-]+(\(\))?$/.test(trimmed) && /[a-z][A-Z]|_|\.|\(|::|#|\//.test(trimmed);
  return identifier ? 3 : 1;
}

export function toQueryOptions(options: SearchOptions): QueryOptions {
  const types = options.types?.map((t) => t.replace(/^\./, '').toLowerCase()).filter(Boolean) ?? [];
  const include = options.include?.filter(Boolean) ?? [];
  const exclude = options.exclude?.filter(Boolean) ?? [];
  if (include.length === 0 && exclude.length === 0) {
    return types.length > 0 ? { filter: { ext: { $in: types } } } : {};
  }
  // Globs are beyond Vectra's filter language: match each path once, then filter while scanning.
  const included = include.length > 0 ? picomatch(include, { dot: true }) : () => true;
  const excluded = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
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

async function toResult(store: IndexStore, metadata: ChunkMetadata, score: number): Promise<SearchResult> {
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
