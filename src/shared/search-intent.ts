/**
 * What the user asks a search for, as the panel holds it (its fields as typed) and as the extension
 * reads it (globs and file types parsed the same way on both sides). Plain data and pure functions:
 * nothing here imports `node:` or `vscode` (src/shared is below every other layer).
 */

/** What the user asked for. The webview keeps only this in its state (vscode.setState). */
export interface SearchIntent {
  query: string;
  /** Globs a result's path must match (any of them), relative to its workspace folder. */
  include: string;
  /** Globs a result's path must not match (comma-separated, like VS Code's search view). */
  exclude: string;
  /** File types: extensions without the dot, comma-separated ("ts, md, pdf"). */
  types: string;
  /** Ranking: by meaning, by words, or both; absent or '' for the `quipu.searchMode` setting. */
  mode?: '' | 'vector' | 'lexical' | 'hybrid';
}

export const EMPTY_INTENT: SearchIntent = { query: '', include: '', exclude: '', types: '', mode: '' };

export function sameIntent(a: SearchIntent, b: SearchIntent): boolean {
  return (
    a.query.trim() === b.query.trim() &&
    a.include.trim() === b.include.trim() &&
    a.exclude.trim() === b.exclude.trim() &&
    a.types.trim() === b.types.trim() &&
    (a.mode ?? '') === (b.mode ?? '')
  );
}

export function hasFilters(intent: SearchIntent): boolean {
  return parseGlobs(intent.include).length > 0 || parseGlobs(intent.exclude).length > 0 || parseTypes(intent.types).length > 0 || !!intent.mode;
}

/** "ts, .md  *.PDF;txt" → ["ts", "md", "pdf", "txt"]: commas, semicolons or spaces separate. */
export function parseTypes(input: string): string[] {
  const types = input
    .split(/[\s,;]+/)
    .map((t) => t.replace(/^\*?\./, '').toLowerCase())
    .filter((t) => t.length > 0);
  return [...new Set(types)];
}

/**
 * "src/**, *.{ts,tsx}" → ["src/**", "*.{ts,tsx}"]. Like VS Code's search view: commas separate globs,
 * except inside braces or brackets, where they belong to the glob.
 */
export function parseGlobs(input: string): string[] {
  const globs: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      globs.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  globs.push(current);
  return [...new Set(globs.map((g) => g.trim()).filter((g) => g.length > 0))];
}
