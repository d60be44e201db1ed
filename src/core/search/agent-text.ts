/**
 * Search results as text for a language model to read: compact (ten results in about 1,500 tokens
 * by default) and saying what the score means. Shared by `quipu mcp` and the VS Code language-model
 * tools, so an agent reads the same form from either.
 */
import type { SearchMode, SearchResult } from './search';

/** Lines of snippet per result by default: ten results then fit in about 1,500 tokens. */
export const DEFAULT_SNIPPET_LINES = 5;
const MAX_LINE_CHARS = 160;

export interface LabeledResult extends SearchResult {
  /** Shown before the path (`[folder] path`) when results come from several folders. */
  folderLabel?: string;
}

/** What a score means, per ranking: an agent should not read a BM25 score as a probability. */
export function scoreMeaning(mode: SearchMode | 'similar'): string {
  switch (mode) {
    case 'vector':
    case 'similar':
      return 'cosine similarity of the embeddings (-1 to 1, higher is closer)';
    case 'lexical':
      return 'BM25 keyword score (unbounded; compare within one answer only)';
    case 'hybrid':
      return "fused 0-1 score (0.65 scaled cosine + 0.35 scaled BM25 over this search's candidates; compare within one answer only)";
  }
}

/** A snippet cut to `maxLines` lines of at most 160 characters, blank lines at either end dropped. */
export function trimSnippet(snippet: string, maxLines: number): string {
  if (maxLines <= 0) return '';
  const lines = snippet.replace(/\n…$/, '').split('\n');
  while (lines.length > 0 && !lines[0].trim()) lines.shift();
  while (lines.length > 0 && !lines[lines.length - 1].trim()) lines.pop();
  const kept = lines.slice(0, maxLines).map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) + '…' : line));
  if (lines.length > maxLines) kept.push('…');
  return kept.join('\n');
}

export function locationOf(result: LabeledResult): string {
  const where = `${result.path}:${result.startLine}-${result.endLine}${result.page ? ` (page ${result.page})` : ''}`;
  return result.folderLabel ? `[${result.folderLabel}] ${where}` : where;
}

/** A heading line, then one line per result (location · symbol · score) with its snippet indented. */
export function formatResults(heading: string, results: LabeledResult[], maxLines: number): string {
  const out = [heading];
  results.forEach((result, i) => {
    out.push(`${i + 1}. ${locationOf(result)}${result.symbol ? ` · ${result.symbol}` : ''} · ${result.score.toFixed(3)}`);
    const snippet = trimSnippet(result.snippet, maxLines);
    if (snippet) out.push(...snippet.split('\n').map((line) => `    ${line}`));
  });
  return out.join('\n');
}
