/**
 * Keeps the served folders' indexes up to date for `quipu mcp`: a full (incremental) pass at start,
 * then the watcher's paths, coalesced and debounced by the extension's scheduler (one run at a
 * time). A search first lets the changes already seen be applied, waiting a bounded time, and says
 * how many files are still pending when that was not enough.
 *
 * One writer per index: when another process (a VS Code window, `quipu index`) holds an index's
 * lock, this server writes nothing there, searches what that writer commits, says so in `status`,
 * and tries again later.
 */
import { relative, sep } from 'node:path';
import type { QuipuEngine } from '../core/engine/engine';
import { insideFolder } from '../core/files/real-paths';
import type { IndexEvent, IndexProgress, IndexSummary, SkippedFile } from '../core/pipeline/events';
import { IndexLockedError } from '../core/store/lock';
import { IndexScheduler, type FolderWork } from '../extension/scheduler';
import type { ServedFolder } from './folders';
import { watchFolder, type FolderWatch } from './watch';

export interface FolderFreshness {
  /** Files seen changing that are not indexed yet (in the queue or in the run now going). */
  pendingFiles: number;
  /** A full pass waits or runs (at start, after a `sync`, or after too many events). */
  fullPass: boolean;
  /** The run going now, if any. */
  progress?: IndexProgress;
  /** Set while another process holds the index's lock. */
  lockedBy?: string;
  lastSummary?: IndexSummary;
  /** When the last run of this server ended (the index then matched the disk, as far as it looked). */
  checkedAt?: string;
  lastError?: string;
  /** Files the last full pass skipped, with reasons. */
  skipped: SkippedFile[];
  watching: boolean;
  watchError?: string;
}

/** Brings one folder's index up to date; undefined when it could not (a team index's server down). */
export type FolderIndexer = (folder: ServedFolder, work: FolderWork, signal: AbortSignal, onEvent: (event: IndexEvent) => void) => Promise<IndexSummary | undefined>;

const DEBOUNCE_MS = 300;
/** How long to leave an index to the process holding its lock before trying again. */
const LOCK_RETRY_MS = 15_000;

interface FolderState {
  folder: ServedFolder;
  runs: number;
  progress?: IndexProgress;
  lockedBy?: string;
  lastSummary?: IndexSummary;
  checkedAt?: string;
  lastError?: string;
  skipped: SkippedFile[];
  watch?: FolderWatch;
  watchError?: string;
  listeners: Set<(event: IndexEvent) => void>;
}

export class FreshnessKeeper {
  private readonly states = new Map<string, FolderState>();
  private readonly scheduler: IndexScheduler;
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(
    private readonly engine: () => Promise<QuipuEngine>,
    folders: ServedFolder[],
    private readonly log: (message: string) => void,
    /** Instead of the engine's own run (a team index's overlay): undefined when it could not run. */
    private readonly indexer?: FolderIndexer,
  ) {
    for (const folder of folders) this.states.set(folder.root, { folder, runs: 0, skipped: [], listeners: new Set() });
    this.scheduler = new IndexScheduler({
      debounceMs: DEBOUNCE_MS,
      run: (request) => this.run(request.folderKey, request.work, request.signal),
      onError: (folderKey, error) => {
        const state = this.states.get(folderKey);
        if (state) state.lastError = error instanceof Error ? error.message : String(error);
        this.log(`update of ${folderKey} failed: ${state?.lastError}`);
      },
      onChange: () => undefined,
    });
  }

  /** A full pass over every folder now, and watchers from then on (`watch: false`: none). */
  async start(options: { watch: boolean }): Promise<void> {
    for (const state of this.states.values()) this.scheduler.requestFull(state.folder.root);
    if (!options.watch) return;
    await Promise.all(
      [...this.states.values()].map(async (state) => {
        try {
          const watch = await watchFolder(
            state.folder.root,
            (paths) => this.scheduler.requestPaths(state.folder.root, paths),
            (error) => {
              state.watchError = error.message;
              this.log(`watching ${state.folder.root}: ${error.message}`);
            },
            indexInside(state.folder),
          );
          if (this.closed) await watch.close();
          else state.watch = watch;
        } catch (error) {
          state.watchError = error instanceof Error ? error.message : String(error);
          this.log(`cannot watch ${state.folder.root}: ${state.watchError}; the index is updated by \`sync\` only.`);
        }
      }),
    );
  }

