/**
 * Keeps folders' indexes up to date, for every front end that does (the VS Code extension, `quipu
 * mcp`): a scheduler per keeper (scheduler.ts: coalesced, debounced, one run at a time), the run
 * itself (a team session's sync for a folder a team index serves, else the engine's index run),
 * the reconciling full pass that finds what a watcher missed, the lock policy, and each folder's
 * state (pending files, progress, last summary, skipped files, last error, another writer).
 *
 * One writer per index: when another process (a VS Code window, `quipu index`, `quipu mcp`) holds an
 * index's lock, the keeper writes nothing there, says so in the folder's state and tries the same
 * work again after LOCK_RETRY_MS. Front ends watch files, render state and talk to the user through
 * the listener; nothing here knows about `vscode`.
 */
import type { FileSettings } from '../config/config';
import type { QuipuEngine } from '../engine/engine';
import { IGNORE_FILES } from '../files/discover';
import type { IndexEvent, IndexProgress, IndexSummary, SkippedFile } from '../pipeline/events';
import { IndexLockedError } from '../store/lock';
import type { TeamSession } from '../team/team-session';
import { systemClock, type KeeperClock, type KeeperTimer } from './clock';
import { IndexScheduler, type FolderWork } from './scheduler';

export type { FolderWork } from './scheduler';

/** How long to leave an index to the process holding its lock before trying again. */
export const LOCK_RETRY_MS = 15_000;
/**
 * After runs for file events, a full (incremental) pass this long after a folder's last one: a stat
 * walk finds what the watcher missed (bench:soak saw a renamed folder's file stay in the index).
 */
export const RECONCILE_MS = 2 * 60_000;
/** Why a team folder's run did not happen (its overlay needs the base's catalog). */
export const TEAM_UNANSWERED = 'the team index does not answer: the overlay is updated when it does';

export interface KeptFolder {
  /** How the front end names the folder: a URI in VS Code, the root path in `quipu mcp`. */
  key: string;
  /** Its path on this machine. */
  root: string;
  name: string;
  indexDir: string;
}

/** What status shows about one folder. */
export interface KeptFolderState {
  /** Files seen changing that are not indexed yet (in the queue or in the run now going). */
  pendingFiles: number;
  /** A full pass waits or runs (at start, on request, reconciling, or after too many events). */
  fullPass: boolean;
  running: boolean;
  /** The run going now, if any. */
  progress?: IndexProgress;
  /** Set while another process holds the index's lock: its message. */
  lockedBy?: string;
  lastSummary?: IndexSummary;
  /** When the last run ended (the index then matched the disk, as far as it looked). */
  checkedAt?: string;
  /** Why the last run did not complete (TEAM_UNANSWERED when the team index did not answer). */
  lastError?: string;
  /** The last run did not happen because the team index did not answer. */
  unanswered: boolean;
  /** Files the last full pass skipped, with reasons. */
  skipped: SkippedFile[];
  /** Runs ended so far (done, failed, locked or not answered). */
  runs: number;
  /** The index's chunks by tier, as the last run left them (absent before the first run ends). */
  tierCounts?: { fast: number; deep: number };
  /** The deep tier waits (behind other work) or runs (`progress` is then its progress). */
  deepPending: boolean;
  deepRunning: boolean;
}

export type RunOutcome =
  | { kind: 'done'; summary: IndexSummary }
  | { kind: 'unanswered' }
  | { kind: 'locked'; message: string }
  | { kind: 'failed'; error: unknown };

/** One run as the front end sees it starting. */
export interface KeeperRun {
  folder: KeptFolder;
  work: FolderWork;
  /** The run is a team session's sync (the folder's overlay), not the engine's index run. */
  team: boolean;
}

/** What the front end hears. Every method is optional. */
export interface KeeperListener {
  /** Something status shows changed: the queue, a run starting or ending, its progress. */
  changed?(): void;
  runStarted?(run: KeeperRun): void;
  /** Each event of a run (progress, skips, the reason for a rebuild). */
  event?(folder: KeptFolder, event: IndexEvent): void;
  /** Awaited before the run counts as over (the extension reads the index's status again). */
  runEnded?(run: KeeperRun, outcome: RunOutcome): void | Promise<void>;
  /** Another process holds the lock; `first`: it did not at the folder's last run. */
  locked?(folder: KeptFolder, message: string, first: boolean): void;
  /** A run failed (not cancelled, not locked); the next request or event tries again. */
  failed?(folder: KeptFolder, error: unknown): void;
}

