/**
 * The worker pools of one engine: extract (PDF/DOCX) and chunk (tokenise + cut). The embedding
 * workers belong to the local embedder (embed/local-embedder.ts).
 * Worker scripts are the esbuild bundles in dist/workers (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ChildDiedError, ChildPool } from './child-pool';
import { CHUNK_TASKS, type ChunkResult, type ChunkTask, type ChunkWorkerData } from './chunk-protocol';
import { DEFAULT_LIMIT_SETTINGS, type ChunkSettings, type LimitSettings, type PipelineSettings } from '../config/config';
import { packageRoot } from '../files/package-root';
import type { DocumentKind, ExtractedDocument, ExtractLimits } from '../extract/kinds';
import type { ExtractTask } from './extract-protocol';

export function workerScript(name: 'extract-process' | 'chunk-worker' | 'embed-worker' | 'pool-host'): string {
  const dir = process.env.QUIPU_WORKER_DIR || join(packageRoot(), 'dist', 'workers');
  const file = join(dir, `${name}.js`);
  if (!existsSync(file)) throw new Error(`Worker script ${file} is missing: run \`npm run build\` first.`);
  return file;
}

export interface ChunkItem {
  source: ChunkTask['source'];
  file: { language: string; path: string; inputText?: boolean };
}

/**
 * At most `limit` tasks handed to a pool at once. Piscina queues the rest, and a task queued when
 * the pool's only worker dies waits forever (with minThreads 0, which lets idle pools close, a
 * queued task starts no worker): so tasks wait here instead, and each attempt takes a place.
 */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

export class EnginePools {
  private extractPool?: ChildPool;
  private chunkPool?: Piscina;
  private readonly extractGate: Gate;
  private readonly chunkGate: Gate;

  constructor(
    /** The model folder whose tokenizer the chunk workers load. */
    private readonly model: { dir: string },
    private readonly settings: PipelineSettings,
    private readonly limits: LimitSettings = DEFAULT_LIMIT_SETTINGS,
  ) {
    this.extractGate = new Gate(settings.extractWorkers);
    this.chunkGate = new Gate(settings.chunkWorkers);
  }

  /**
   * Extract and chunk workers parse what a repository holds, so each runs under a heap cap: a file
   * that makes pdf.js, mammoth or the tokenizer run away kills its own worker, not the process — in
   * VS Code, not the extension host. Extraction (PDF, DOCX: whole documents, zip and Flate streams)
   * runs in child processes, which die alone whatever they allocate (child-pool.ts says why); the
   * chunk workers' input is text of at most 1 MB, so threads with `resourceLimits` do. Embedding
   * workers have no cap: their input is token ids of bounded length, and ONNX Runtime's memory is
   * native anyway.
   */
  private extractProcesses(): ChildPool {
    return new ChildPool({
      script: workerScript('extract-process'),
      maxChildren: this.settings.extractWorkers,
      heapMb: this.limits.workerHeapMb,
      idleMs: this.settings.workerIdleSeconds * 1000,
    });
  }

