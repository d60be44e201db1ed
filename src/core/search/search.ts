/**
 * Search: embed the query (in the embedding worker), filter and rank in the store, attach snippets.
 */
import picomatch from 'picomatch';
import type { ChunkMetadata, IndexStore, QueryOptions } from '../store/store';

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
}

const SNIPPET_MAX_CHARS = 600;
const SNIPPET_MAX_LINES = 12;

export async function searchStore(store: IndexStore, queryVector: Float32Array, options: SearchOptions = {}): Promise<SearchResult[]> {
  const topK = options.topK ?? 10;
  const queryOptions = toQueryOptions(options);
  // Grouping keeps one chunk per file, so ask the store for more to fill topK files.
  const wanted = options.groupByFile ? topK * 5 : topK;
  const hits = await store.query(queryVector, wanted, queryOptions);
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
