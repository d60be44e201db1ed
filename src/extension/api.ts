/**
 * What `activate` returns: the extension's API for other extensions and for the integration tests
 * (`vscode.extensions.getExtension('quipu.quipu')!.exports`).
 */
import type { IndexSummary } from '../core/pipeline/events';
import type { SearchMode, SearchResult } from '../core/search/search';
import type { IndexState } from '../shared/panel-protocol';

export interface WorkspaceSearchResult extends SearchResult {
  /** The file's URI, as a string. */
  uri: string;
  /** Name of the workspace folder the file belongs to. */
  folderName: string;
}

export interface WorkspaceSearchOptions {
  topK?: number;
  include?: string[];
  exclude?: string[];
  types?: string[];
  groupByFile?: boolean;
  /** Ranking (default: the `quipu.searchMode` setting). */
  mode?: SearchMode;
}

export interface QuipuApi {
  /** Indexes or updates every workspace folder, as "Quipu: Index Workspace" does; resolves when done. */
  indexWorkspace(): Promise<IndexSummary[]>;
  /** Searches every indexed workspace folder; results best first. */
  search(query: string, options?: WorkspaceSearchOptions): Promise<WorkspaceSearchResult[]>;
  /** Resolves once no indexing runs or waits (file events included); the deep tier may still run behind. */
  whenIdle(): Promise<void>;
  /** Resolves once the deep tier is done too (every chunk has the transformer's vectors, with `quipu.tiers` fast-deep). */
  whenQuiet(): Promise<void>;
  /** The state the status bar and the panel show. */
  state(): IndexState;
}