export interface FolderKeeperOptions {
  engine(): Promise<QuipuEngine>;
  /** The team session whose overlay this folder's index is, or undefined for the engine's own run. */
  team?(folder: KeptFolder): Promise<TeamSession | undefined>;
  /** The folder's file rules when they differ from the engine's (the editor's settings), read at each run. */
  files?(folder: KeptFolder): FileSettings | undefined;
  /** Quiet time after the last file event before a run starts. */
  debounceMs: number;
  /** RECONCILE_MS by default; 0: never. */
  reconcileMs?: number;
  clock?: KeeperClock;
  /**
   * Runs `body` (the index run) in the front end's way: the extension shows a notification with a
   * cancel button for runs the user asked for. `body` must be given a signal that aborts when `signal` does.
   */
  around?(run: KeeperRun, signal: AbortSignal, body: (signal: AbortSignal) => Promise<IndexSummary | undefined>): Promise<IndexSummary | undefined>;
  listener?: KeeperListener;
}

/** What the keeper remembers of a folder: its state, less what the scheduler knows (the queue). */
interface FolderRecord extends Omit<KeptFolderState, 'pendingFiles' | 'fullPass' | 'running' | 'deepPending' | 'deepRunning'> {
  folder: KeptFolder;
  /** Callers of `sync` following this folder's runs. */
  followers: Set<(event: IndexEvent) => void>;
}

export class FolderKeeper {
  private readonly records = new Map<string, FolderRecord>();
  private readonly scheduler: IndexScheduler;
  private readonly clock: KeeperClock;
  private readonly listener: KeeperListener;
  private readonly retryTimers = new Set<KeeperTimer>();
  private closed = false;

  constructor(
    private readonly options: FolderKeeperOptions,
    folders: KeptFolder[] = [],
  ) {
    this.clock = options.clock ?? systemClock;
    this.listener = options.listener ?? {};
    this.scheduler = new IndexScheduler({
      debounceMs: options.debounceMs,
      reconcileMs: options.reconcileMs ?? RECONCILE_MS,
      clock: this.clock,
      run: (request) => this.run(request.folderKey, request.work, request.signal),
      onError: (key, error) => this.failed(key, error),
      onChange: () => this.listener.changed?.(),
    });
    this.keep(folders);
  }

  // ---- folders -------------------------------------------------------------------------------

  /** The folders to keep: new ones are added, known ones take the new root, name and index folder, others are dropped. */
  setFolders(folders: KeptFolder[]): void {
    this.keep(folders);
    this.listener.changed?.();
  }

  private keep(folders: KeptFolder[]): void {
    const keys = new Set(folders.map((f) => f.key));
    for (const folder of folders) {
      const record = this.records.get(folder.key);
      if (record) record.folder = folder;
      else this.records.set(folder.key, { folder, unanswered: false, skipped: [], runs: 0, followers: new Set() });
    }
    for (const key of [...this.records.keys()]) {
      if (keys.has(key)) continue;
      this.records.delete(key);
      this.scheduler.forget(key);
    }
  }

  folder(key: string): KeptFolder | undefined {
    return this.records.get(key)?.folder;
  }

  folders(): KeptFolder[] {
    return [...this.records.values()].map((r) => r.folder);
  }

  stateOf(key: string): KeptFolderState {
    const record = this.records.get(key);
    if (!record) throw new Error(`${key} is not a folder this keeper keeps`);
    const { pending, running } = this.scheduler.workOf(key);
    const count = (work?: FolderWork) => (work?.kind === 'paths' ? work.paths.size : 0);
    const deepRunning = running?.kind === 'deep';
    return {
      pendingFiles: count(pending) + count(running),
      fullPass: pending?.kind === 'full' || running?.kind === 'full',
      running: running !== undefined && !deepRunning,
      deepRunning,
      deepPending: deepRunning || this.scheduler.deepWaits(key),
      ...(record.tierCounts ? { tierCounts: record.tierCounts } : {}),
      ...(running && record.progress ? { progress: record.progress } : {}),
      ...(record.lockedBy ? { lockedBy: record.lockedBy } : {}),
      ...(record.lastSummary ? { lastSummary: record.lastSummary } : {}),
      ...(record.checkedAt ? { checkedAt: record.checkedAt } : {}),
      ...(record.lastError ? { lastError: record.lastError } : {}),
      unanswered: record.unanswered,
      skipped: record.skipped,
      runs: record.runs,
    };
  }