  stateOf(folder: ServedFolder): FolderFreshness {
    const state = this.states.get(folder.root)!;
    const { pending, running } = this.scheduler.workOf(folder.root);
    const count = (work?: FolderWork) => (work?.kind === 'paths' ? work.paths.size : 0);
    return {
      pendingFiles: count(pending) + count(running),
      fullPass: pending?.kind === 'full' || running?.kind === 'full',
      ...(running && state.progress ? { progress: state.progress } : {}),
      ...(state.lockedBy ? { lockedBy: state.lockedBy } : {}),
      ...(state.lastSummary ? { lastSummary: state.lastSummary } : {}),
      ...(state.checkedAt ? { checkedAt: state.checkedAt } : {}),
      ...(state.lastError ? { lastError: state.lastError } : {}),
      skipped: state.skipped,
      watching: state.watch !== undefined,
      ...(state.watchError ? { watchError: state.watchError } : {}),
    };
  }

  /** Lets the changes already seen be indexed, waiting at most `maxMs`. */
  async settle(maxMs: number): Promise<void> {
    this.scheduler.flush();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.scheduler.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
  }

  /**
   * Brings folders up to date now (all of each, or only `paths`), reporting the runs' events, and
   * returns each folder's summary (or why it could not run).
   */
  async sync(
    requests: { folder: ServedFolder; paths?: string[] }[],
    onEvent: (folder: ServedFolder, event: IndexEvent) => void,
  ): Promise<{ folder: ServedFolder; summary?: IndexSummary; error?: string }[]> {
    const before = new Map<string, number>();
    const listeners: [FolderState, (event: IndexEvent) => void][] = [];
    for (const { folder, paths } of requests) {
      const state = this.states.get(folder.root)!;
      before.set(folder.root, state.runs);
      const listener = (event: IndexEvent) => onEvent(folder, event);
      state.listeners.add(listener);
      listeners.push([state, listener]);
      if (paths && paths.length > 0) this.scheduler.requestPaths(folder.root, paths);
      else this.scheduler.requestFull(folder.root);
    }
    this.scheduler.flush();
    try {
      await this.scheduler.whenIdle();
    } finally {
      for (const [state, listener] of listeners) state.listeners.delete(listener);
    }
    return requests.map(({ folder }) => {
      const state = this.states.get(folder.root)!;
      if (state.lockedBy) return { folder, error: state.lockedBy };
      if (state.runs === before.get(folder.root)) return { folder, error: state.lastError ?? 'the update did not run' };
      return state.lastSummary ? { folder, summary: state.lastSummary } : { folder, error: state.lastError ?? 'the update failed' };
    });
  }

  /** Stops the watchers and the run going (what it finished stays indexed). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    await Promise.all([...this.states.values()].map((state) => (state.watch ? state.watch.close() : Promise.resolve())));
    await this.scheduler.dispose();
  }

  private async run(folderKey: string, work: FolderWork, signal: AbortSignal): Promise<void> {
    const state = this.states.get(folderKey)!;
    const engine = await this.engine();
    if (work.kind === 'full') state.skipped = [];
    state.lastError = undefined;
    try {
      const onEvent = (event: IndexEvent) => {
        if (event.type === 'progress') state.progress = event.progress;
        if (event.type === 'skip' && state.skipped.length < 200) state.skipped.push(event.file);
        for (const listener of state.listeners) listener(event);
      };
      const summary = this.indexer
        ? await this.indexer(state.folder, work, signal, onEvent)
        : await engine.index(state.folder.root, { indexDir: state.folder.indexDir, paths: work.kind === 'paths' ? [...work.paths] : undefined, signal, onEvent });
      state.lockedBy = undefined;
      if (!summary) {
        state.lastSummary = undefined;
        state.lastError = 'the team index does not answer: the overlay is updated when it does';
        return;
      }
      state.lastSummary = summary;
      state.checkedAt = new Date().toISOString();
      if (summary.filesIndexed + summary.filesRemoved > 0) {
        this.log(`${state.folder.name}: ${summary.filesIndexed} file(s) indexed, ${summary.filesRemoved} removed, ${summary.chunksEmbedded} chunk(s) embedded in ${summary.seconds.toFixed(1)} s`);
      }
    } catch (error) {
      if (!(error instanceof IndexLockedError)) throw error;
      // Another process writes this index: it will commit what changed; look again later.
      state.lockedBy = error.message;
      this.log(`${state.folder.name}: ${error.message} Searching what it commits.`);
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (this.closed) return;
        if (work.kind === 'full') this.scheduler.requestFull(folderKey);
        else this.scheduler.requestPaths(folderKey, work.paths);
      }, LOCK_RETRY_MS);
      timer.unref();
      this.retryTimers.add(timer);
    } finally {
      state.runs++;
      state.progress = undefined;
    }
  }
}

/** The index folder, when it lives inside the served folder (links resolved): its own writes must not look like changes. */
function indexInside(folder: ServedFolder): string[] {
  const inside = insideFolder(folder.root, folder.indexDir);
  const rel = inside === undefined ? '' : relative(folder.root, inside);
  return rel ? [rel.split(sep).join('/')] : [];
}
