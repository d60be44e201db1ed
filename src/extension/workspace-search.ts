/**
 * Searching the workspace: every folder's index as one ranking (core/searcher.ts: candidates of all
 * folders fused once, so scores compare across folders), or the team index when one is set. Serves
 * the panel, "Quipu: Search", the language-model tools and the API.
 */
import * as vscode from 'vscode';
import { IndexNotReadyError } from '../core/engine/engine';
import type { FolderKeeper } from '../core/keeper/folder-keeper';
import { searchScope } from '../core/engine/searcher';
import { IndexCorruptError } from '../core/store/types';
// The panel's own filter parsing (brace-aware globs, "ts md .PDF" types), so both sides agree.
import { parseGlobs, parseTypes, type SearchIntent } from '../shared/search-intent';
import type { WorkspaceSearchOptions, WorkspaceSearchResult } from './api';
import type { EngineHost } from './engine-host';
import type { WorkspaceFolders } from './folders';
import type { PanelFileGroup } from '../shared/panel-protocol';
import type { QuipuSettings } from './settings';

export class WorkspaceSearch {
  constructor(
    private readonly host: EngineHost,
    private readonly folders: WorkspaceFolders,
    private readonly keeper: FolderKeeper,
    private readonly settings: () => QuipuSettings,
  ) {}

  /** A folder never indexed is left out, unless all are. */
  async search(query: string, options: WorkspaceSearchOptions, token?: vscode.CancellationToken): Promise<WorkspaceSearchResult[]> {
    if (!query.trim()) return [];
    if (this.folders.size === 0) throw new Error('Open a folder to search it with Quipu.');
    const settings = this.settings();
    const topK = options.topK ?? settings.maxResults;
    const engine = await this.host.getEngine();
    if (token?.isCancellationRequested) return [];
    // In workspace order: a team index serves the first folder (SearchScope.team).
    const entries = this.folders.inWorkspaceOrder();
    try {
      const { results } = await searchScope(
        engine,
        { folders: entries.map((entry) => ({ folder: entry.folder.uri.fsPath, indexDir: entry.indexDir })), team: () => this.host.getTeam() },
        query,
        { ...options, mode: options.mode ?? settings.searchMode, topK },
      );
      return results.map(({ folderIndex, ...result }) => {
        const entry = entries[folderIndex];
        return { ...result, uri: vscode.Uri.joinPath(entry.folder.uri, result.path).toString(), folderName: entry.folder.name };
      });
    } catch (error) {
      if (error instanceof IndexCorruptError) {
        // The engine left a repair note: the next update repairs what is damaged (verify --repair).
        if (vscode.workspace.isTrusted) for (const entry of entries) this.keeper.requestFull(entry.key);
        throw new Error(`Part of the index is damaged (${error.message.replace(/: run `quipu verify.*$/, '')}). Quipu is repairing it; search again in a moment.`);
      }
      if (!(error instanceof IndexNotReadyError)) throw error;
      const indexing = this.keeper.busy || this.keeper.hasPending;
      throw new Error(indexing ? 'The index is being built; results appear as soon as the first files are in.' : 'Nothing is indexed yet: run "Quipu: Index Workspace".');
    }
  }

  /** The panel's search: results grouped per file, best file first. */
  async panelSearch(intent: SearchIntent, token: vscode.CancellationToken): Promise<PanelFileGroup[]> {
    const settings = this.settings();
    const results = await this.search(
      intent.query,
      {
        include: parseGlobs(intent.include),
        exclude: parseGlobs(intent.exclude),
        types: parseTypes(intent.types),
        mode: intent.mode || settings.searchMode,
        topK: settings.maxResults,
      },
      token,
    );
    const groups = new Map<string, PanelFileGroup>();
    for (const result of results) {
      let group = groups.get(result.uri);
      if (!group) {
        const kind = result.language === 'pdf' ? 'pdf' : result.language === 'docx' ? 'docx' : 'text';
        group = { folderName: result.folderName, uri: result.uri, path: result.path, kind, results: [] };
        groups.set(result.uri, group);
      }
      group.results.push({ startLine: result.startLine, endLine: result.endLine, page: result.page, score: result.score, snippet: result.snippet, snippetStartLine: result.snippetStartLine, symbol: result.symbol });
    }
    return [...groups.values()];
  }
}
