/**
 * Search: the one path every search takes, whatever its sources (one folder, several folders, a team
 * base without the paths its overlay replaces, plus the overlay) and whatever the front end. The
 * stores give candidates over the `VectorStore` seam; here they are gathered over every source,
 * fused once, reordered by the ranking stage (rank.ts), filtered, grouped, and given snippets.
 */
import { compileGlobs } from '../files/glob';
import type { ChunkMetadata, Tier } from '../store/types';
import type { StoreQueryOptions, VectorStore } from '../store/vector-store';
import { findDefinitions, type SourcedPart } from './definitions';
import { searchLexical } from './lexical';
import { FAST_VECTOR_WEIGHTS, fuseTiers, rankCandidates, vectorWeightOf, type Candidate, type RankTuning } from './rank';
import { queryIntent } from './ranking/query-intent';
import { snippetOf, SnippetTerms } from './snippet';

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
  /** For measurement only (bench/code-bench.ts): ranking-stack steps left out or settings changed. */
  ranking?: RankTuning;
}

export interface SearchResult {
  /** Relative to the indexed folder, forward slashes. */
  path: string;
  /** The chunk's lines in the file (1-based, inclusive): what was indexed and is opened. */
  startLine: number;
  endLine: number;
  /** PDF page, when the file has pages. */
  page?: number;
  score: number;
  language: string;
  /** The chunk's lines that matched the query's words (its first lines when none did). */
  snippet: string;
  /** The file line of the snippet's first line (within startLine..endLine). */
  snippetStartLine: number;
  /** Enclosing symbol (function, class, heading), when known. */
  symbol?: string;
}

/** The ranking searches use unless told otherwise: the best measured one (bench/QUALITY.md). */
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

/** How deep each ranking is read before fusing. */
const FUSION_DEPTH = 60;
/** Hits read past a ranking's depth, so ties at the cut are settled the same way for every store. */
const TIE_MARGIN = 16;

function byScoreThenPlace(a: Candidate, b: Candidate): number {
  const [x, y] = [a.hit.metadata, b.hit.metadata];
  return b.score - a.score || (x.path < y.path ? -1 : x.path > y.path ? 1 : x.startLine - y.startLine);
}

export interface SearchQuery {
  text: string;
  /**
   * The query's embedding for a tier's vectors; needed unless the mode is lexical. Asked for only for
   * the tiers the searched stores hold, before the words are ranked, so the lexical ranking runs on
   * this thread while the embedding is still being computed in its worker.
   */
  embed?: (tier: Tier) => Promise<Float32Array>;
}

/** The tiers in the order search lists them (a chunk's tier indexes its cosine ranking). */
const TIERS: readonly Tier[] = ['deep', 'fast'];

/** One store searched, and what of it: a folder's index, a team's base, a team's overlay. */
export interface SearchSource {
  store: VectorStore;
  /** Paths whose chunks this source never returns (a team base: the files its overlay replaces). */
  excludePaths?: ReadonlySet<string>;
  /** Which folder its paths are relative to, as the caller numbers them (results carry it). */
  folderIndex: number;
}

export interface SourcedResult extends SearchResult {
  /** The folder of the source the result comes from (`SearchSource.folderIndex`). */
  folderIndex: number;
}

/**
 * One ranking over every source: the candidates of all of them are gathered first and fused once
 * over their union, so scores compare across folders and between a team's base and its overlay.
 * Cosine scores share one scale (one model), BM25 statistics are summed over every part of every
 * source (`searchLexical`), and the union is min-max scaled once. (Fusing each folder alone scales
 * its best hit to 1 in every folder, and a weak folder's best then outranks a strong folder's second.)
 */