  /** The progress of the run going now (whichever folder it is for). */
  get progress(): IndexProgress | undefined {
    const key = this.scheduler.runningFolder;
    return key === undefined ? undefined : this.records.get(key)?.progress;
  }

  // ---- work ----------------------------------------------------------------------------------

  /** A full (incremental) pass over a folder, soon; `rebuild` discards its index first. */
  requestFull(key: string, rebuild = false): void {
    if (this.records.has(key)) this.scheduler.requestFull(key, rebuild);
  }

  /** Paths of a folder (relative, forward slashes) that a watcher saw change. */
  changed(key: string, paths: Iterable<string>): void {
    if (!this.records.has(key)) return;
    const list = [...paths];
    // A changed ignore file changes what belongs in the index: look at everything again.
    if (list.some((path) => IGNORE_FILES.includes(path.slice(path.lastIndexOf('/') + 1)))) this.scheduler.requestFull(key);
    else if (list.length > 0) this.scheduler.requestPaths(key, list);
  }

  /** Forgets a folder's waiting work and what its runs left (its index was cleared). */
  clear(key: string): void {
    this.scheduler.forget(key);
    const record = this.records.get(key);
    if (!record) return;
    record.lastSummary = undefined;
    record.skipped = [];
    record.lastError = undefined;
    record.unanswered = false;
  }

  get paused(): boolean {
    return this.scheduler.paused;
  }

  get busy(): boolean {
    return this.scheduler.busy;
  }

  /** Work is waiting (debounced, paused, or behind the run going). */
  get hasPending(): boolean {
    return this.scheduler.hasPending;
  }

  /** Cancels the run going (what it finished stays indexed) and keeps its work for `resume`. */
  pause(): Promise<void> {
    return this.scheduler.pause();
  }

  resume(): void {
    this.scheduler.resume();
  }

  /** Stops the run going (what it finished stays indexed) and waits for it. */
  cancelRunning(): Promise<void> {
    return this.scheduler.cancelRunning();
  }

  /** Resolves when nothing runs and nothing waits (paused work does not count). */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  /** Resolves when nothing runs and nothing waits, the deep tier included (tests; a caller that wants every tier done). */
  whenQuiet(): Promise<void> {
    return this.scheduler.whenQuiet();
  }

