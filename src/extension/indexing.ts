/**
 * Indexing the workspace: the extension's side of core's folder keeper (core/keeper/folder-keeper.ts,
 * the one `quipu mcp` uses too). File events and commands become requests; runs the user asked for
 * show a notification with a cancel button, background updates only the status bar; failures, and
 * another window holding an index, are said to the user once.
 */
import * as vscode from 'vscode';
import { ConfigError } from '../core/config/config';
import { ModelNotFoundError } from '../core/embed/model';
import { FolderPaths, nodeFileHost } from '../core/files/host';
import { FolderKeeper, type KeeperRun, type RunOutcome } from '../core/keeper/folder-keeper';
import type { IndexSummary } from '../core/pipeline/events';
import type { ExtractedTextProvider } from './documents';
import type { EngineHost } from './engine-host';
import type { WorkspaceFolders } from './folders';
import { progressText } from './state';
import type { IndexState } from '../shared/panel-protocol';
import { engineConfig, type QuipuSettings } from './settings';

const EVENT_DEBOUNCE_MS = 750;
/** What the status shows while another window writes a folder's index. */
const LOCKED_PROBLEM = 'Another VS Code window is updating this index; searches use what it has built. Quipu tries again shortly.';

export interface IndexingDeps {
  host: EngineHost;
  folders: WorkspaceFolders;
  documents: ExtractedTextProvider;
  log: vscode.LogOutputChannel;
  settings: () => QuipuSettings;
  /** The state changed (the queue, progress, a run's end): render it again. */
  changed: () => void;
  /** The state's changes (a notification follows a run's progress). */
  onDidChangeState: vscode.Event<IndexState>;
}

export class WorkspaceIndexing {
  readonly keeper: FolderKeeper;
  /** Full runs the user asked for show a notification; background updates only the status bar. */
  private readonly loudRuns = new Set<string>();

  constructor(private readonly deps: IndexingDeps) {
    const { host, folders, log, changed } = deps;
    this.keeper = new FolderKeeper({
      engine: () => host.getEngine(),
      team: (folder) => (folder.key === folders.teamFolder()?.key ? host.getTeam() : Promise.resolve(undefined)),
      files: (folder) => {
        const entry = folders.get(folder.key);
        return entry ? engineConfig(deps.settings(), entry.folder).files : undefined;
      },
      debounceMs: EVENT_DEBOUNCE_MS,
      around: (run, signal, body) => this.around(run, signal, body),
      listener: {
        changed,
        runStarted: ({ folder, work, team }) => {
          const label = team ? 'the overlay of the team index' : work.kind === 'full' ? 'full pass' : work.kind === 'deep' ? "deep tier: the transformer's vectors" : `${work.paths.size} changed path(s)`;
          log.info(`${folder.name}: indexing (${label})…`);
        },
        event: (folder, event) => {
          if (event.type === 'start' && event.rebuildReason) log.info(`${folder.name}: rebuilding the index because ${event.rebuildReason}.`);
          else if (event.type === 'skip') log.debug(`${folder.name}: skipped ${event.file.path}: ${event.file.reason}`);
          // The deep tier's share moves as it commits, not only when its (long, often preempted) run ends.
          else if (event.type === 'commit' && this.keeper.folder(folder.key) && this.keeper.stateOf(folder.key).deepRunning) void this.refreshStatus(folder.key);
        },
        runEnded: (run, outcome) => this.runEnded(run, outcome),
        locked: (folder, message, first) => {
          log.warn(`${folder.name}: ${message}`);
          if (first) void vscode.window.showInformationMessage(`Quipu: ${folder.name} is being indexed by another VS Code window. This window searches what it builds and takes over when it is done.`);
        },
        failed: (folder, error) => this.reportRunError(folder.name, error),
      },
    });
  }

  /** Keeps the folders `WorkspaceFolders` has now. */
  followFolders(): void {
    this.keeper.setFolders(this.deps.folders.kept());
  }

  /** Why the folder's last run did not complete, in words for the user. */
  problemOf(key: string): string | undefined {
    if (!this.keeper.folder(key)) return undefined;
    const state = this.keeper.stateOf(key);
    if (state.lockedBy) return LOCKED_PROBLEM;
    // The team index not answering is the team's state (status bar: "local only"), not the folder's.
    return state.unanswered ? undefined : state.lastError;
  }

  /** Start-up: read what is indexed, then bring it up to date if auto-index is on. */
  async start(): Promise<void> {
    await this.deps.folders.refreshStatuses(() => this.deps.host.getEngine());
    this.deps.changed();
    if (this.deps.settings().autoIndex && vscode.workspace.isTrusted) {
      for (const entry of this.deps.folders.all()) this.keeper.requestFull(entry.key);
    }
  }

  /** "Quipu: Index Workspace": every folder, with a progress notification. */
  indexAll(rebuild = false): void {
    if (!ensureTrusted()) return;
    for (const entry of this.deps.folders.all()) {
      this.loudRuns.add(entry.key);
      this.keeper.requestFull(entry.key, rebuild);
    }
    if (this.keeper.paused) {
      void vscode.window.showInformationMessage('Quipu indexing is paused.', 'Resume').then((choice) => {
        if (choice) this.keeper.resume();
      });
    }
  }