export async function searchStores(sources: readonly SearchSource[], query: SearchQuery, options: SearchOptions = {}): Promise<SourcedResult[]> {
  const topK = options.topK ?? 10;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  const common = toQueryOptions(options);
  const optionsOf = (source: SearchSource): StoreQueryOptions => (source.excludePaths?.size ? { ...common, excludePaths: source.excludePaths } : common);
  // Grouping keeps one chunk per file, so ask the stores for more to fill topK files.
  const wanted = options.groupByFile ? topK * 5 : topK;
  const depth = Math.max(wanted, FUSION_DEPTH);
  // Chunk ids are unique within a store only: with several sources, the key names the source too.
  const keyOf = sources.length === 1 ? (_: number, id: string) => id : (source: number, id: string) => `${source}:${id}`;

  // The tiers of vector the sources hold; each one's query vector starts now.
  const held = sources.map((source) => source.store.tiers());
  const tiers = mode === 'lexical' ? [] : TIERS.filter((tier) => held.some((set) => set.has(tier)));
  if (tiers.length > 0 && !query.embed) throw new Error(`a ${mode} search needs the query's embedding`);
  const vectors = new Map(tiers.map((tier) => [tier, query.embed!(tier)]));
  const semantic = async (tier: Tier, limit: number): Promise<Candidate[]> => {
    const vector = await vectors.get(tier)!;
    const perSource = await Promise.all(sources.map((source, i) => (held[i].has(tier) ? source.store.vectorCandidates(vector, limit, { ...optionsOf(source), tier }) : Promise.resolve([]))));
    const candidates: Candidate[] = [];
    perSource.forEach((hits, source) => {
      for (const hit of hits) candidates.push({ id: keyOf(source, hit.id), score: hit.score, source, hit });
    });
    return candidates.sort((a, b) => b.score - a.score).slice(0, limit);
  };
  // Each tier's cosines, with that tier's share of a fused score for this query.
  const semanticByTier = () =>
    Promise.all(
      tiers.map(async (tier) => ({
        hits: await semantic(tier, depth),
        weight: tier === 'fast' ? vectorWeightOf(query.text, options.ranking?.fastVectorWeights ?? FAST_VECTOR_WEIGHTS) : vectorWeightOf(query.text, options.ranking?.vectorWeights),
      })),
    );
  const tierOf = (candidate: Candidate) => tiers.indexOf(candidate.hit.metadata.tier);
  // The words' indexes of every source, read once: ranked below, and where definitions are looked up by name.
  const parts: SourcedPart[] =
    mode === 'vector' ? [] : (await Promise.all(sources.map((source) => source.store.lexicalParts(optionsOf(source))))).flatMap((sourceParts, source) => sourceParts.map((part) => ({ ...part, source })));
  const lexical = (limit: number): Candidate[] => {
    // Read past the limit, then cut with equal scores ordered by path and line: which of several tied
    // chunks makes the cut must not depend on how a store splits its index into parts.
    const hits = searchLexical(parts, query.text, limit + TIE_MARGIN).map(({ part, slot, id, score }) => ({ id: keyOf(parts[part].source, id), score, source: parts[part].source, hit: parts[part].hitOf(slot, id, score) }));
    return hits.sort(byScoreThenPlace).slice(0, limit);
  };

  let candidates: Candidate[];
  // A quoted phrase reads the words' ranking deeper, to find the chunks that hold the phrase.
  // Every mode reads `depth` deep: the ranking stage reorders what it is given.
  if (mode === 'lexical') candidates = lexical(depth);
  else if (mode === 'vector') {
    // One tier: its cosines as they are. Two: each scaled over its own hits (two models' cosines do not compare).
    const lists = await semanticByTier();
    candidates = lists.length === 1 ? lists[0].hits : fuseTiers(lists.map(({ hits }) => ({ hits, weight: 1 })), [], tierOf).slice(0, depth);
  } else {
    // Words first: they need no embedding, so they overlap with the model's work on the query.
    const words = lexical(depth);
    candidates = fuseTiers(await semanticByTier(), words, tierOf, options.ranking?.fusion);
  }
  const texts = new Map<string, Promise<string>>();
  const textOf = (candidate: Candidate): Promise<string> => {
    let text = texts.get(candidate.id);
    if (!text) texts.set(candidate.id, (text = sources[candidate.source].store.chunkText(candidate.hit).catch(() => '')));
    return text;
  };
  const intent = queryIntent(query.text);
  // Definitions are looked up by name in the words' index, so only where the words were read.
  let namesDefined: ReadonlyMap<string, string[]> | undefined;
  if (parts.length > 0 && intent.kind === 'symbol' && !options.ranking?.skip?.includes('lookup')) {
    const found = await findDefinitions(intent.names, candidates, parts, keyOf, textOf);
    candidates = [...candidates, ...found.added];
    namesDefined = found.namesDefined;
  }
  candidates = await rankCandidates(candidates, { text: query.text, intent, namesDefined, wordsRanked: mode !== 'vector', filters: options, tuning: options.ranking }, textOf);

  const chosen: Candidate[] = [];
  const files = new Set<string>();
  for (const candidate of candidates.slice(0, wanted)) {
    if (options.groupByFile) {
      const file = `${sources[candidate.source].folderIndex}:${candidate.hit.metadata.path}`;
      if (files.has(file)) continue;
      files.add(file);
    }
    chosen.push(candidate);
    if (chosen.length >= topK) break;
  }
  const terms = new SnippetTerms(query.text);
  return Promise.all(chosen.map(async (candidate) => ({ ...resultOf(candidate.hit.metadata, candidate.score, await textOf(candidate), terms), folderIndex: sources[candidate.source].folderIndex })));
}

export function toQueryOptions(options: SearchOptions): StoreQueryOptions {
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

/** A result for a chunk, with the lines of `text` that match `terms` (its first lines without terms). */
export function resultOf(metadata: ChunkMetadata, score: number, text: string, terms?: SnippetTerms): SearchResult {
  const snippet = snippetOf(text, metadata.startLine, terms);
  return {
    path: metadata.path,
    startLine: metadata.startLine,
    endLine: metadata.endLine,
    ...(metadata.page ? { page: metadata.page } : {}),
    score,
    language: metadata.lang,
    ...(metadata.symbol ? { symbol: metadata.symbol } : {}),
    snippet: snippet.text,
    snippetStartLine: snippet.startLine,
  };
}
