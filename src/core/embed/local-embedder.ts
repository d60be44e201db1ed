/**
 * The bundled model (or a model folder) on this machine: ONNX Runtime sessions in worker threads,
 * of this process or of a child process (`embedInChildProcess`, core/process-piscina.ts).
 * Documents go to the indexing workers as pre-tokenised batches (transferred, not copied); queries
 * and `embed` have a lane of their own, so a search never waits behind an indexing backlog.
 */
import type { RuntimeInfo } from './runtime';
import { Piscina } from 'piscina';
import type { PipelineSettings } from '../config/config';
import { workerScript } from '../pool/pools';
import { ProcessPiscina, type TaskPool } from '../pool/process-piscina';
import { packBatch } from './batch';
import { EMBED_TASKS, type EmbedTaskInput, type EmbedTaskName, type EmbedTaskResult, type EmbedWorkerData } from './embed-protocol';
import type { DocumentInput, Embedder } from './embedder';
import type { ModelInfo } from './model';

export class LocalEmbedder implements Embedder {
  readonly needsText = false;
  readonly batchTokens = Infinity;
  private embedPool?: TaskPool;
  /** The priority lane: queries never queue behind an indexing backlog. */
  private queryPool?: TaskPool;
  /** The first indexing worker's session, created before any other worker starts creating its own. */
  private firstSession?: Promise<unknown>;

  constructor(
    private readonly model: ModelInfo,
    private readonly settings: PipelineSettings,
  ) {}

  get id(): string {
    return this.model.id;
  }

  get maxInputTokens(): number {
    return this.model.maxTokens;
  }

  get batchSize(): number {
    return this.settings.batchSize;
  }

  /** One batch per worker and one waiting, so no worker idles between batches. */
  get inFlight(): number {
    return this.settings.embedWorkers + 1;
  }

  get where(): string {
    const workers = this.settings.embedWorkers;
    return `on this machine (${this.model.id}, ${workers} worker${workers === 1 ? '' : 's'})`;
  }

  private embedder(): TaskPool {
    this.embedPool ??= this.embedWorkers(this.settings.embedWorkers, this.settings.embedThreads, this.settings.workerIdleSeconds * 1000);
    return this.embedPool;
  }

  /**
   * One worker with its own session and one thread, for queries (and `embed`): a search embeds its
   * query at once, even while indexing keeps the indexing workers' queue full. Costs one more model
   * in memory (bench/SCALING.md), kept for five times `workerIdleSeconds` (5 minutes by default)
   * after the last query.
   */
  private queryLane(): TaskPool {
    this.queryPool ??= this.embedWorkers(1, 1, this.settings.workerIdleSeconds * 5000);
    return this.queryPool;
  }

  private embedWorkers(count: number, threads: number, idleTimeout: number): TaskPool {
    const options = {
      filename: workerScript('embed-worker'),
      maxThreads: count,
      idleTimeout,
      workerData: { onnxPath: this.model.onnxPath, modelDir: this.model.dir, threads, maxTokens: this.model.maxTokens } satisfies EmbedWorkerData,
    };
    if (this.settings.embedInChildProcess) return new ProcessPiscina(workerScript('pool-host'), options);
    const pool = new Piscina({ ...options, minThreads: 0 });
    return { run: (task, runOptions) => pool.run(task, runOptions), close: () => pool.close(), get liveWorkers() { return pool.threads.length; } };
  }

  /**
   * The signal is checked before a batch is queued, never handed to piscina: piscina aborts a running
   * task by terminating its worker, and terminating a thread inside an ONNX Runtime call aborts the
   * whole process (Napi::Error). A batch takes well under a second, so letting it finish is cheap.
   */
  async embedDocuments(inputs: readonly DocumentInput[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    const pool = this.embedder();
    await this.oneSessionFirst(pool);
    signal?.throwIfAborted();
    const batch = packBatch(inputs.map((input) => input.ids));
    return run(pool, EMBED_TASKS.embedBatch, batch, [batch.ids.buffer as ArrayBuffer, batch.lengths.buffer as ArrayBuffer]);
  }

  /**
   * Creating a session peaks ~60 MB above what it then holds (the int8 weights beside their float
   * copies). Created side by side, the workers' peaks add up: the first batches wait until one
   * worker has its session (a `dimensions` task makes it), so the next worker creates its own while
   * that one embeds (express: peak 560 → 510 MB; bench/MEMORY.md). Once per pool; a failure is
   * not kept, so the next batch tries again as it did before.
   */
  private oneSessionFirst(pool: TaskPool): Promise<unknown> {
    this.firstSession ??= run(pool, EMBED_TASKS.dimensions, null).catch((error: unknown) => {
      this.firstSession = undefined;
      throw error;
    });
    return this.firstSession;
  }

  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return run(this.queryLane(), EMBED_TASKS.embedTexts, [...texts]);
  }

  async embedQueries(queries: readonly string[], splitWords: boolean, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return run(this.queryLane(), EMBED_TASKS.embedQueries, { queries: [...queries], splitWords });
  }

  async dimensions(): Promise<number> {
    return this.model.dimensions ?? (await run(this.queryLane(), EMBED_TASKS.dimensions, null));
  }

  /** Which ONNX Runtime the embedding workers run: native, or WebAssembly and why. */
  async runtime(): Promise<RuntimeInfo> {
    return run(this.queryLane(), EMBED_TASKS.runtime, null);
  }

  /** Embedding workers alive now, indexing and query lane (idle ones exit: `workerIdleSeconds`). */
  get liveWorkers(): number {
    return (this.embedPool?.liveWorkers ?? 0) + (this.queryPool?.liveWorkers ?? 0);
  }

  /** Waits for running tasks, then stops every worker. */
  async close(): Promise<void> {
    await Promise.all([this.embedPool?.close(), this.queryPool?.close()]);
    this.embedPool = this.queryPool = undefined;
    this.firstSession = undefined;
  }
}

/** One task of the embedding worker, its input and result typed by the protocol. */
function run<Name extends EmbedTaskName>(pool: TaskPool, name: Name, task: EmbedTaskInput<Name>, transferList?: ArrayBuffer[]): Promise<EmbedTaskResult<Name>> {
  return pool.run(task, { name, ...(transferList ? { transferList } : {}) }) as Promise<EmbedTaskResult<Name>>;
}
