/**
 * The extension's context object: owns the engine (created on first use), one index per workspace
 * folder in the extension's workspace storage, the scheduler that runs indexing, and the state the
 * status bar and the panel show. Everything CPU-heavy happens in the engine's worker threads; this
 * file only moves events and results around.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { ConfigError, type PipelineSettings } from '../core/config/config';
import { ModelNotFoundError } from '../core/embed/model';
import { describeRuntime, type RuntimeInfo } from '../core/embed/runtime';
import { IndexNotReadyError, QuipuEngine, type IndexStatus } from '../core/engine/engine';
import { IndexCorruptError } from '../core/store/store';
import { FolderPaths, nodeFileHost } from '../core/files/host';
import type { IndexEvent, IndexProgress, IndexSummary, SkippedFile } from '../core/pipeline/events';
import type { SearchMode } from '../core/search/search';
import { IndexLockedError } from '../core/store/lock';
// The panel's own filter parsing (brace-aware globs, "ts md .PDF" types), so both sides agree.
import type { QuipuApi, WorkspaceSearchOptions, WorkspaceSearchResult } from './api';
import { ExtractedTextProvider, openLocation } from './documents';
import type { OpenRequest, PanelHost } from './panel/host';
import type { IndexState, PanelCommand, PanelFileGroup } from '../shared/panel-protocol';
import { parseGlobs, parseTypes, type SearchIntent } from '../shared/search-intent';
import { IndexScheduler, type RunRequest } from './scheduler';
import { engineConfig, pipelineSettingsOf, readSettings, type QuipuSettings } from './settings';
import type { RemoteEmbedderSettings } from '../core/config/embedder-settings';
import { TeamIndex, type TeamStatus } from '../core/team/team';
import { searchScope } from '../core/engine/searcher';
import { TeamSession, type TeamSessionState } from '../core/team/team-session';

/** The secret-storage key of the remote embedder's API key (command "Quipu: Set Embedding API Key"). */
export const EMBEDDER_API_KEY_SECRET = 'quipu.embedder.apiKey';
const CONFIRMED_ENDPOINTS_KEY = 'quipu.embedder.confirmedEndpoints';
/** The secret-storage key of the team index's token (command "Quipu: Set Team Index Token"). */
export const TEAM_TOKEN_SECRET = 'quipu.teamIndex.token';
const CONFIRMED_TEAM_KEY = 'quipu.teamIndex.confirmedServers';

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  indexDir: string;
  status?: IndexStatus;
  lastSummary?: IndexSummary;
  /** Files the last full run skipped, with reasons (shown by "Show Index Status"). */
  skipped: SkippedFile[];
  /** Why the last run did not complete, in words for the user. */
  problem?: string;
}

/** Retry after another window held the index lock. */
const LOCK_RETRY_MS = 30_000;
const EVENT_DEBOUNCE_MS = 750;
/** After file events, a stat walk of the folder at most this often finds what the watcher missed (scheduler.ts). */
const RECONCILE_MS = 2 * 60_000;