  private hostilePool(name: 'chunk-worker', maxThreads: number, workerData?: unknown): Piscina {
    const pool = new Piscina({
      filename: workerScript(name),
      minThreads: 0,
      maxThreads,
      idleTimeout: this.settings.workerIdleSeconds * 1000,
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.workerHeapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, this.limits.workerHeapMb / 16)) },
    });
    // A worker that dies with no task of its own must not take the process with it (an unhandled 'error').
    pool.on('error', () => undefined);
    return pool;
  }

  async extract(kind: DocumentKind, bytes: Uint8Array, signal?: AbortSignal): Promise<ExtractedDocument> {
    this.extractPool ??= this.extractProcesses();
    const pool = this.extractPool;
    const limits: ExtractLimits = { maxInflatedBytes: this.limits.maxInflatedBytes, maxExtractedChars: this.limits.maxExtractedChars };
    // The bytes are copied to the child; a retry after it died sends them again.
    const result = await retryOnWorkerDeath(() => this.extractGate.run(() => pool.run<ExtractedDocument>({ kind, bytes, limits } satisfies ExtractTask, signal)), signal);
    if ('died' in result) throw new WorkerDiedError(`the extract worker ${result.died} twice on it`);
    return result.value;
  }

  async chunk(source: ChunkTask['source'], settings: ChunkSettings, signal?: AbortSignal, file?: { language: string; path: string; inputText?: boolean }): Promise<ChunkResult> {
    this.chunkPool ??= this.hostilePool('chunk-worker', this.settings.chunkWorkers, { modelDir: this.model.dir } satisfies ChunkWorkerData);
    const pool = this.chunkPool;
    const task = { source, settings, language: file?.language, path: file?.path, inputText: file?.inputText } satisfies ChunkTask;
    const result = await retryOnWorkerDeath(async () => {
      // Transfer, don't copy (but only a buffer the bytes own whole: Node pools small buffers). A
      // transferred buffer is gone from this thread, so a retry after a worker died sends a copy.
      if ('bytes' in source && source.bytes.byteOffset === 0 && source.bytes.byteLength === source.bytes.buffer.byteLength) {
        const bytes = new Uint8Array(source.bytes); // a copy (Buffer#slice would share the memory)
        return this.chunkGate.run(() => pool.run({ ...task, source: { bytes } }, { name: CHUNK_TASKS.chunk, signal, transferList: [bytes.buffer] }) as Promise<ChunkResult>);
      }
      return this.chunkGate.run(() => pool.run(task, { name: CHUNK_TASKS.chunk, signal }) as Promise<ChunkResult>);
    }, signal);
    return 'died' in result ? { kind: 'skipped', reason: `the chunk worker ${result.died} twice on it` } : result.value;
  }

  /**
   * Several files in one task (small files: the trip between threads costs more than chunking
   * them). When the worker dies under the group, each file is tried alone, so only the file that
   * kills it is skipped, with the reason `chunk` gives.
   */
  async chunkMany(items: ChunkItem[], settings: ChunkSettings, signal?: AbortSignal): Promise<ChunkResult[]> {
    if (items.length === 1) return [await this.chunk(items[0].source, settings, signal, items[0].file)];
    this.chunkPool ??= this.hostilePool('chunk-worker', this.settings.chunkWorkers, { modelDir: this.model.dir } satisfies ChunkWorkerData);
    const tasks = items.map(({ source, file }) => ({ source, settings, language: file.language, path: file.path, inputText: file.inputText }) satisfies ChunkTask);
    try {
      // Copied, not transferred: the files are tried again one by one if the worker dies.
      const pool = this.chunkPool;
      return await this.chunkGate.run(() => pool.run(tasks, { name: CHUNK_TASKS.chunkMany, signal }) as Promise<ChunkResult[]>);
    } catch (error) {
      if (signal?.aborted || !workerDeathOf(error)) throw error;
    }
    const results: ChunkResult[] = [];
    for (const item of items) results.push(await this.chunk(item.source, settings, signal, item.file));
    return results;
  }

  /**
   * A run has chunked its last file: without `keepChunkWorkers`, the chunk workers exit now (after
   * their running tasks) rather than idle beside the embedding workers; a later task starts new ones.
   */
  async chunkingDone(): Promise<void> {
    if (this.settings.keepChunkWorkers) return;
    const pool = this.chunkPool;
    this.chunkPool = undefined;
    await pool?.close();
  }

  /** Waits for running tasks, then stops every worker. */
  async close(): Promise<void> {
    await Promise.all([this.extractPool?.close(), this.chunkPool?.close()]);
    this.extractPool = this.chunkPool = undefined;
  }

  /** Extract processes and chunk threads alive now (they exit after `workerIdleSeconds` without a task). */
  get liveWorkers(): number {
    return (this.extractPool?.size ?? 0) + (this.chunkPool?.threads.length ?? 0);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.extractPool?.destroy(), this.chunkPool?.destroy()]);
    this.extractPool = this.chunkPool = undefined;
  }
}

/** A task whose worker died (out of memory, a crash) on the first try and on the retry. */
export class WorkerDiedError extends Error {
  override name = 'WorkerDiedError';
}

/** How a worker died, from piscina's or the child pool's error, or undefined for an ordinary task error. */
export function workerDeathOf(error: unknown): string | undefined {
  if (error instanceof ChildDiedError) return error.message;
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'ran out of memory';
  const exit = /^worker exited with code: (-?\d+)/.exec(e?.message ?? '');
  return exit ? `crashed (exit code ${exit[1]})` : undefined;
}

/**
 * Runs a task; when its worker died under it (not when the task failed), runs it once more in a
 * fresh worker — one crash may be the neighbour's fault, a second is the file's.
 */
async function retryOnWorkerDeath<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<{ value: T } | { died: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await run() };
    } catch (error) {
      const death = signal?.aborted ? undefined : workerDeathOf(error);
      if (!death) throw error;
      if (attempt === 1) return { died: death };
    }
  }
}
