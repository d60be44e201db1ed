/**
 * A piscina pool that lives in a child process of its own (src/workers/pool-host.ts), for the
 * embedding workers of a long-lived host such as VS Code's extension host. Memory that ONNX Runtime
 * frees inside a worker thread stays in the process's allocator (bench/RESULTS.md, "Soak": the
 * extension host kept +278 MB after its pools had closed); a process that exits gives back all of it,
 * and a native crash in ONNX Runtime ends that process, not the editor's.
 *
 * The child starts on the first task and exits after `idleTimeout` without one. Tasks and results
 * cross as structured clones (typed arrays included): for embedding, a few KB each way per batch.
 */
import type { ChildProcess, Serializable } from 'node:child_process';
import { forkWorker, setHeld } from './child-pool';
import { POOL_OPTIONS_ENV, type HostReply, type HostRequest, type ProcessPoolOptions } from './process-protocol';

/** What `LocalEmbedder` needs of a pool, threads or a process. */
export interface TaskPool {
  run(task: unknown, options: { name: string; transferList?: ArrayBuffer[] }): Promise<unknown>;
  close(): Promise<void>;
  /** Workers alive now (for a process pool: 1 while its process runs). */
  readonly liveWorkers: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class ProcessPiscina implements TaskPool {
  private child?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly hostScript: string,
    private readonly options: ProcessPoolOptions,
  ) {}

  get liveWorkers(): number {
    return this.child ? 1 : 0;
  }

  run(task: unknown, options: { name: string }): Promise<unknown> {
    clearTimeout(this.idleTimer);
    const child = (this.child ??= this.start());
    setHeld(child, true);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, name: options.name, task: task as Serializable } satisfies HostRequest, (error) => {
        if (error) this.settle(id, { error: `the embedding process did not take the task: ${error.message}` });
      });
    });
  }

  /** Waits for the tasks in flight, then lets the child close its pool and exit. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    await this.stop();
  }

  private start(): ChildProcess {
    const { process: child, stderrTail } = forkWorker(this.hostScript, [], { [POOL_OPTIONS_ENV]: JSON.stringify(this.options) });
    child.on('message', (reply: HostReply) => this.settle(reply.id, reply));
    child.on('error', () => undefined); // reported through 'close'
    child.once('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      clearTimeout(this.idleTimer);
      const why = `the embedding process ${signal ? `was killed (${signal})` : `exited (code ${code})`}${stderrTail().trim() ? `: ${stderrTail().trim().split('\n').slice(-3).join(' ')}` : ''}`;
      for (const id of [...this.pending.keys()]) this.settle(id, { error: why });
    });
    return child;
  }

  private settle(id: number, reply: { value?: unknown; error?: string }): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve(reply.value);
    if (this.pending.size > 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    if (this.child) {
      // An idle child must not keep this process alive (the timer neither).
      setHeld(this.child, false);
      this.idleTimer = setTimeout(() => void this.stop(), this.options.idleTimeout);
      this.idleTimer.unref();
    }
  }

  private async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    setHeld(child, true); // its exit is awaited
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.send({ close: true } satisfies HostRequest, (error) => error && child.kill('SIGKILL'));
    await gone;
  }
}