  /** Every folder's full (incremental) pass in the background: only the status bar shows it. */
  updateAll(): void {
    if (!vscode.workspace.isTrusted) return;
    for (const entry of this.deps.folders.all()) this.keeper.requestFull(entry.key);
  }

  /** File events from the watcher. */
  filesChanged(uris: readonly vscode.Uri[]): void {
    if (!vscode.workspace.isTrusted) return;
    const byFolder = new Map<string, string[]>();
    for (const uri of uris) {
      const entry = this.deps.folders.of(uri);
      if (!entry) continue;
      // Folder-relative with forward slashes, by the file host's one conversion (Windows paths too).
      const relative = FolderPaths.of(entry.folder.uri.fsPath, nodeFileHost).rel(uri.fsPath);
      if (relative === undefined || relative === '') continue;
      byFolder.set(entry.key, [...(byFolder.get(entry.key) ?? []), relative]);
      if (/\.(pdf|docx)$/i.test(relative)) this.deps.documents.refresh(uri);
    }
    // A changed ignore file makes it a full pass (the keeper's rule, `quipu mcp`'s too).
    for (const [key, paths] of byFolder) this.keeper.changed(key, paths);
  }

  /** "Quipu: Clear Index": every folder's index deleted, and what its runs left forgotten. */
  async clearAll(): Promise<void> {
    await this.keeper.cancelRunning();
    const engine = await this.deps.host.getEngine();
    for (const entry of this.deps.folders.all()) {
      this.keeper.clear(entry.key);
      await engine.clearIndex(entry.indexDir);
    }
    await this.deps.folders.refreshStatuses(() => this.deps.host.getEngine());
    this.deps.changed();
  }

  close(): Promise<void> {
    return this.keeper.close();
  }

  private async around(run: KeeperRun, signal: AbortSignal, body: (signal: AbortSignal) => Promise<IndexSummary | undefined>): Promise<IndexSummary | undefined> {
    const { folder, work, team } = run;
    const loud = this.loudRuns.delete(folder.key) || (work.kind === 'full' && !this.deps.folders.get(folder.key)?.status?.files);
    if (!loud) return body(signal);
    const summary = await this.withNotification(folder.name, signal, body);
    if (summary && !summary.cancelled) {
      const what = team ? `the local changes of ${folder.name} (the team index has the rest)` : folder.name;
      void vscode.window.setStatusBarMessage(`$(check) Quipu indexed ${what}: ${summary.chunksTotal} chunks`, 5000);
    }
    return summary;
  }

  private async runEnded({ folder, work }: KeeperRun, outcome: RunOutcome): Promise<void> {
    const { log } = this.deps;
    if (outcome.kind === 'done' && work.kind === 'deep') {
      const { summary } = outcome;
      const { fast, deep } = summary.tierCounts;
      log.info(
        `${folder.name}: deep tier ${summary.cancelled ? 'paused for other work' : 'done'} after ${summary.seconds.toFixed(1)} s: ` +
          `${summary.chunksEmbedded} chunks embedded by the transformer; ${deep} deep, ${fast} fast in the index.`,
      );
    } else if (outcome.kind === 'unanswered') {
      log.warn(`${folder.name}: ${this.deps.host.teamState?.notice ?? 'the team index does not answer'}; the overlay is updated when it does.`);
    } else if (outcome.kind === 'done') {
      const summary = outcome.summary;
      log.info(
        `${folder.name}: ${summary.cancelled ? 'stopped' : 'done'} in ${summary.seconds.toFixed(1)} s: ${summary.filesIndexed} indexed, ` +
          `${summary.filesUnchanged} unchanged, ${summary.filesRemoved} removed, ${summary.skipped.length} skipped, ` +
          `${summary.chunksEmbedded} chunks embedded (${summary.chunksPerSecond.toFixed(1)}/s), ${summary.chunksTotal} in the index.`,
      );
      for (const skipped of summary.skipped) log.info(`  skipped ${skipped.path}: ${skipped.reason}`);
    }
    await this.refreshStatus(folder.key);
  }

  /** The folder's index status read again (after a run, or a commit of the deep tier), and the state rendered. */
  private async refreshStatus(key: string): Promise<void> {
    const entry = this.deps.folders.get(key);
    if (entry) await this.deps.folders.refreshStatus(entry, () => this.deps.host.getEngine());
    this.deps.changed();
  }

  private async withNotification<T>(name: string, signal: AbortSignal, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Quipu: indexing ${name}`, cancellable: true },
      async (report, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const forward = () => controller.abort();
        signal.addEventListener('abort', forward, { once: true });
        let reported = 0;
        const listener = this.deps.onDidChangeState((state) => {
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

  private reportRunError(name: string, error: unknown): void {
    const message = (error as Error)?.message ?? String(error);
    this.deps.log.error(`${name}: indexing failed: ${(error as Error)?.stack ?? message}`);
    const actions = error instanceof ModelNotFoundError || error instanceof ConfigError ? ['Open Settings', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`Quipu could not index ${name}: ${message}`, ...actions).then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'quipu.');
      if (choice === 'Show Log') this.deps.log.show();
    });
  }
}

/** Untrusted workspaces are not indexed: says so, with the way to trust this one. */
function ensureTrusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage('Quipu indexes trusted workspaces only. Trust this workspace to index and search it.', 'Manage Workspace Trust')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