  /** Lets the changes already seen be indexed now, waiting at most `maxMs` (or until `signal` aborts). */
  async settle(maxMs: number, signal?: AbortSignal): Promise<void> {
    if ((!this.busy && !this.hasPending) || signal?.aborted) return;
    this.scheduler.flush();
    let timer: KeeperTimer | undefined;
    let onAbort: (() => void) | undefined;
    const waits = [this.whenIdle(), new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, maxMs)))];
    if (signal) waits.push(new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true })));
    try {
      await Promise.race(waits);
    } finally {
      if (timer) this.clock.clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Brings folders up to date now (all of each, or only `paths`), passing on the runs' events, and
   * returns each folder's summary, or why it has none.
   */
  async sync(
    requests: { key: string; paths?: string[] }[],
    onEvent: (key: string, event: IndexEvent) => void,
    /** Wait for the deep tier too (its runs' events are passed on as well): every tier up to date. */
    options: { deep?: boolean } = {},
  ): Promise<{ key: string; summary?: IndexSummary; error?: string }[]> {
    const before = new Map<string, number>();
    const followers: [FolderRecord, (event: IndexEvent) => void][] = [];
    for (const { key, paths } of requests) {
      const record = this.records.get(key);
      if (!record) continue;
      before.set(key, record.runs);
      const follower = (event: IndexEvent) => onEvent(key, event);
      record.followers.add(follower);
      followers.push([record, follower]);
      if (paths && paths.length > 0) this.scheduler.requestPaths(key, paths);
      else this.scheduler.requestFull(key);
    }
    this.scheduler.flush();
    try {
      await this.scheduler.whenIdle();
      if (options.deep) await this.scheduler.whenQuiet();
    } finally {
      for (const [record, follower] of followers) record.followers.delete(follower);
    }
    return requests.map(({ key }) => {
      const record = this.records.get(key);
      if (!record) return { key, error: 'the folder is no longer kept' };
      if (record.lockedBy) return { key, error: record.lockedBy };
      if (record.runs === before.get(key)) return { key, error: record.lastError ?? 'the update did not run' };
      // The foreground run's summary, with the index's tiers as the last run (the deep tier's, maybe) left them.
      return record.lastSummary ? { key, summary: { ...record.lastSummary, tierCounts: record.tierCounts ?? record.lastSummary.tierCounts } } : { key, error: record.lastError ?? 'the update failed' };
    });
  }

  /** Stops the run going (what it finished stays indexed) and every timer. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) this.clock.clearTimeout(timer);
    this.retryTimers.clear();
    await this.scheduler.dispose();
  }

  // ---- running -------------------------------------------------------------------------------

  private async run(key: string, work: FolderWork, signal: AbortSignal): Promise<void> {
    const record = this.records.get(key);
    if (!record) return;
    const folder = record.folder;
    const engine = await this.options.engine();
    const team = await this.options.team?.(folder);
    const run: KeeperRun = { folder, work, team: team !== undefined };
    record.progress = undefined;
    record.lastError = undefined;
    this.listener.runStarted?.(run);
    const onEvent = (event: IndexEvent) => {
      if (event.type === 'progress') record.progress = event.progress;
      this.listener.event?.(folder, event);
      for (const follower of record.followers) follower(event);
      if (event.type === 'progress') this.listener.changed?.();
    };
    // With a team index, only the files whose content the base lacks are indexed here (the overlay), whatever the paths.
    // Otherwise changes get the fast tier now, and the deep tier follows in the background (`deep` work).
    const body = (runSignal: AbortSignal) =>
      team
        ? team.sync({ signal: runSignal, onEvent })
        : engine.index(folder.root, {
            indexDir: folder.indexDir,
            signal: runSignal,
            files: this.options.files?.(folder),
            rebuild: work.kind === 'full' && work.rebuild,
            paths: work.kind === 'paths' ? [...work.paths] : undefined,
            passes: work.kind === 'deep' ? 'deep' : 'fast',
            onEvent,
          });
    let outcome: RunOutcome | undefined;
    try {
      // The deep tier runs unannounced in the background: the front end's way of running (a notification) is for the rest.
      const summary = this.options.around && work.kind !== 'deep' ? await this.options.around(run, signal, body) : await body(signal);
      record.lockedBy = undefined;
      record.unanswered = !summary;
      if (!summary) {
        record.lastSummary = undefined;
        record.lastError = TEAM_UNANSWERED;
        outcome = { kind: 'unanswered' };
        return;
      }
      record.tierCounts = summary.tierCounts;
      if (work.kind !== 'deep') record.lastSummary = summary;
      record.checkedAt = new Date(this.clock.now()).toISOString();
      if (work.kind === 'full') record.skipped = summary.skipped;
      // Asked for after the foreground's runs only: a deep run that leaves fast chunks (files it could not read) is not repeated until something changes.
      if (!team && work.kind !== 'deep' && engine.tiers === 'fast-deep' && summary.tierCounts.fast > 0 && !summary.cancelled) this.scheduler.requestDeep(key);
      outcome = { kind: 'done', summary };
    } catch (error) {
      if (!(error instanceof IndexLockedError)) {
        record.lockedBy = undefined;
        outcome = { kind: 'failed', error };
        throw error;
      }
      // Another process writes this index: it commits what changed; look again later.
      const first = record.lockedBy === undefined;
      record.lockedBy = error.message;
      outcome = { kind: 'locked', message: error.message };
      this.listener.locked?.(folder, error.message, first);
      this.retryLater(key, work);
    } finally {
      record.runs++;
      record.progress = undefined;
      if (outcome) await this.listener.runEnded?.(run, outcome);
    }
  }

  private retryLater(key: string, work: FolderWork): void {
    const timer = this.clock.setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return;
      if (work.kind === 'full') this.requestFull(key, work.rebuild);
      else if (work.kind === 'deep') this.scheduler.requestDeep(key);
      else this.changed(key, work.paths);
    }, LOCK_RETRY_MS);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private failed(key: string, error: unknown): void {
    const record = this.records.get(key);
    if (!record) return;
    record.lastError = error instanceof Error ? error.message : String(error);
    this.listener.failed?.(record.folder, error);
    this.listener.changed?.();
  }
}
