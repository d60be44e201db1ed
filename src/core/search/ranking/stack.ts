/**
 * The ranking stack: what happens to the fused candidates before the top k are shown. Each step is
 * measured on the code benchmark (bench/QUALITY.md, "Ranking stack"), with no constant per
 * repository or per language:
 *   1. definitions: for a symbol query, chunks that define the name rise to the top (the name in the
 *      chunk's symbol; a file named after it counts more); a sentence naming an identifier gets half;
 *   2. path evidence: query words in the file's name or its folder's;
 *   3. file roles: implementation above tests, examples, docs, stubs, vendored and generated copies,
 *      unless the query or a filter asks for them;
 *   4. coherence: a file with several good chunks lifts its best one;
 *   5. diversity: each further chunk of a file already shown counts for less.
 * Pure: candidates in, candidates out; no store, no I/O.
 */
import { ASKABLE, fileRole, type FileRole } from './file-roles';
import { splitIdentifier, type AskedRole, type QueryIntent } from './query-intent';

export interface RankCandidate {
  id: string;
  score: number;
}

/** What the steps read of a candidate. */
export interface RankFacts {
  /** Folder-relative path, forward slashes. */
  path: string;
  /** The file across every folder searched (path keyed by folder), for coherence and diversity. */
  file: string;
  /** The chunk's enclosing symbol ('' when none). */
  symbol: string;
  /** Queried names the chunk's text defines (search/definitions.ts), beside its enclosing symbol. */
  defines?: readonly string[];
  /** The chunk's first line: with the file, what orders equal scores the same way whatever the store. */
  startLine: number;
}

export interface RankSettings {
  /** Boost, as a share of the best score, for a chunk that defines a queried symbol. */
  definition: number;
  /** The same for an identifier written inside a sentence. */
  embeddedDefinition: number;
  /** Extra factor when the file is also named after the symbol (`Router` in router.go). */
  definitionFileNamed: number;
  /** Boost, as a share of the best score, when every query word names the file or its folder. */
  pathEvidence: number;
  /** Score factors by file role. */
  roles: Record<FileRole, number>;
  /** Share of the best score added to a file's best chunk, by its share of all candidates' score. */
  coherence: number;
  /** Factor applied once per chunk of the same file already ranked above. */
  diversity: number;
}

export const RANK_SETTINGS: RankSettings = {
  definition: 1,
  embeddedDefinition: 0.5,
  definitionFileNamed: 1.5,
  pathEvidence: 0.3,
  roles: { implementation: 1, test: 0.5, example: 0.5, doc: 0.8, stub: 0.6, vendored: 0.5, generated: 0.5, barrel: 0.8 },
  coherence: 0,
  diversity: 0.95,
};

export interface RankContext<T> {
  intent: QueryIntent;
  facts: (candidate: T) => RankFacts;
  /** Roles a filter chose (`--type md` → doc, an include glob into `test/` → test): not penalised. */
  chosenRoles?: ReadonlySet<FileRole>;
  settings?: RankSettings;
  /** Steps left out, for measuring each one's gain. */
  skip?: ReadonlySet<RankStep>;
}

/** `lookup` is search's (definitions found by name, search/definitions.ts); the others are the stack's. */
export type RankStep = 'lookup' | 'definitions' | 'path' | 'roles' | 'coherence' | 'diversity';

export function rankStack<T extends RankCandidate>(candidates: readonly T[], context: RankContext<T>): T[] {
  if (candidates.length === 0) return [];
  const settings = context.settings ?? RANK_SETTINGS;
  const skip = context.skip ?? new Set<RankStep>();
  const { intent } = context;
  const best = Math.max(...candidates.map((c) => c.score));
  const unit = best > 0 ? best : 1;
  const scored: Scored<T>[] = candidates.map((candidate) => {
    const facts = context.facts(candidate);
    let score = candidate.score;
    if (!skip.has('definitions')) score += unit * definitionBoost(facts, intent, settings);
    if (!skip.has('path') && intent.kind !== 'path') score += unit * settings.pathEvidence * pathEvidence(facts.path, intent.words);
    if (!skip.has('roles')) score *= roleFactor(facts.path, intent.asks, context.chosenRoles, settings);
    return { candidate, file: facts.file, line: facts.startLine, score };
  });
  if (!skip.has('coherence')) addCoherence(scored, unit * settings.coherence);
  scored.sort(byScore);
  const ranked = skip.has('diversity') ? scored : diversify(scored, settings.diversity);
  return ranked.map(({ candidate, score }) => ({ ...candidate, score }));
}

interface Scored<T> {
  candidate: T;
  file: string;
  line: number;
  score: number;
}

