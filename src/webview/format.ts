/**
 * The search panel's pure logic: text, numbers, filters and highlighting. No DOM and no `vscode`, so
 * node:test covers it. What the extension reads of an intent too is in src/shared/search-intent.ts.
 */
import { relatedFormShare, shortFormsOf as abbreviationsOf, singular } from '../core/search/word-forms';
import type { IndexState, PanelFileGroup, PanelResult } from '../shared/panel-protocol';
import { parseGlobs, parseTypes, type SearchIntent } from '../shared/search-intent';

/** What the webview keeps in vscode.setState: the user's intent only, never results. */
export interface PanelViewState {
  intent: SearchIntent;
  filtersShown: boolean;
}

const MODES = ['', 'vector', 'lexical', 'hybrid'] as const;
/** What each ranking is called in the panel. */
export const MODE_LABELS: Record<NonNullable<SearchIntent['mode']>, string> = {
  '': 'default (setting)',
  hybrid: 'meaning + words',
  vector: 'meaning only',
  lexical: 'words only',
};

/** Reads a saved state defensively: it may come from an older version of the panel, or be absent. */
export function restoreViewState(value: unknown): PanelViewState {
  const saved = isRecord(value) ? value : {};
  const intent = isRecord(saved.intent) ? saved.intent : {};
  const text = (key: keyof SearchIntent): string => (typeof intent[key] === 'string' ? intent[key] : '');
  return {
    intent: {
      query: text('query'),
      include: text('include'),
      exclude: text('exclude'),
      types: text('types'),
      mode: MODES.find((m) => m === intent.mode) ?? '',
    },
    filtersShown: saved.filtersShown === true,
  };
}

/** One line that says which filters apply, for when the filter fields are hidden. */
export function describeFilters(intent: SearchIntent): string {
  const parts: string[] = [];
  const types = parseTypes(intent.types);
  const include = parseGlobs(intent.include);
  const exclude = parseGlobs(intent.exclude);
  if (intent.mode) parts.push(`ranking: ${MODE_LABELS[intent.mode]}`);
  if (types.length > 0) parts.push(`types ${types.join(', ')}`);
  if (include.length > 0) parts.push(`include ${include.join(', ')}`);
  if (exclude.length > 0) parts.push(`exclude ${exclude.join(', ')}`);
  return parts.join(' · ');
}

// ---- Highlighting ------------------------------------------------------------------------------

export interface Segment {
  text: string;
  mark: boolean;
}

// Words that match everywhere and mean little: highlighting them would drown the useful ones.
const STOP_WORDS = new Set(
  ('a an and are as at be but by do does for from has have how i if in into is it its not of on or so that the their ' +
    'then there these this to was we were what when where which who why will with without you your')
    .split(' '),
);

/**
 * The query's words worth highlighting, longest first: lower case, no stop words, no one-letter
 * words, with a plural or verb ending cut so "passwords" also marks "password".
 */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = new Set<string>();
  for (const word of words) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    terms.add(stem(word));
  }
  return [...terms].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/**
 * The abbreviations code uses for the query's words ("message" → `msg`), as the search matched them
 * (src/core/search/word-forms.ts), so a hit found through one shows why.
 */
export function shortFormsOf(query: string): Set<string> {
  const forms = new Set<string>();
  for (const word of query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    for (const form of abbreviationsOf(singular(word))) forms.add(form);
  }
  return forms;
}

/** A word part the search relates to a long query term: a start or a close sibling of it. */
function relatedToTerm(part: string, terms: readonly string[]): boolean {
  return terms.some((term) => relatedFormShare(part, term) !== undefined);
}

function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) return word.slice(0, -suffix.length);
  }
  return word;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const LOWER = /\p{Ll}/u;
const UPPER = /\p{Lu}/u;
const LOWER_OR_DIGIT = /[\p{Ll}\p{N}]/u;
const UPPER_OR_DIGIT = /[\p{Lu}\p{N}]/u;

/** A term may start a word, a camelCase part, or follow "_" or "-": "hash" marks in "passwordHash". */
function startsWord(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text[i - 1];
  if (!WORD_CHAR.test(before)) return true;
  return LOWER.test(before) && UPPER.test(text[i]);
}

/**
 * Splits text into plain and marked segments: each term is marked where a word (or camelCase part)
 * starts with it, and the mark runs to the end of that word part ("index" marks "indexing"). A word
 * part that is one of `shortForms` ("msg"), or a start or close sibling of a long term ("concat" for
 * "concatenating"), is marked too, as the search matched it. Case-insensitive. Concatenating the
 * segments' text gives the input back.
 */
export function highlight(text: string, terms: readonly string[], shortForms: ReadonlySet<string> = new Set()): Segment[] {
  const segments: Segment[] = [];
  const push = (part: string, mark: boolean): void => {
    if (part.length === 0) return;
    const last = segments[segments.length - 1];
    if (last && last.mark === mark) last.text += part;
    else segments.push({ text: part, mark });
  };
  let plainStart = 0;
  let i = 0;
  while (i < text.length) {
    if (!startsWord(text, i)) {
      i++;
      continue;
    }
    const term = terms.find((t) => t.length > 0 && text.slice(i, i + t.length).toLowerCase() === t);
    let end = i + (term?.length ?? 1);
    const rest = UPPER.test(text[end - 1]) && UPPER.test(text[end] ?? '') ? UPPER_OR_DIGIT : LOWER_OR_DIGIT;
    while (end < text.length && rest.test(text[end])) end++;
    if (term === undefined) {
      const part = text.slice(i, end).toLowerCase();
      if (!WORD_CHAR.test(text[i]) || !(shortForms.has(singular(part)) || relatedToTerm(part, terms))) {
        i++;
        continue;
      }
    }
    push(text.slice(plainStart, i), false);
    push(text.slice(i, end), true);
    plainStart = i = end;
  }
  push(text.slice(plainStart), false);
  return segments;
}