export class QuipuController implements PanelHost, vscode.Disposable {
  private readonly folders = new Map<string, FolderIndex>();
  private readonly stateChanged = new vscode.EventEmitter<IndexState>();
  readonly onDidChangeState = this.stateChanged.event;
  readonly scheduler: IndexScheduler;
  readonly documents: ExtractedTextProvider;
  private settings: QuipuSettings = readSettings();
  /** The pipeline settings indexing runs with: the user's, or the measured defaults for this machine. */
  get pipelineSettings(): PipelineSettings {
    return pipelineSettingsOf(this.settings);
  }
  private engine: Promise<QuipuEngine> | undefined;
  /** The team index session (settings `quipu.teamIndex.*`), made with the engine on first use. */
  private team: Promise<TeamSession> | undefined;
  private teamState: TeamSessionState | undefined;
  /** Why the team index cannot be used at all (not allowed, refused), until the settings change. */
  private teamProblem: string | undefined;
  private runtimeLogged = false;
  private progress: IndexProgress | undefined;
  private engineProblem: string | undefined;
  /** Full runs the user asked for show a notification; background updates only the status bar. */
  private readonly loudRuns = new Set<string>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private currentState: IndexState = { phase: 'not-indexed', files: 0, chunks: 0 };

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.scheduler = new IndexScheduler({
      debounceMs: EVENT_DEBOUNCE_MS,
      reconcileMs: RECONCILE_MS,
      run: (request) => this.run(request),
      onError: (key, error) => this.reportRunError(key, error),
      onChange: () => this.updateState(),
    });
    this.documents = new ExtractedTextProvider(async (uri, bytes) => (await (await this.getEngine()).extractDocument(uri.fsPath, bytes)).text);
    this.syncFolders();
  }

  get state(): IndexState {
    return this.currentState;
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  folderOf(uri: vscode.Uri): FolderIndex | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.folders.get(folder.uri.toString()) : undefined;
  }

  /** The settings as last read (for commands that build a folder's engine config). */
  get settingsSnapshot(): QuipuSettings {
    return this.settings;
  }

  allFolders(): FolderIndex[] {
    return [...this.folders.values()];
  }

  /** Start-up: read what is indexed, then bring it up to date if auto-index is on. */
  async start(): Promise<void> {
    await this.refreshStatuses();
    if (this.settings.autoIndex && this.trusted) {
      for (const key of this.folders.keys()) this.scheduler.requestFull(key);
    }
  }

  /** "Quipu: Index Workspace": every folder, with a progress notification. */
  indexAll(rebuild = false): void {
    if (!this.ensureTrusted()) return;
    for (const key of this.folders.keys()) {
      this.loudRuns.add(key);
      this.scheduler.requestFull(key, rebuild);
    }
    if (this.scheduler.paused) {
      void vscode.window.showInformationMessage('Quipu indexing is paused.', 'Resume').then((choice) => {
        if (choice) this.scheduler.resume();
      });
    }
  }

  /** File events from the watcher. */
  filesChanged(uris: readonly vscode.Uri[]): void {
    if (!this.trusted) return;
    const byFolder = new Map<string, string[]>();
    for (const uri of uris) {
      const entry = this.folderOf(uri);
      if (!entry) continue;
      // Folder-relative with forward slashes, by the file host's one conversion (Windows paths too).
      const relative = FolderPaths.of(entry.folder.uri.fsPath, nodeFileHost).rel(uri.fsPath);
      if (relative === undefined || relative === '') continue;
      const name = relative.slice(relative.lastIndexOf('/') + 1);
      const key = entry.folder.uri.toString();
      // A changed ignore file changes what belongs in the index: look at everything again.
      if (name === '.gitignore' || name === '.quipuignore') this.scheduler.requestFull(key);
      else byFolder.set(key, [...(byFolder.get(key) ?? []), relative]);
      if (/\.(pdf|docx)$/i.test(name)) this.documents.refresh(uri);
    }
    for (const [key, paths] of byFolder) this.scheduler.requestPaths(key, paths);
  }

  async clearAll(): Promise<void> {
    await this.scheduler.cancelRunning();
    const engine = await this.getEngine();
    for (const [key, entry] of this.folders) {
      this.scheduler.forget(key);
      await engine.clearIndex(entry.indexDir);
      entry.lastSummary = undefined;
      entry.skipped = [];
      entry.problem = undefined;
    }
    await this.refreshStatuses();
  }

  /** Settings changed in a way that needs new worker pools or a new model: drop the engine. */
  async resetEngine(): Promise<void> {
    this.settings = readSettings();
    const old = this.engine;
    const oldTeam = this.team;
    this.engine = undefined;
    this.team = undefined;
    this.teamState = undefined;
    this.teamProblem = undefined;
    this.engineProblem = undefined;
    await this.scheduler.cancelRunning();
    if (oldTeam) await oldTeam.then((team) => team.close()).catch(() => undefined);
    if (old) await old.then((engine) => engine.close()).catch(() => undefined);
    this.syncFolders();
  }

  /** The team index settings or its token changed: a new session at the next use (the engine stays). */
  async resetTeam(): Promise<void> {
    this.settings = readSettings();
    const old = this.team;
    this.team = undefined;
    this.teamState = undefined;
    this.teamProblem = undefined;
    await this.scheduler.cancelRunning();
    if (old) await old.then((team) => team.close()).catch(() => undefined);
    this.syncFolders();
  }

  reloadSettings(): void {
    this.settings = readSettings();
  }

  get settingsUseRemoteEmbedder(): boolean {
    return this.settings.embedder !== undefined;
  }

  get searchMode(): SearchMode {
    return this.settings.searchMode;
  }

  syncFolders(): void {
    const current = new Set<string>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const key = folder.uri.toString();
      current.add(key);
      const entry = this.folders.get(key);
      if (!entry) this.folders.set(key, { folder, indexDir: this.indexDirOf(folder), skipped: [] });
      // The team folder's own index is its overlay: switching the team index on or off changes it.
      else entry.indexDir = this.indexDirOf(folder);
    }
    for (const key of [...this.folders.keys()]) {
      if (!current.has(key)) {
        this.folders.delete(key);
        this.scheduler.forget(key);
      }
    }
    this.updateState();
  }

  /** Which ONNX Runtime embeds (native, or WebAssembly and why); undefined when no engine starts. */
  async embeddingRuntime(): Promise<RuntimeInfo | undefined> {
    try {
      return await (await this.getEngine()).runtime();
    } catch (error) {
      this.log.warn(`Could not tell which ONNX Runtime embeds: ${(error as Error).message}`);
      return undefined;
    }
  }

  async getEngine(): Promise<QuipuEngine> {
    this.engine ??= this.remoteSettings()
      .then((embedder) => QuipuEngine.create({ ...engineConfig(this.settings), embedder }, {
        modelCacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'models').fsPath,
      }))
      .catch((error: unknown) => {
      this.engine = undefined;
      this.engineProblem = (error as Error).message;
      this.updateState();
      throw error;
    });
    const engine = await this.engine;
    if (!this.runtimeLogged) {
      this.runtimeLogged = true;
      void this.embeddingRuntime().then((info) => {
        if (info) this.log[info.backend === 'native' ? 'info' : 'warn'](`Embedding with the ${describeRuntime(info)}.`);
      });
    }
    if (this.engineProblem) {
      this.engineProblem = undefined;
      this.updateState();
    }
    return engine;
  }

  /**
   * The remote endpoint from the user's settings, with the API key from secret storage when no
   * environment variable is named; asked once per endpoint before any code is sent to it.
   */
  private async remoteSettings(): Promise<RemoteEmbedderSettings | undefined> {
    const remote = this.settings.embedder;
    if (!remote) return undefined;
    const confirmed = this.context.globalState.get<string[]>(CONFIRMED_ENDPOINTS_KEY, []);
    const endpoint = `${remote.provider} ${remote.url}`;
    if (!confirmed.includes(endpoint)) {
      const choice = await vscode.window.showWarningMessage(
        `Quipu will send the text of your workspace's files to ${remote.url} (model ${remote.model || 'unnamed'}) to compute embeddings. Allow this endpoint?`,
        { modal: true },
        'Allow',
      );
      if (choice !== 'Allow') throw new Error(`Embedding at ${remote.url} was not allowed. Clear "quipu.embedder.url" to embed on this machine.`);
      await this.context.globalState.update(CONFIRMED_ENDPOINTS_KEY, [...confirmed, endpoint]);
    }
    if (remote.apiKeyEnv) return remote;
    const apiKey = await this.context.secrets.get(EMBEDDER_API_KEY_SECRET);
    return apiKey ? { ...remote, apiKey } : remote;
  }

  /** The workspace folder the team index serves: the first one (a team index is one repository). */
  private teamEntry(): FolderIndex | undefined {
    if (!this.settings.teamIndex) return undefined;
    const first = vscode.workspace.workspaceFolders?.[0];
    return first ? this.folders.get(first.uri.toString()) : undefined;
  }

  /** Set when searches use a team index: the session, asked about once per server and collection. */
  async getTeam(): Promise<TeamSession | undefined> {
    const target = this.settings.teamIndex;
    const entry = this.teamEntry();
    if (!target || !entry) return undefined;
    if (this.teamProblem) throw new Error(this.teamProblem);
    this.team ??= (async () => {
      const confirmed = this.context.globalState.get<string[]>(CONFIRMED_TEAM_KEY, []);
      const server = `${target.url} ${target.collection}`;
      if (!confirmed.includes(server)) {
        const choice = await vscode.window.showWarningMessage(
          `Quipu will search the team index ${target.collection} at ${target.url}: your searches (as embeddings) and the paths of files changed in ${entry.folder.name} are sent to that server. Allow this server?`,
          { modal: true },
          'Allow',
        );
        if (choice !== 'Allow') throw new TeamNotAllowedError(`Searching the team index at ${target.url} was not allowed. Clear "quipu.teamIndex.url" to search this machine's indexes only.`);
        await this.context.globalState.update(CONFIRMED_TEAM_KEY, [...confirmed, server]);
      }
      // Secret storage first, else QUIPU_TEAM_TOKEN (read by the store); never the settings.
      const token = await this.context.secrets.get(TEAM_TOKEN_SECRET);
      const engine = await this.getEngine();
      const team = TeamIndex.for(engine, entry.folder.uri.fsPath, { ...target, ...(token ? { token } : {}) }, { overlayDir: entry.indexDir });
      this.log.info(`Searches use the team index ${target.collection} at ${target.url} (overlay of ${entry.folder.name} in ${entry.indexDir}).`);
      return new TeamSession(team, (state, previous) => this.teamChanged(state, previous));
    })().catch((error: unknown) => {
      this.team = undefined;
      if (error instanceof TeamNotAllowedError) this.teamProblem = error.message;
      this.updateState();
      throw error;
    });
    return this.team;
  }

  /** The team index's status now (the report); undefined when none is set. */
  async teamStatus(): Promise<TeamStatus | undefined> {
    const session = await this.getTeam().catch(() => undefined);
    return session ? session.status().catch(() => undefined) : undefined;
  }

  /** Said once when the server stops answering, once when it is back; the status bar shows it meanwhile. */
  private teamChanged(state: TeamSessionState, previous: TeamSessionState): void {
    this.teamState = state;
    if (state.available === false && previous.available !== false && state.notice) {
      this.log.warn(state.notice);
      void vscode.window.showWarningMessage(`Quipu: ${state.notice}.`);
    } else if (state.available === true && previous.available === false) {
      this.log.info(`${state.description} answers again.`);
      void vscode.window.setStatusBarMessage(`$(check) Quipu: ${state.description} answers again`, 5000);
    }
    if (state.error && state.error !== previous.error) this.log.error(state.error);
    this.updateState();
  }

  // ---- PanelHost ---------------------------------------------------------------------------

  async search(intent: SearchIntent, token: vscode.CancellationToken): Promise<PanelFileGroup[]> {
    const results = await this.searchWorkspace(intent.query, {
      include: parseGlobs(intent.include),
      exclude: parseGlobs(intent.exclude),
      types: parseTypes(intent.types),
      mode: intent.mode || this.settings.searchMode,
      topK: this.settings.maxResults,
    }, token);
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

  async open(request: OpenRequest): Promise<void> {
    await openLocation(
      { uri: vscode.Uri.parse(request.uri), startLine: request.startLine, endLine: request.endLine, page: request.page },
      { preview: request.preview, preserveFocus: request.preview },
    );
  }

  async runCommand(command: PanelCommand): Promise<void> {
    await vscode.commands.executeCommand(command);
  }

  // ---- searching -----------------------------------------------------------------------------

  /**
   * Every folder's index as one ranking (core/engine/searcher.ts: candidates of all folders fused once, so
   * scores compare across folders), or the team index when one is set. A folder never indexed is
   * left out, unless all are.
   */
  async searchWorkspace(query: string, options: WorkspaceSearchOptions, token?: vscode.CancellationToken): Promise<WorkspaceSearchResult[]> {
    if (!query.trim()) return [];
    if (this.folders.size === 0) throw new Error('Open a folder to search it with Quipu.');
    const topK = options.topK ?? this.settings.maxResults;
    const engine = await this.getEngine();
    if (token?.isCancellationRequested) return [];
    // In workspace order: a team index serves the first folder (SearchScope.team).
    const entries = [...this.folders.values()].sort((a, b) => a.folder.index - b.folder.index);
    try {
      const { results } = await searchScope(
        engine,
        { folders: entries.map((entry) => ({ folder: entry.folder.uri.fsPath, indexDir: entry.indexDir })), team: () => this.getTeam() },
        query,
        { ...options, mode: options.mode ?? this.settings.searchMode, topK },
      );
      return results.map(({ folderIndex, ...result }) => {
        const entry = entries[folderIndex];
        return { ...result, uri: vscode.Uri.joinPath(entry.folder.uri, result.path).toString(), folderName: entry.folder.name };
      });
    } catch (error) {
      if (error instanceof IndexCorruptError) {
        // The engine left a repair note: the next update repairs what is damaged (verify --repair).
        if (this.trusted) for (const entry of entries) this.scheduler.requestFull(entry.folder.uri.toString());
        throw new Error(`Part of the index is damaged (${error.message.replace(/: run `quipu verify.*$/, '')}). Quipu is repairing it; search again in a moment.`);
      }
      if (!(error instanceof IndexNotReadyError)) throw error;
      const indexing = this.scheduler.busy || this.scheduler.hasPending;
      throw new Error(indexing ? 'The index is being built; results appear as soon as the first files are in.' : 'Nothing is indexed yet: run "Quipu: Index Workspace".');
    }
  }

  // ---- API -----------------------------------------------------------------------------------

  api(): QuipuApi {
    return {
      indexWorkspace: async () => {
        this.indexAll();
        await this.scheduler.whenIdle();
        return this.allFolders()
          .map((f) => f.lastSummary)
          .filter((s): s is IndexSummary => s !== undefined);
      },
      search: (query, options = {}) => this.searchWorkspace(query, options),
      whenIdle: () => this.scheduler.whenIdle(),
      state: () => this.state,
    };
  }

  // ---- running -------------------------------------------------------------------------------

  private async run(request: RunRequest): Promise<void> {
    const entry = this.folders.get(request.folderKey);
    if (!entry) return;
    const engine = await this.getEngine();
    const loud = this.loudRuns.delete(request.folderKey) || (request.work.kind === 'full' && !entry.status?.files);
    const options = {
      indexDir: entry.indexDir,
      signal: request.signal,
      files: engineConfig(this.settings, entry.folder).files,
      rebuild: request.work.kind === 'full' && request.work.rebuild,
      paths: request.work.kind === 'paths' ? [...request.work.paths] : undefined,
      onEvent: (event: IndexEvent) => {
        if (event.type === 'progress') {
          this.progress = event.progress;
          this.updateState();
        } else if (event.type === 'start' && event.rebuildReason) {
          this.log.info(`${entry.folder.name}: rebuilding the index because ${event.rebuildReason}.`);
        } else if (event.type === 'skip') {
          this.log.debug(`${entry.folder.name}: skipped ${event.file.path}: ${event.file.reason}`);
        }
      },
    };
    const team = entry === this.teamEntry() ? await this.getTeam() : undefined;
    const label = team ? 'the overlay of the team index' : request.work.kind === 'full' ? 'full pass' : `${request.work.paths.size} changed path(s)`;
    this.log.info(`${entry.folder.name}: indexing (${label})…`);
    this.progress = undefined;
    // With a team index, only the files whose content the base lacks are indexed here (the overlay).
    const index = (signal: AbortSignal) => (team ? team.sync({ signal, onEvent: options.onEvent }) : engine.index(entry.folder.uri.fsPath, { ...options, signal }));
    try {
      const summary = loud ? await this.withNotification(entry, request.signal, index) : await index(request.signal);
      if (!summary) {
        this.log.warn(`${entry.folder.name}: ${this.teamState?.notice ?? 'the team index does not answer'}; the overlay is updated when it does.`);
        return;
      }
      entry.problem = undefined;
      entry.lastSummary = summary;
      if (request.work.kind === 'full') entry.skipped = summary.skipped;
      this.log.info(
        `${entry.folder.name}: ${summary.cancelled ? 'stopped' : 'done'} in ${summary.seconds.toFixed(1)} s: ${summary.filesIndexed} indexed, ` +
          `${summary.filesUnchanged} unchanged, ${summary.filesRemoved} removed, ${summary.skipped.length} skipped, ` +
          `${summary.chunksEmbedded} chunks embedded (${summary.chunksPerSecond.toFixed(1)}/s), ${summary.chunksTotal} in the index.`,
      );
      for (const skipped of summary.skipped) this.log.info(`  skipped ${skipped.path}: ${skipped.reason}`);
      if (loud && !summary.cancelled) {
        const what = team ? `the local changes of ${entry.folder.name} (the team index has the rest)` : entry.folder.name;
        void vscode.window.setStatusBarMessage(`$(check) Quipu indexed ${what}: ${summary.chunksTotal} chunks`, 5000);
      }
    } catch (error) {
      if (error instanceof IndexLockedError) {
        const first = !entry.problem?.startsWith('Another VS Code window');
        entry.problem = 'Another VS Code window is updating this index; searches use what it has built. Quipu tries again shortly.';
        this.log.warn(`${entry.folder.name}: ${error.message}`);
        if (first) void vscode.window.showInformationMessage(`Quipu: ${entry.folder.name} is being indexed by another VS Code window. This window searches what it builds and takes over when it is done.`);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.scheduler.requestFull(request.folderKey);
        }, LOCK_RETRY_MS);
        this.retryTimers.add(timer);
        return;
      }
      throw error;
    } finally {
      this.progress = undefined;
      await this.refreshStatus(entry);
    }
  }

  private async withNotification<T>(entry: FolderIndex, signal: AbortSignal, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Quipu: indexing ${entry.folder.name}`, cancellable: true },
      async (report, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const forward = () => controller.abort();
        signal.addEventListener('abort', forward, { once: true });
        let reported = 0;
        const listener = this.onDidChangeState((state) => {
          const p = state.progress;
          if (!p) return;
          const fraction = p.filesTotal ? p.filesDone / p.filesTotal : 0;
          const increment = Math.max(0, fraction * 100 - reported);
          reported += increment;
          report.report({ increment, message: progressText(state) });
        });
        try {
          return await body(controller.signal);
        } finally {
          cancel.dispose();
          listener.dispose();
          signal.removeEventListener('abort', forward);
        }
      },
    );
  }

  private reportRunError(folderKey: string, error: unknown): void {
    const entry = this.folders.get(folderKey);
    const message = (error as Error)?.message ?? String(error);
    if (entry) entry.problem = message;
    this.log.error(`${entry?.folder.name ?? folderKey}: indexing failed: ${(error as Error)?.stack ?? message}`);
    const actions = error instanceof ModelNotFoundError || error instanceof ConfigError ? ['Open Settings', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`Quipu could not index ${entry?.folder.name ?? 'the folder'}: ${message}`, ...actions).then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'quipu.');
      if (choice === 'Show Log') this.log.show();
    });
    this.updateState();
  }

  private ensureTrusted(): boolean {
    if (this.trusted) return true;
    void vscode.window
      .showWarningMessage('Quipu indexes trusted workspaces only. Trust this workspace to index and search it.', 'Manage Workspace Trust')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  /** `diskUsage` walks each index folder: only the status report needs it. */
  async refreshStatuses(diskUsage = false): Promise<void> {
    for (const entry of this.folders.values()) await this.refreshStatus(entry, diskUsage);
  }

  private async refreshStatus(entry: FolderIndex, diskUsage = false): Promise<void> {
    try {
      entry.status = await (await this.getEngine()).status(entry.indexDir, { diskUsage });
    } catch (error) {
      this.log.warn(`${entry.folder.name}: could not read the index status: ${(error as Error).message}`);
    }
    this.updateState();
  }

  private updateState(): void {
    const files = this.allFolders().reduce((n, f) => n + (f.status?.files ?? 0), 0);
    const chunks = this.allFolders().reduce((n, f) => n + (f.status?.chunks ?? 0), 0);
    const teamEntry = this.teamEntry();
    const refused = this.teamState?.error?.includes('QUIPU_TEAM_TOKEN') ? ' (or run "Quipu: Set Team Index Token")' : '';
    const teamError = this.teamProblem ?? (this.teamState?.error ? `${this.teamState.error}${refused}` : undefined);
    const problem = this.engineProblem ?? teamError ?? this.allFolders().find((f) => f.problem)?.problem;
    let state: IndexState;
    if (this.folders.size === 0) state = { phase: 'no-folder', files, chunks };
    else if (!this.trusted) state = { phase: 'untrusted', files, chunks, message: 'Quipu indexes trusted workspaces only.' };
    else if (this.scheduler.paused) state = { phase: 'paused', files, chunks, message: 'Indexing is paused; search uses what is indexed.' };
    else if (this.scheduler.busy) {
      const p = this.progress;
      state = {
        phase: 'indexing',
        files,
        chunks,
        progress: {
          filesDone: p ? p.filesIndexed + p.filesUnchanged : 0,
          filesTotal: p?.discoveryDone ? p.filesToIndex + p.filesUnchanged : undefined,
          chunksPerSecond: p?.chunksPerSecond ?? 0,
          etaSeconds: p?.etaSeconds,
          currentFile: p?.currentFile,
        },
      };
    } else if (problem && !this.engineProblem && files > 0) state = { phase: 'ready', files, chunks, message: problem };
    else if (problem) state = { phase: 'error', files, chunks, message: problem };
    else if (files === 0 && teamEntry && this.teamState?.available !== undefined) state = { phase: 'ready', files, chunks };
    else if (files === 0) {
      const stale = this.allFolders().find((f) => f.status?.staleReason)?.status?.staleReason;
      state = { phase: 'not-indexed', files, chunks, message: stale ? `The index must be rebuilt: ${stale}.` : undefined };
    } else state = { phase: 'ready', files, chunks };
    const remote = this.settings.embedder;
    if (remote) state.remoteEmbedder = `${remote.url} (model ${remote.model || 'unnamed'})`;
    const target = this.settings.teamIndex;
    if (target && teamEntry) {
      const t = this.teamState;
      state.team = {
        url: target.url,
        collection: target.collection,
        folderName: teamEntry.folder.name,
        ...(t?.commit ? { commit: t.commit } : {}),
        ...(t?.updatedAt ? { updatedAt: t.updatedAt } : {}),
        ...(t?.available !== undefined ? { available: t.available } : {}),
        ...(t?.notice ? { notice: t.notice } : {}),
        ...(teamError ? { error: teamError } : {}),
        overlayFiles: teamEntry.status?.files ?? 0,
      };
    }
    this.currentState = state;
    this.stateChanged.fire(state);
  }

  private indexDirOf(folder: vscode.WorkspaceFolder): string {
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    const hash = createHash('sha256').update(folder.uri.toString()).digest('hex').slice(0, 12);
    const name = folder.name.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'folder';
    const target = this.settings.teamIndex;
    // The team folder's overlay: one per server and collection, beside its own index.
    const team = target && folder.uri.toString() === vscode.workspace.workspaceFolders?.[0]?.uri.toString() ? `-team-${createHash('sha256').update(`${target.url}\n${target.collection}`).digest('hex').slice(0, 8)}` : '';
    return vscode.Uri.joinPath(base, 'indexes', `${name}-${hash}${team}`).fsPath;
  }

  async dispose(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.scheduler.dispose();
    this.stateChanged.dispose();
    this.documents.dispose();
    const team = this.team;
    this.team = undefined;
    if (team) await team.then((t) => t.close()).catch(() => undefined);
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await engine.then((e) => e.close()).catch(() => undefined);
  }
}

/** The user declined the team index's server: not asked again until the settings change. */
class TeamNotAllowedError extends Error {}

/** "120 / 400 files · 35 chunks/s · about 1 min left". */
export function progressText(state: IndexState): string {
  const p = state.progress;
  if (!p) return '';
  const parts = [p.filesTotal !== undefined ? `${p.filesDone} / ${p.filesTotal} files` : `${p.filesDone} files`];
  if (p.chunksPerSecond > 0) parts.push(`${p.chunksPerSecond.toFixed(0)} chunks/s`);
  if (p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds)) {
    parts.push(p.etaSeconds < 60 ? 'less than a minute left' : `about ${Math.round(p.etaSeconds / 60)} min left`);
  }
  return parts.join(' · ');
}
