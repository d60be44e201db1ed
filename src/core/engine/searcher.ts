/**
 * The one search every front end calls (the CLI, `quipu mcp`, the extension's panel, quick pick,
 * language-model tools and API): it resolves what a scope searches, a team index (its base without
 * the paths the overlay replaces, plus the overlay: `TeamSession`) or the folders' own indexes
 * (`QuipuEngine.searchFolders`), and both end in the same ranking (search/search.ts, `searchStores`)
 * with the query embedded once (`QuipuEngine.queryOf`). A front end says what it serves, never which
 * path to take.
 */
import type { IndexNotReadyError, QuipuEngine } from './engine';
import type { SearchOptions, SourcedResult } from '../search/search';

export interface SearchScope {
  /** The folders searched, in the order results name them (`folderIndex`). */
  folders: readonly { folder: string; indexDir?: string }[];
  /**
   * The team index searches use, when one is set (a `TeamSession`, or a `TeamIndex` for one search):
   * its base plus the overlay of `folders[0]` are searched instead of the folders' own indexes.
   * Undefined (or resolving to undefined): none.
   */
  team?: () => Promise<TeamSearch | undefined>;
}

/** What a team index offers search: base and overlay as one ranking (`TeamIndex`, `TeamSession`). */
export interface TeamSearch {
  search(query: string, options: SearchOptions & { signal?: AbortSignal }): Promise<TeamAnswer>;
}

/** A team index's answer: its base and overlay ranked as one. */
export interface TeamAnswer {
  /** All of `folderIndex` 0: the one folder a team index serves. */
  results: SourcedResult[];
  /** Set when the team index did not answer and the overlay alone was searched. */
  notice?: string;
}

export interface SearchAnswer {
  results: SourcedResult[];
  /** Folders left out because their index is not ready (never indexed, to be rebuilt). */
  unavailable: { folderIndex: number; error: IndexNotReadyError }[];
  /** Set when the team index did not answer and the overlay alone was searched. */
  notice?: string;
}

export async function searchScope(engine: QuipuEngine, scope: SearchScope, query: string, options: SearchOptions & { signal?: AbortSignal; onDamage?: (message: string) => void } = {}): Promise<SearchAnswer> {
  const team = await scope.team?.();
  if (!team) return engine.searchFolders([...scope.folders], query, options);
  const { results, notice } = await team.search(query, options);
  return { results, unavailable: [], ...(notice ? { notice } : {}) };
}
