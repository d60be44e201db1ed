/**
 * The ranking stage of search: how the two rankings (cosine and BM25) are fused into one, and what
 * reorders the fused candidates before they become results. `searchStores` (search.ts) gathers the
 * candidates of every source and calls `fuseRankings`, then `rankCandidates`, once per query; every
 * front end and both kinds of index (local folders, a team base with its overlay) go through here,
 * so a rule added to `rankCandidates` applies to all of them. No Node or DOM dependencies: the
 * webview reads the weights to say what a score means.
 */

import type { TextHit } from '../store/vector-store';
import { fileRole, type FileRole } from './ranking/file-roles';
import { queryIntent, type QueryIntent } from './ranking/query-intent';
import { RANK_SETTINGS, rankStack, type RankSettings, type RankStep } from './ranking/stack';

/** What fusion needs of a hit: a key unique over every source, and a score (higher is better). */
export interface Ranked {
  id: string;
  score: number;
}

/** A chunk the ranking stage reorders: one source's hit, keyed over all sources, with its fused score. */
export interface Candidate extends Ranked {
  /** Which of the searched sources holds it (an index into `searchStores`' sources). */
  source: number;
  /** The store's hit: the chunk's metadata (path, lines, symbol, language), and its text when at hand. */
  hit: TextHit;
}

/**
 * The embedding's share of a fused score; the words get the rest. Chosen on the eval datasets
 * (bench/QUALITY-EXPERIMENTS.md §5): once the model read cleaner chunks, 0.65 had the best mean of
 * the weights that keep hybrid at or above both vector-only and lexical-only on all four (0.6 had
 * been best before; scaled scores beat reciprocal rank fusion throughout).
 */
export const VECTOR_WEIGHT = 0.65;
/** For a query that is a symbol, a path or a quoted phrase: the words lead. */
export const VECTOR_WEIGHT_EXACT = 0.25;

/**
 * The embedding's share for this query, from the one reading of its kind (`queryIntent`, which the
 * ranking stack uses too). A symbol (`parseJSON`, `max_retries`, `Router`, `foo.bar()`), a path or a
 * quoted phrase asks for those exact characters, so the lexical ranking leads; a sentence keeps the
 * measured balance. (Before, a regex of its own here read a bare `Router` as a sentence; one reading
 * measured the same: tuned part 0.760 against 0.761.)
 */
export function vectorWeightOf(query: string, weights: readonly [number, number] = [VECTOR_WEIGHT, VECTOR_WEIGHT_EXACT]): number {
  const { kind } = queryIntent(query);
  return kind === 'natural' ? weights[0] : weights[1];
}

/**
 * What a hybrid score is, from the weights the query gets (`vectorWeightOf`); without a query, the
 * weights a sentence gets and that identifiers and quoted phrases change.
 */
export function hybridScoreMeaning(query?: string): string {
  const share = (weight: number) => `${Number(weight.toFixed(2))} × cosine + ${Number((1 - weight).toFixed(2))} × BM25`;
  const weights = query === undefined ? `${share(VECTOR_WEIGHT)}; ${share(VECTOR_WEIGHT_EXACT)} for a symbol, a path or a "quoted phrase"` : share(vectorWeightOf(query));
  return `fused score (${weights}, each min-max scaled over this search's candidates, then the ranking stack: definitions and file-name matches raise it, tests, examples, docs and stubs lower it; compare within one answer only)`;
}

/**
 * The fast tier's shares (static vectors: embed/static-embedder.ts), for a sentence and for a symbol,
 * path or phrase. Lower than the transformer's: with its weights, static vectors and words rank below
 * words alone (bench/STATIC.md); these were chosen on the code benchmark's tuned part (bench/RANKING.md).
 */
export const FAST_VECTOR_WEIGHTS: [number, number] = [0.25, 0.05];

/**
 * Convex combination of the two rankings' scores, each scaled to [0, 1] over the hits it returned
 * (cosine and BM25 live on different scales). A chunk missing from one ranking gets 0 there. Scores
 * beat ranks here: how far ahead the best hit is carries information that rank fusion throws away.
 */
export function fuseRankings<T extends Ranked>(semantic: T[], lexical: T[], vectorWeight = VECTOR_WEIGHT, fusion: 'scores' | 'ranks' = 'scores'): T[] {
  return fuseTiers([{ hits: semantic, weight: vectorWeight }], lexical, () => 0, fusion);
}

/**
 * The same over an index of tiers: one cosine ranking per tier (each tier's vectors compared with its
 * own query vector, scaled over its own hits), and each chunk scored by its tier's ranking and weight,
 * `weight × cosine + (1 − weight) × BM25`. A chunk is in one tier, its best, so an index wholly deep
 * ranks exactly as a deep-only one, and one wholly fast as the fast tier alone.
 */
