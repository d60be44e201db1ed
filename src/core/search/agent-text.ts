/**
 * Search results as text for a language model to read: compact (ten results in about 1,500 tokens
 * by default) and saying what the score means. Shared by `quipu mcp` and the VS Code language-model
 * tools, so an agent reads the same form from either.
 */
import { hybridScoreMeaning } from './rank';
import type { SearchMode, SearchResult } from './search';

/** Lines of snippet per result by default: ten results then fit in about 1,500 tokens. */
export const DEFAULT_SNIPPET_LINES = 5;
const MAX_LINE_CHARS = 160;

export interface LabeledResult extends SearchResult {
  /** Shown before the path (`[folder] path`) when results come from several folders. */
  folderLabel?: string;
}

/**
 * What a score means, per ranking: an agent should not read a BM25 score as a probability. With the
 * query, a hybrid score names the weights that query got (an identifier's differ from a sentence's).
 */
export function scoreMeaning(mode: SearchMode | 'similar', query?: string): string {
  switch (mode) {
    case 'vector':
    case 'similar':
      return 'cosine similarity of the embeddings (-1 to 1, higher is closer)';
    case 'lexical':
      return 'BM25 keyword score (unbounded; compare within one answer only)';
    case 'hybrid':
      return hybridScoreMeaning(query);
  }
}

/**
 * A snippet as numbered lines (`firstLine` is the file line of its first line): at most `maxLines`
 * lines of at most 160 characters, blank lines at either end dropped, "…" when more followed.
 */
export function trimSnippet(snippet: string, firstLine: number, maxLines: number): string {
  if (maxLines <= 0) return '';
  const lines = snippet.replace(/\n…$/, '').split('\n');
  let first = 0;
  let end = lines.length;
  while (first < end && !lines[first].trim()) first++;
  while (end > first && !lines[end - 1].trim()) end--;
  const kept = lines.slice(first, Math.min(end, first + maxLines));
  const width = String(firstLine + first + kept.length - 1).length;
  const numbered = kept.map((line, i) => `${String(firstLine + first + i).padStart(width)}:${line ? ' ' : ''}${line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) + '…' : line}`);
  if (end - first > maxLines) numbered.push('…');
  return numbered.join('\n');
}

export function locationOf(result: LabeledResult): string {
  const where = `${result.path}:${result.startLine}-${result.endLine}${result.page ? ` (page ${result.page})` : ''}`;
  return result.folderLabel ? `[${result.folderLabel}] ${where}` : where;
}

/** A heading line, then one line per result (location · symbol · score) with its snippet's lines, numbered, indented. */
export function formatResults(heading: string, results: LabeledResult[], maxLines: number): string {
  const out = [heading];
  results.forEach((result, i) => {
    out.push(`${i + 1}. ${locationOf(result)}${result.symbol ? ` · ${result.symbol}` : ''} · ${result.score.toFixed(3)}`);
    const snippet = trimSnippet(result.snippet, result.snippetStartLine, maxLines);
    if (snippet) out.push(...snippet.split('\n').map((line) => `    ${line}`));
  });
  return out.join('\n');
}
