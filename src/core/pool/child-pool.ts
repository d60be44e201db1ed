/**
 * A small pool of child processes, one task at a time each, for work on input a repository controls
 * (PDF and DOCX extraction). A worker thread under `resourceLimits` is not enough there: V8 ends
 * some out-of-memory allocations by aborting the whole process, the worker's host with it
 * (nodejs/node#47224; bench/RELIABILITY.md), and in VS Code the host is the extension host. A child
 * process under `--max-old-space-size` dies alone, whatever it allocates.
 *
 * Children start on demand, serve tasks until they have been idle for `idleMs`, and exit with their
 * parent (the IPC channel closing). A child that dies under a task rejects it with a
 * `ChildDiedError`; the caller decides whether to try again.
 */
import { fork, type ChildProcess, type Serializable } from 'node:child_process';

export interface ChildPoolOptions {
  script: string;
  maxChildren: number;
  heapMb: number;
  idleMs: number;
}

/** The task's child ended before answering: out of memory, a crash, or killed. */
export class ChildDiedError extends Error {
  override name = 'ChildDiedError';
}

interface Child {
  process: ChildProcess;
  /** Last lines of its stderr: how V8 says it ran out of memory. */
  stderrTail: () => string;
  idleTimer?: NodeJS.Timeout;
  busy: boolean;
}

interface Reply {
  value?: unknown;
  error?: string;
}

export class ChildPool {
  private readonly children = new Set<Child>();
  private readonly idle: Child[] = [];
  private closed = false;

  constructor(private readonly options: ChildPoolOptions) {}

  /** Children alive now. */
  get size(): number {
    return this.children.size;
  }

  async run<T>(task: Serializable, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error('the pool is closed');
    const child = this.idle.pop() ?? this.start();
    clearTimeout(child.idleTimer);
    child.busy = true;
    setHeld(child.process, true);
    try {
      const value = await this.ask(child, task, signal);
      return value as T;
    } finally {
      child.busy = false;
      if (this.children.has(child)) this.park(child);
    }
  }

  /** Stops idle children now and busy ones when their task ends. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.children].map((child) => (child.busy ? exited(child.process) : this.stop(child))));
  }

  /** Kills every child now; their tasks reject. */
  async destroy(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.children].map((child) => this.stop(child)));
  }

  private start(): Child {
    const { script, heapMb } = this.options;
    if (this.children.size >= this.options.maxChildren) throw new Error(`more than ${this.options.maxChildren} tasks at once`);
    const { process: process_, stderrTail } = forkWorker(script, [`--max-old-space-size=${heapMb}`]);
    const child: Child = { process: process_, stderrTail, busy: false };
    process_.on('error', () => undefined); // reported through 'exit'
    process_.once('exit', () => this.forget(child));
    this.children.add(child);
    return child;
  }

  private ask(child: Child, task: Serializable, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        done();
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.value);
      };
      const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
        done();
        if (signal?.aborted) reject(signal.reason as Error);
        else reject(new ChildDiedError(deathOf(code, exitSignal, child.stderrTail())));
      };
      const onAbort = () => child.process.kill('SIGKILL');
      const done = () => {
        child.process.off('message', onMessage);
        child.process.off('close', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      child.process.on('message', onMessage);
      // 'close', not 'exit': it comes after stderr has been read to its end, where V8 names the death.
      child.process.once('close', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      child.process.send(task, (error) => {
        if (error) child.process.kill('SIGKILL'); // reported through 'exit'
      });
    });
  }

  private park(child: Child): void {
    if (this.closed) {
      void this.stop(child);
      return;
    }
    // An idle child must not keep the process alive (a CLI run ends when its work does).
    setHeld(child.process, false);
    this.idle.push(child);
    child.idleTimer = setTimeout(() => void this.stop(child), this.options.idleMs);
    child.idleTimer.unref();
  }

  private async stop(child: Child): Promise<void> {
    clearTimeout(child.idleTimer);
    const gone = exited(child.process);
    setHeld(child.process, true); // its exit is awaited: an unreferenced child would let the process end first
    child.process.kill('SIGKILL');
    await gone;
  }

  private forget(child: Child): void {
    clearTimeout(child.idleTimer);
    this.children.delete(child);
    const at = this.idle.indexOf(child);
    if (at >= 0) this.idle.splice(at, 1);
  }
}

/** How a child died, in words for a skip reason. */
function deathOf(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap limit|out of memory/i.test(stderr)) return 'ran out of memory';
  return signal ? `was killed (${signal})` : `crashed (exit code ${code})`;
}

/**
 * A worker script in a child process that talks over IPC with structured clones (typed arrays
 * included, as worker threads pass them), its stderr's last lines kept for the reason it died.
 */
export function forkWorker(script: string, execArgv: string[], env: NodeJS.ProcessEnv = {}): { process: ChildProcess; stderrTail: () => string } {
  const child = fork(script, [], {
    // Nothing inherited (an --inspect flag would clash); in Electron's extension host, run as Node.
    execArgv,
    env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: '1' },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (tail = (tail + text).slice(-2000)));
  return { process: child, stderrTail: () => tail };
}

/** Whether a child (its handle and IPC channel) keeps this process's event loop alive. */
export function setHeld(child: ChildProcess, held: boolean): void {
  if (held) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
