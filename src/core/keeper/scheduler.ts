/**
 * Decides when indexing runs. Work arrives as "this folder, all of it" (a command, start-up, a
 * settings change) or "these paths of this folder" (file events). Events are coalesced per folder and
 * debounced, so a branch switch that touches 500 files becomes one run. One run at a time: the
 * engine's worker pools are shared and the machine's cores are the limit anyway.
 *
 * Pausing cancels the running run (every file it finished stays indexed) and puts its work back in
 * the queue; resuming starts again where the queue is. Pure TypeScript, no `vscode`: the folder
 * keeper (folder-keeper.ts) supplies the run function and listens to the events.
 */
import { systemClock, type KeeperClock, type KeeperTimer } from './clock';

/**
 * What a folder needs: a full pass (walk everything), a look at a few paths, or the deep tier for the
 * chunks that only have fast vectors. Deep work runs in the background: only when nothing else waits,
 * cancelled (keeping what it finished) as soon as anything else arrives, and taken up again after.
 */
export type FolderWork = { kind: 'full'; rebuild: boolean } | { kind: 'paths'; paths: Set<string> } | { kind: 'deep' };

export interface RunRequest {
  folderKey: string;
  work: FolderWork;
  signal: AbortSignal;
}

export interface SchedulerOptions {
  /** Quiet time after the last file event before a run starts. */
  debounceMs: number;
  /** Does the work; resolves when the run ended (cancelled or not). Throws on failure. */
  run(request: RunRequest): Promise<void>;
  /** Called when a run fails; the failed work is dropped (the next event or command retries). */
  onError(folderKey: string, error: unknown): void;
  /** Called whenever `busy`, `paused` or the queue changes. */
  onChange(): void;
  /**
   * After runs for file events, a full pass this long after the folder's last one: a stat walk that
   * finds what the events missed (a watcher can drop events under load; bench:soak saw a file left
   * in the index after its folder was renamed). Unchanged files cost one stat. 0: never.
   */
  reconcileMs?: number;
  /** Time and timers (tests move them); the real ones by default. */
  clock?: KeeperClock;
}

/** Above this many pending paths, a full (incremental) pass is cheaper than looking at each. */
const MAX_PATHS = 2000;

export class IndexScheduler {
  private readonly pending = new Map<string, FolderWork>();
  /** Folders whose deep tier is to be completed, behind everything in `pending`. */
  private readonly background = new Set<string>();
  private running: { folderKey: string; work: FolderWork; controller: AbortController; done: Promise<void> } | undefined;
  private timer: KeeperTimer | undefined;
  private pausedFlag = false;
  private disposed = false;
  private idleWaiters: (() => void)[] = [];
  private quietWaiters: (() => void)[] = [];
  /** When each folder's last full pass ended, and the reconciling passes waiting to start. */
  private readonly lastFull = new Map<string, number>();
  private readonly reconcileTimers = new Map<string, KeeperTimer>();
  private readonly clock: KeeperClock;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Foreground work runs (a deep run behind it does not count: it yields to anything). */
  get busy(): boolean {
    return this.running !== undefined && this.running.work.kind !== 'deep';
  }

  /** The folder whose deep tier runs now, if any. */
  get deepFolder(): string | undefined {
    return this.running?.work.kind === 'deep' ? this.running.folderKey : undefined;
  }

  /** Folders whose deep tier waits or runs. */
  get deepPending(): number {
    return this.background.size + (this.deepFolder === undefined ? 0 : 1);
  }

  get runningFolder(): string | undefined {
    return this.running?.folderKey;
  }

  /** Work is waiting (debounced, paused, or behind the current run). */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** A full pass over a folder, soon (no debounce). */
  requestFull(folderKey: string, rebuild = false): void {
    const current = this.pending.get(folderKey);
    this.pending.set(folderKey, { kind: 'full', rebuild: rebuild || (current?.kind === 'full' && current.rebuild) });
    this.kick(0);
  }

  /** Paths that changed, were created or deleted; debounced and merged with earlier ones. */
  requestPaths(folderKey: string, paths: Iterable<string>): void {
    const current = this.pending.get(folderKey);
    if (current?.kind === 'full') return;
    const merged = current?.kind === 'paths' ? current.paths : new Set<string>();
    for (const path of paths) merged.add(path);
    this.pending.set(folderKey, merged.size > MAX_PATHS ? { kind: 'full', rebuild: false } : { kind: 'paths', paths: merged });
    this.kick(this.options.debounceMs);
  }

  /** The folder's deep tier waits its turn. */
  deepWaits(folderKey: string): boolean {
    return this.background.has(folderKey);
  }

  /** The deep tier for a folder, behind everything else. */
  requestDeep(folderKey: string): void {
    this.background.add(folderKey);
    if (!this.running && this.pending.size === 0) this.kick(0);
    else this.options.onChange();
  }

  /** Starts waiting work now instead of after the debounce (a search wants fresh results). */
  flush(): void {
    if (this.pending.size > 0) this.kick(0);
  }

  /** What waits for a folder, and what runs for it now. */
  workOf(folderKey: string): { pending?: FolderWork; running?: FolderWork } {
    return { pending: this.pending.get(folderKey), running: this.running?.folderKey === folderKey ? this.running.work : undefined };
  }