/** Best first; equal scores by file and line, so two stores holding the same content rank it alike. */
function byScore(a: { file: string; line: number; score: number }, b: { file: string; line: number; score: number }): number {
  return b.score - a.score || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
}

/** A name the chunk's text defines, beside another enclosing symbol, counts this much of a definition (0.6: tuned part 0.761; 1: 0.759, 0.4: 0.759). */
const TEXT_DEFINED_SHARE = 0.6;

/** How strongly a chunk answers "where is X defined": its symbol is X, or ends with X. */
function definitionBoost(candidate: RankFacts, intent: QueryIntent, settings: RankSettings): number {
  if (intent.names.length === 0 || (!candidate.symbol && !candidate.defines?.length)) return 0;
  const weight = intent.kind === 'symbol' ? settings.definition : settings.embeddedDefinition;
  // The enclosing symbol, then the names the text defines (bare names, no qualifier): a chunk that is
  // the definition outranks one that holds it among others (`impl FromStr for Value { fn from_str`).
  const symbols = [candidate.symbol.replace(/::|->|#|\\/g, '.'), ...(candidate.defines ?? [])];
  let best = 0;
  for (const [at, symbol] of symbols.entries()) {
    if (!symbol) continue;
    const last = symbol.slice(symbol.lastIndexOf('.') + 1);
    for (const [i, name] of intent.names.entries()) {
      const exact = symbol === name || symbol.endsWith(`.${name}`);
      const lastMatch = last === name || last.toLowerCase() === name.toLowerCase();
      if (!exact && !lastMatch) continue;
      // The qualified name (first) over the bare one; an exact case over a case-insensitive match.
      let boost = weight * (i === 0 ? 1 : 0.8) * (exact || last === name ? 1 : 0.6) * (at === 0 ? 1 : TEXT_DEFINED_SHARE);
      if (stemOf(candidate.path) === name.toLowerCase().replace(/_/g, '')) boost *= settings.definitionFileNamed;
      best = Math.max(best, boost);
      break;
    }
  }
  return best;
}

function stemOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.indexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase().replace(/[_-]/g, '');
}

const pathPartsCache = new Map<string, Set<string>>();

/** The share of query words that name the file or its folder (a prefix of 4+ letters counts). */
export function pathEvidence(path: string, words: readonly string[]): number {
  if (words.length === 0) return 0;
  let parts = pathPartsCache.get(path);
  if (!parts) {
    const segments = path.split('/');
    const file = segments[segments.length - 1].replace(/\.[^.]*$/, '');
    const folder = segments.length > 1 ? segments[segments.length - 2] : '';
    parts = new Set([file, folder].flatMap((s) => s.split(/[^A-Za-z0-9]+/)).filter(Boolean).flatMap(splitIdentifier));
    if (pathPartsCache.size > 50_000) pathPartsCache.clear();
    pathPartsCache.set(path, parts);
  }
  let matched = 0;
  for (const word of words) {
    if (parts.has(word)) matched++;
    else if (word.length >= 4 && [...parts].some((part) => part.length >= 4 && (part.startsWith(word) || word.startsWith(part)))) matched++;
  }
  return matched / words.length;
}

function roleFactor(path: string, asks: ReadonlySet<AskedRole>, chosen: ReadonlySet<FileRole> | undefined, settings: RankSettings): number {
  const role = fileRole(path);
  if (role === 'implementation' || chosen?.has(role)) return 1;
  const askable = ASKABLE[role];
  if (askable && asks.has(askable)) return 1;
  return settings.roles[role];
}

/** A file whose chunks hold much of the candidates' score lifts its best chunk. */
function addCoherence(scored: { file: string; score: number }[], unit: number): void {
  if (unit <= 0) return;
  const byFile = new Map<string, { sum: number; best: { score: number } }>();
  for (const entry of scored) {
    const file = byFile.get(entry.file);
    if (!file) byFile.set(entry.file, { sum: Math.max(0, entry.score), best: entry });
    else {
      file.sum += Math.max(0, entry.score);
      if (entry.score > file.best.score) file.best = entry;
    }
  }
  const top = Math.max(...[...byFile.values()].map((f) => f.sum));
  if (top <= 0) return;
  for (const file of byFile.values()) file.best.score += (unit * file.sum) / top;
}

/** Greedy: each chunk's score shrinks by `factor` per chunk of its file already placed above it. */
function diversify<T extends { file: string; line: number; score: number }>(sorted: T[], factor: number): T[] {
  const placed = new Map<string, number>();
  const out = sorted.map((entry) => {
    const seen = placed.get(entry.file) ?? 0;
    placed.set(entry.file, seen + 1);
    return { ...entry, score: entry.score * factor ** seen };
  });
  return out.sort(byScore);
}
