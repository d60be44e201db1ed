/**
 * The extension's context object: puts together the engine host (engine-host.ts), the workspace's
 * folders and their indexes (folders.ts), indexing over core's folder keeper (indexing.ts), workspace
 * search (workspace-search.ts) and the state the status bar and the panel show (state.ts), and is
 * what commands, the panel and the API call. Everything CPU-heavy happens in the engine's worker
 * threads; this folder only moves events and results around.
 */
import * as vscode from 'vscode';
import type { PipelineSettings } from '../core/config/config';
import type { RuntimeInfo } from '../core/embed/runtime';
import type { QuipuEngine } from '../core/engine/engine';
import type { FolderKeeper } from '../core/keeper/folder-keeper';
import type { IndexSummary, SkippedFile } from '../core/pipeline/events';
import type { SearchMode } from '../core/search/search';
import type { TeamStatus } from '../core/team/team';
import type { QuipuApi, WorkspaceSearchOptions, WorkspaceSearchResult } from './api';
import { ExtractedTextProvider, openLocation } from './documents';
import { EngineHost } from './engine-host';
import { WorkspaceFolders, type WorkspaceFolderIndex } from './folders';
import { WorkspaceIndexing } from './indexing';
import type { OpenRequest, PanelHost } from './panel/host';
import type { IndexState, PanelCommand, PanelFileGroup } from '../shared/panel-protocol';
import type { SearchIntent } from '../shared/search-intent';
import { pipelineSettingsOf, readSettings, tierPlanOf, type QuipuSettings } from './settings';
import { indexStateOf } from './state';
import { WorkspaceSearch } from './workspace-search';

/** A workspace folder's index as the status report and the commands see it. */
export interface FolderIndex extends WorkspaceFolderIndex {
  lastSummary?: IndexSummary;
  /** Files the last full run skipped, with reasons (shown by "Show Index Status"). */
  skipped: SkippedFile[];
  /** Why the last run did not complete, in words for the user. */
  problem?: string;
  /** The deep tier is computed now in the background, or waits its turn. */
  deepRunning: boolean;
  deepPending: boolean;
}

export class QuipuController implements PanelHost, vscode.Disposable {
  private readonly stateChanged = new vscode.EventEmitter<IndexState>();
  readonly onDidChangeState = this.stateChanged.event;
  readonly documents: ExtractedTextProvider;
  private settings: QuipuSettings = readSettings();
  private readonly folders: WorkspaceFolders;
  private readonly host: EngineHost;
  private readonly indexing: WorkspaceIndexing;
  private readonly searcher: WorkspaceSearch;
  private currentState: IndexState = { phase: 'not-indexed', files: 0, chunks: 0 };

  constructor(
    context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    const settings = () => this.settings;
    const changed = () => this.updateState();
    this.folders = new WorkspaceFolders(context, settings, log);
    this.host = new EngineHost(context, log, settings, () => this.folders.teamFolder(), changed);
    this.documents = new ExtractedTextProvider(async (uri, bytes) => (await (await this.host.getEngine()).extractDocument(uri.fsPath, bytes)).text);
    this.indexing = new WorkspaceIndexing({ host: this.host, folders: this.folders, documents: this.documents, log, settings, changed, onDidChangeState: this.onDidChangeState });
    this.searcher = new WorkspaceSearch(this.host, this.folders, this.indexing.keeper, settings);
    this.syncFolders();
  }