  /** Forgets waiting work for a folder (it was removed from the workspace, or its index cleared). */
  forget(folderKey: string): void {
    this.pending.delete(folderKey);
    this.background.delete(folderKey);
    if (this.running?.folderKey === folderKey && this.running.work.kind === 'deep') this.running.controller.abort();
    this.options.onChange();
  }

  /** Stops the running run (keeping what it finished) and waits for it. */
  async cancelRunning(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  async pause(): Promise<void> {
    if (this.pausedFlag) return;
    this.pausedFlag = true;
    this.clearTimer();
    const running = this.running;
    if (running) {
      // Its work goes back in the queue, ahead of anything newer for the same folder.
      if (running.work.kind === 'deep') this.background.add(running.folderKey);
      else this.requeue(running.folderKey, running.work);
      running.controller.abort();
      await running.done;
    }
    this.options.onChange();
  }

  resume(): void {
    if (!this.pausedFlag) return;
    this.pausedFlag = false;
    this.options.onChange();
    this.kick(0);
  }

  /** Resolves when nothing runs and nothing waits (paused work does not count as waiting). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when nothing runs and nothing waits, the deep tier included (paused work does not count). */
  whenQuiet(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  private isQuiet(): boolean {
    return !this.running && ((this.pending.size === 0 && this.background.size === 0) || this.pausedFlag || this.disposed);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearTimer();
    for (const timer of this.reconcileTimers.values()) this.clock.clearTimeout(timer);
    this.reconcileTimers.clear();
    this.pending.clear();
    this.background.clear();
    await this.cancelRunning();
    this.notifyIdle();
  }

  /** Nothing in the foreground runs or waits (a deep run may go on behind). */
  private isIdle(): boolean {
    return !this.busy && (this.pending.size === 0 || this.pausedFlag);
  }

  private requeue(folderKey: string, work: FolderWork): void {
    if (work.kind === 'deep') return void this.background.add(folderKey);
    const newer = this.pending.get(folderKey);
    if (!newer || newer.kind === 'deep') this.pending.set(folderKey, work);
    else if (work.kind === 'full' || newer.kind === 'full') this.pending.set(folderKey, { kind: 'full', rebuild: (work.kind === 'full' && work.rebuild) || (newer.kind === 'full' && newer.rebuild) });
    else this.pending.set(folderKey, { kind: 'paths', paths: new Set([...work.paths, ...newer.paths]) });
  }

  private kick(delayMs: number): void {
    this.options.onChange();
    if (this.disposed || this.pausedFlag) return;
    // Anything in the foreground preempts the deep tier: it stops (keeping what it finished) and waits its turn again.
    if (this.running?.work.kind === 'deep' && this.pending.size > 0) {
      this.background.add(this.running.folderKey);
      this.running.controller.abort();
    }
    if (this.running) return;
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.next();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async next(): Promise<void> {
    if (this.disposed || this.pausedFlag || this.running) return;
    // Full passes first: they were asked for explicitly.
    let entry: [string, FolderWork] | undefined = [...this.pending.entries()].sort((a, b) => Number(b[1].kind === 'full') - Number(a[1].kind === 'full'))[0];
    if (entry) this.pending.delete(entry[0]);
    else {
      this.notifyIdle();
      const deep = this.background.values().next();
      if (deep.done) return;
      this.background.delete(deep.value);
      entry = [deep.value, { kind: 'deep' }];
    }
    const [folderKey, work] = entry;
    const controller = new AbortController();
    const done = (async () => {
      try {
        await this.options.run({ folderKey, work, signal: controller.signal });
      } catch (error) {
        if (!controller.signal.aborted) this.options.onError(folderKey, error);
      }
    })();
    this.running = { folderKey, work, controller, done };
    this.options.onChange();
    await done;
    this.running = undefined;
    if (work.kind === 'full' && !controller.signal.aborted) this.lastFull.set(folderKey, this.clock.now());
    else if (work.kind === 'paths') this.scheduleReconcile(folderKey);
    this.options.onChange();
    // A deep run that made way: what preempted it has waited for it, and starts now.
    if (work.kind === 'deep' && controller.signal.aborted && this.pending.size > 0 && !this.pausedFlag && !this.disposed) return void this.next();
    if ((this.pending.size > 0 || this.background.size > 0) && !this.pausedFlag) this.kick(0);
    if (this.pending.size === 0 || this.pausedFlag) this.notifyIdle();
  }

  private scheduleReconcile(folderKey: string): void {
    const after = this.options.reconcileMs ?? 0;
    // Only folders this session has walked whole: a folder never indexed stays as the user left it.
    const last = this.lastFull.get(folderKey);
    if (after <= 0 || this.disposed || last === undefined || this.reconcileTimers.has(folderKey)) return;
    const due = last + after - this.clock.now();
    const timer = this.clock.setTimeout(() => {
      this.reconcileTimers.delete(folderKey);
      if (!this.disposed) this.requestFull(folderKey);
    }, Math.max(0, due));
    // A pass minutes away must not keep a process alive that has nothing else to do.
    timer.unref();
    this.reconcileTimers.set(folderKey, timer);
  }

  private notifyIdle(): void {
    if (this.isQuiet()) {
      const quiet = this.quietWaiters;
      this.quietWaiters = [];
      for (const resolve of quiet) resolve();
    }
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