export function fuseTiers<T extends Ranked>(semantic: { hits: T[]; weight: number }[], lexical: T[], tierOf: (hit: T) => number, fusion: 'scores' | 'ranks' = 'scores'): T[] {
  const scaled = (hits: T[]) => {
    if (fusion === 'ranks') return new Map(hits.map((h, rank) => [h.id, 60 / (60 + rank + 1)]));
    let max = -Infinity;
    let min = Infinity;
    for (const { score } of hits) {
      if (score > max) max = score;
      if (score < min) min = score;
    }
    return new Map(hits.map((h) => [h.id, max > min ? (h.score - min) / (max - min) : 1]));
  };
  const tiers = semantic.map(({ hits, weight }) => ({ scores: scaled(hits), weight }));
  const l = scaled(lexical);
  const all = new Map<string, T>();
  for (const hit of [...semantic.flatMap(({ hits }) => hits), ...lexical]) if (!all.has(hit.id)) all.set(hit.id, hit);
  return [...all.values()]
    .map((hit) => {
      const tier = tiers[tierOf(hit)] ?? { scores: new Map<string, number>(), weight: 0 };
      return { ...hit, score: tier.weight * (tier.scores.get(hit.id) ?? 0) + (1 - tier.weight) * (l.get(hit.id) ?? 0) };
    })
    .sort((a, b) => b.score - a.score);
}

/** The phrase of a query in double quotes (`"retry with backoff"`), lower-cased, spaces collapsed. */
export function quotedPhrase(query: string): string | undefined {
  const match = /^"(.+)"$/.exec(query.trim());
  return match ? normaliseSpaces(match[1]) : undefined;
}

function normaliseSpaces(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The filters of a search that can choose file roles (`SearchOptions`' fields of the same names). */
export interface RoleFilters {
  /** File types: extensions without the dot. */
  types?: string[];
  /** Globs a path must match (one of them). */
  include?: string[];
}

/**
 * File roles a filter chose: `--type md` or an include glob into `docs/` asks for docs, a glob into
 * `test/` for tests; the stack does not rank those down.
 */
export function rolesChosenBy(filters: RoleFilters | undefined): Set<FileRole> {
  const chosen = new Set<FileRole>();
  for (const type of filters?.types ?? []) {
    const role = fileRole(`x.${type.replace(/^\./, '')}`);
    if (role !== 'implementation') chosen.add(role);
    if (/^(?:d\.ts|pyi)$/.test(type)) chosen.add('stub');
  }
  for (const glob of filters?.include ?? []) {
    const literal = glob.replace(/[*?[{].*$/, '') + 'x.x';
    const role = fileRole(literal);
    if (role !== 'implementation') chosen.add(role);
  }
  return chosen;
}

export interface RankQuery {
  text: string;
  /** The query's intent, when the caller read it already (`queryIntent(text)` otherwise). */
  intent?: QueryIntent;
  /** Names each candidate defines in its text, by candidate id (search/definitions.ts). */
  namesDefined?: ReadonlyMap<string, string[]>;
  /** Whether the words were ranked (lexical or hybrid): the rules about words apply then. */
  wordsRanked: boolean;
  /** The filters the search has: file roles they choose are not ranked down. */
  filters?: RoleFilters;
  /** For measuring each step's gain (bench/code-bench.ts): steps left out, settings changed. */
  tuning?: RankTuning;
}

export interface RankTuning {
  skip?: RankStep[];
  settings?: Partial<RankSettings>;
  /** The embedding's share for a sentence and for an identifier or phrase (VECTOR_WEIGHT, VECTOR_WEIGHT_EXACT). */
  vectorWeights?: [number, number];
  /** How the two rankings are fused: by scaled scores (the default) or by reciprocal rank (RRF, k = 60). */
  fusion?: 'scores' | 'ranks';
  /** The fast tier's shares, as `vectorWeights` (FAST_VECTOR_WEIGHTS). */
  fastVectorWeights?: [number, number];
}

/**
 * The ranking stage: the fused candidates (best first) in, reordered out. Runs once per search, over
 * the candidates of every source, whatever the kind of index; `textOf` gives a candidate's chunk text
 * (read once per search however many rules ask; the results' snippets reuse it). First the ranking
 * stack (search/ranking/: definitions, path evidence, file roles, diversity, from the query and each
 * candidate's path and symbol), then the phrase rule: a quoted query asks for those words in that
 * order, so chunks that hold the phrase come first, each group keeping its ranking (BM25 only sees
 * the words, so a chunk using them apart could lead).
 */
export async function rankCandidates(candidates: Candidate[], query: RankQuery, textOf: (candidate: Candidate) => Promise<string>): Promise<Candidate[]> {
  const intent = query.intent ?? queryIntent(query.text);
  const none: string[] = [];
  candidates = rankStack(candidates, {
    intent,
    facts: ({ id, source, hit }) => ({ path: hit.metadata.path, file: `${source}:${hit.metadata.path}`, symbol: hit.metadata.symbol, defines: query.namesDefined?.get(id) ?? none, startLine: hit.metadata.startLine }),
    chosenRoles: rolesChosenBy(query.filters),
    settings: query.tuning?.settings ? { ...RANK_SETTINGS, ...query.tuning.settings } : RANK_SETTINGS,
    skip: new Set(query.tuning?.skip ?? []),
  });
  const phrase = query.wordsRanked ? quotedPhrase(query.text) : undefined;
  if (!phrase) return candidates;
  const holds = await Promise.all(candidates.map(async (candidate) => normaliseSpaces(await textOf(candidate)).includes(phrase)));
  return [...candidates.filter((_, i) => holds[i]), ...candidates.filter((_, i) => !holds[i])];
}