  get state(): IndexState {
    return this.currentState;
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Runs, the queue, pause and resume (core/keeper/folder-keeper.ts). */
  get keeper(): FolderKeeper {
    return this.indexing.keeper;
  }

  /** The settings as last read (for commands that build a folder's engine config). */
  get settingsSnapshot(): QuipuSettings {
    return this.settings;
  }

  /** The pipeline settings indexing runs with: the user's, or the measured defaults for this machine. */
  get pipelineSettings(): PipelineSettings {
    return pipelineSettingsOf(this.settings);
  }

  get settingsUseRemoteEmbedder(): boolean {
    return this.settings.embedder !== undefined;
  }

  get searchMode(): SearchMode {
    return this.settings.searchMode;
  }

  folderOf(uri: vscode.Uri): FolderIndex | undefined {
    const entry = this.folders.of(uri);
    return entry && this.withRuns(entry);
  }

  allFolders(): FolderIndex[] {
    return this.folders.all().map((entry) => this.withRuns(entry));
  }

  // ---- indexing ------------------------------------------------------------------------------

  /** Start-up: read what is indexed, then bring it up to date if auto-index is on. */
  start(): Promise<void> {
    return this.indexing.start();
  }

  /** "Quipu: Index Workspace": every folder, with a progress notification. */
  indexAll(rebuild = false): void {
    this.indexing.indexAll(rebuild);
  }

  /** Every folder brought up to date in the background (no notification): a settings change that needs a pass. */
  updateAll(): void {
    this.indexing.updateAll();
  }

  /** File events from the watcher. */
  filesChanged(uris: readonly vscode.Uri[]): void {
    this.indexing.filesChanged(uris);
  }

  clearAll(): Promise<void> {
    return this.indexing.clearAll();
  }

  syncFolders(): void {
    this.folders.sync();
    this.indexing.followFolders();
    this.updateState();
  }

  /** `diskUsage` walks each index folder: only the status report needs it. */
  async refreshStatuses(diskUsage = false): Promise<void> {
    await this.folders.refreshStatuses(() => this.host.getEngine(), diskUsage);
    this.updateState();
  }

  // ---- engine and settings -------------------------------------------------------------------

  getEngine(): Promise<QuipuEngine> {
    return this.host.getEngine();
  }

  /** Which ONNX Runtime embeds (native, or WebAssembly and why); undefined when no engine starts. */
  embeddingRuntime(): Promise<RuntimeInfo | undefined> {
    return this.host.embeddingRuntime();
  }

  /** The team index's status now (the report); undefined when none is set. */
  teamStatus(): Promise<TeamStatus | undefined> {
    return this.host.teamStatus();
  }

  /** Settings changed in a way that needs new worker pools or a new model: drop the engine. */
  async resetEngine(): Promise<void> {
    this.settings = readSettings();
    await this.host.restartEngine(() => this.keeper.cancelRunning());
    this.syncFolders();
  }

  /** The team index settings or its token changed: a new session at the next use (the engine stays). */
  async resetTeam(): Promise<void> {
    this.settings = readSettings();
    await this.host.restartTeam(() => this.keeper.cancelRunning());
    this.syncFolders();
  }

  reloadSettings(): void {
    this.settings = readSettings();
  }

  // ---- searching and the panel ---------------------------------------------------------------

  /** Every folder's index as one ranking, or the team index when one is set (workspace-search.ts). */
  searchWorkspace(query: string, options: WorkspaceSearchOptions, token?: vscode.CancellationToken): Promise<WorkspaceSearchResult[]> {
    return this.searcher.search(query, options, token);
  }

  search(intent: SearchIntent, token: vscode.CancellationToken): Promise<PanelFileGroup[]> {
    return this.searcher.panelSearch(intent, token);
  }

  async open(request: OpenRequest): Promise<void> {
    await openLocation(
      { uri: vscode.Uri.parse(request.uri), startLine: request.startLine, endLine: request.endLine, page: request.page },
      { preview: request.preview, preserveFocus: request.preview },
    );
  }

  async runCommand(command: PanelCommand): Promise<void> {
    await vscode.commands.executeCommand(command);
  }

  api(): QuipuApi {
    return {
      indexWorkspace: async () => {
        this.indexAll();
        await this.keeper.whenIdle();
        return this.allFolders()
          .map((f) => f.lastSummary)
          .filter((s): s is IndexSummary => s !== undefined);
      },
      search: (query, options = {}) => this.searchWorkspace(query, options),
      whenIdle: () => this.keeper.whenIdle(),
      whenQuiet: () => this.keeper.whenQuiet(),
      state: () => this.state,
    };
  }

  async dispose(): Promise<void> {
    await this.indexing.close();
    this.stateChanged.dispose();
    this.documents.dispose();
    await this.host.dispose();
  }

  private withRuns(entry: WorkspaceFolderIndex): FolderIndex {
    const kept = this.keeper.folder(entry.key) ? this.keeper.stateOf(entry.key) : undefined;
    return {
      ...entry,
      lastSummary: kept?.lastSummary,
      skipped: kept?.skipped ?? [],
      problem: this.indexing.problemOf(entry.key),
      deepRunning: kept?.deepRunning ?? false,
      deepPending: kept?.deepPending ?? false,
    };
  }

  private updateState(): void {
    const teamFolder = this.folders.teamFolder();
    const kept = this.folders.all().flatMap((entry) => (this.keeper.folder(entry.key) ? [this.keeper.stateOf(entry.key)] : []));
    const tierNote = tierPlanOf(this.settings).note;
    const state = indexStateOf({
      settings: this.settings,
      trusted: this.trusted,
      folders: this.folders.all().map((entry) => ({ status: entry.status, problem: this.indexing.problemOf(entry.key) })),
      ...(teamFolder ? { teamFolder: { name: teamFolder.folder.name, status: teamFolder.status } } : {}),
      paused: this.keeper.paused,
      busy: this.keeper.busy,
      progress: this.keeper.progress,
      engineProblem: this.host.engineProblem,
      teamProblem: this.host.teamProblem,
      teamState: this.host.teamState,
      // The deep tier runs in the background: not `busy`, so no spinner; its progress goes to the tier state.
      deep: { running: kept.some((k) => k.deepRunning), pending: kept.some((k) => k.deepPending), progress: this.keeper.progress },
      ...(tierNote ? { tierNote } : {}),
    });
    this.currentState = state;
    this.stateChanged.fire(state);
  }
}