/**
 * The lines of a snippet worth showing, each with its line in the file (`firstLine` is the file line
 * of the snippet's first line): no blank lines (a preview of a few lines has no room for them), no
 * "…" line, common indentation removed, at most maxLines lines of at most maxChars characters (CSS
 * adds the ellipsis).
 */
export function snippetLines(snippet: string, firstLine: number, maxLines = 4, maxChars = 240): { line: number; text: string }[] {
  const lines = snippet
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((text, i) => ({ line: firstLine + i, text }))
    .filter(({ text }) => text.trim() !== '' && text.trim() !== '…');
  const shown = lines.slice(0, maxLines);
  const indents = shown.map(({ text }) => /^[ \t]*/.exec(text)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return shown.map(({ line, text }) => ({ line, text: text.slice(common).slice(0, maxChars).trimEnd() }));
}

// ---- Numbers and words ---------------------------------------------------------------------------

const numberFormat = new Intl.NumberFormat('en-US');

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 result", "12 results", "1,204 files". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : pluralForm}`;
}

/** "line 7", "lines 10–42", "lines 10–42 · page 3". */
export function formatLocation(result: Pick<PanelResult, 'startLine' | 'endLine' | 'page'>): string {
  const lines = result.endLine > result.startLine ? `lines ${result.startLine}–${result.endLine}` : `line ${result.startLine}`;
  return result.page !== undefined ? `${lines} · page ${result.page}` : lines;
}

/** Cosine similarity as two decimals: "0.82". */
export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(2) : '–';
}

export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "12 results in 5 files · 84 ms". */
export function summarizeResults(groups: readonly PanelFileGroup[], elapsedMs: number): string {
  const hits = groups.reduce((n, g) => n + g.results.length, 0);
  return `${plural(hits, 'result')} in ${plural(groups.length, 'file')} · ${formatElapsed(elapsedMs)}`;
}

/** "a few seconds left", "~45 s left", "~1 min left", "~2 h 5 min left"; undefined when unknown. */
export function formatEta(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `~${Math.round(seconds / 5) * 5} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `~${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest > 0 ? `~${hours} h ${rest} min left` : `~${hours} h left`;
}

/** "35 chunks/s", "2.5 chunks/s"; undefined before the first chunk. */
export function formatRate(chunksPerSecond: number): string | undefined {
  if (!Number.isFinite(chunksPerSecond) || chunksPerSecond <= 0) return undefined;
  const value = chunksPerSecond < 10 ? chunksPerSecond.toFixed(1).replace(/\.0$/, '') : formatNumber(Math.round(chunksPerSecond));
  return `${value} chunks/s`;
}

type Progress = NonNullable<IndexState['progress']>;

/** "120 / 400 files", or "120 files" while the total is still unknown. */
function formatFiles(progress: Progress): string {
  return progress.filesTotal !== undefined
    ? `${formatNumber(progress.filesDone)} / ${plural(progress.filesTotal, 'file')}`
    : plural(progress.filesDone, 'file');
}

/** "Indexing 120 / 400 files · 35 chunks/s · ~1 min left". */
export function describeIndexing(progress: Progress | undefined): string {
  if (!progress) return 'Indexing…';
  return [`Indexing ${formatFiles(progress)}`, formatRate(progress.chunksPerSecond), formatEta(progress.etaSeconds)]
    .filter((part) => part !== undefined)
    .join(' · ');
}

/** "Paused at 120 / 400 files". */
export function describePaused(progress: Progress | undefined): string {
  return progress ? `Paused at ${formatFiles(progress)}` : 'Paused';
}

/**
 * One line while the deep tier is incomplete: "Deep tier 40% · computing in the background"; nothing
 * once it is complete, or when the plan has no deep tier. Searching works throughout.
 */
export function describeDeepTier(tiers: IndexState['tiers']): string | undefined {
  if (!tiers?.deepIncomplete) return undefined;
  const where = tiers.deepRunning ? 'computing in the background' : tiers.deepPending ? 'waiting for other indexing' : undefined;
  return [`Deep tier ${tiers.deepPercent}%`, where].filter((part) => part !== undefined).join(' · ');
}

/** How far indexing is, 0…1; undefined while the total is unknown (the bar is then indeterminate). */
export function progressRatio(progress: Progress | undefined): number | undefined {
  if (!progress || progress.filesTotal === undefined) return undefined;
  if (progress.filesTotal <= 0) return 1;
  return Math.min(1, Math.max(0, progress.filesDone / progress.filesTotal));
}

// ---- Files -------------------------------------------------------------------------------------

/** "src/auth/password.ts" → { name: "password.ts", folder: "src/auth" }. */
export function splitPath(path: string): { name: string; folder: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { name: path, folder: '' } : { name: path.slice(slash + 1), folder: path.slice(0, slash) };
}

const MARKDOWN = new Set(['md', 'mdx', 'markdown']);
const PROSE = new Set(['txt', 'text', 'rst', 'adoc', 'asciidoc', 'org', 'log', 'tex']);

/** The codicon for a file: by kind, then by extension. */
export function fileIcon(kind: PanelFileGroup['kind'], path: string): string {
  if (kind === 'pdf') return 'file-pdf';
  if (kind === 'docx') return 'book';
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') + 1 ? path.slice(dot + 1).toLowerCase() : '';
  if (MARKDOWN.has(ext)) return 'markdown';
  if (PROSE.has(ext) || ext === '') return 'file-text';
  return 'file-code';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
