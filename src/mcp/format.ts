/**
 * The text form of `quipu mcp`'s answers: compact, for a language model to read (ten results in
 * about 1,500 tokens by default), beside the structured form the output schemas describe.
 */
import type { SearchMode, SearchResult } from '../core/search/search';
import type { FolderFreshness } from './freshness';
import type { ServedFolder } from './folders';

/** Lines of snippet per result by default: ten results then fit in about 1,500 tokens. */
export const DEFAULT_SNIPPET_LINES = 5;
const MAX_LINE_CHARS = 160;

export interface FolderResult extends SearchResult {
  folder: ServedFolder;
}

/** What a score means, per ranking: the agent should not read a BM25 score as a probability. */
export function scoreMeaning(mode: SearchMode | 'similar'): string {
  switch (mode) {
    case 'vector':
    case 'similar':
      return 'cosine similarity of the embeddings (-1 to 1, higher is closer)';
    case 'lexical':
      return 'BM25 keyword score (unbounded; compare within one answer only)';
    case 'hybrid':
      return 'fused 0-1 score (0.65 scaled cosine + 0.35 scaled BM25 over this search\'s candidates; compare within one answer only)';
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

export function location(result: SearchResult, folder: ServedFolder, manyFolders: boolean): string {
  const where = `${result.path}:${result.startLine}-${result.endLine}${result.page ? ` (page ${result.page})` : ''}`;
  return manyFolders ? `[${folder.name}] ${where}` : where;
}

export function formatResults(heading: string, results: FolderResult[], maxLines: number, manyFolders: boolean): string {
  const out = [heading];
  results.forEach((result, i) => {
    out.push(`${i + 1}. ${location(result, result.folder, manyFolders)}${result.symbol ? ` · ${result.symbol}` : ''} · ${result.score.toFixed(3)}`);
    const snippet = trimSnippet(result.snippet, maxLines);
    if (snippet) out.push(...snippet.split('\n').map((line) => `    ${line}`));
  });
  return out.join('\n');
}

/** One line on how fresh a folder's index is, or nothing to say when it is up to date. */
export function freshnessNote(folder: ServedFolder, state: FolderFreshness): string | undefined {
  if (state.lockedBy) return `${folder.name}: another Quipu process is writing this index; these results are what it has committed so far.`;
  if (state.fullPass && state.progress) {
    const p = state.progress;
    return `${folder.name}: an update is running (${p.filesIndexed} of ${p.filesToIndex} changed files done, ${p.filesSeen} seen${p.discoveryDone ? '' : ' so far'}); results may miss recent changes.`;
  }
  if (state.fullPass) return `${folder.name}: a full update is waiting to run; results may miss recent changes.`;
  if (state.pendingFiles > 0) return `${folder.name}: ${state.pendingFiles} changed file(s) not indexed yet (updating in the background); results may not reflect them.`;
  return undefined;
}
