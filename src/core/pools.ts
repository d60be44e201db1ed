/**
 * The worker pools of one engine: extract (PDF/DOCX), chunk (tokenise + cut) and embed (ONNX).
 * Worker scripts are the esbuild bundles in dist/workers (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from '../workers/chunk-worker';
import type { QueryTask } from '../workers/embed-worker';
import type { ChunkSettings, PipelineSettings } from './config';
import type { PackedBatch } from './embed/batch';
import type { RuntimeInfo } from './embed/runtime';
import { packageRoot, type ModelInfo } from './embed/model';
import type { DocumentKind, ExtractedDocument } from './extract/kinds';

export function workerScript(name: 'extract-worker' | 'chunk-worker' | 'embed-worker'): string {
  const dir = process.env.QUIPU_WORKER_DIR || join(packageRoot(), 'dist', 'workers');
  const file = join(dir, `${name}.js`);
  if (!existsSync(file)) throw new Error(`Worker script ${file} is missing: run \`npm run build\` first.`);
  return file;
}

export class EnginePools {
  private extractPool?: Piscina;
  private chunkPool?: Piscina;
  private embedPool?: Piscina;
  /** The priority lane: queries never queue behind an indexing backlog. */
  private queryPool?: Piscina;

  constructor(
    private readonly model: ModelInfo,
    private readonly settings: PipelineSettings,
  ) {}

  async extract(kind: DocumentKind, bytes: Uint8Array, signal?: AbortSignal): Promise<ExtractedDocument> {
    this.extractPool ??= new Piscina({
      filename: workerScript('extract-worker'),
      minThreads: 0,
      maxThreads: this.settings.extractWorkers,
      idleTimeout: 30_000,
    });
    return this.extractPool.run({ kind, bytes }, { name: 'extract', signal }) as Promise<ExtractedDocument>;
  }

  async chunk(source: ChunkTask['source'], settings: ChunkSettings, signal?: AbortSignal, file?: { language: string; path: string }): Promise<ChunkResult> {
    this.chunkPool ??= new Piscina({
      filename: workerScript('chunk-worker'),
      minThreads: 0,
      maxThreads: this.settings.chunkWorkers,
      idleTimeout: 30_000,
      workerData: { modelDir: this.model.dir },
    });
    // Transfer, don't copy: but only a buffer the bytes own whole (Node pools small buffers).
    const ownsBuffer = 'bytes' in source && source.bytes.byteOffset === 0 && source.bytes.byteLength === source.bytes.buffer.byteLength;
    const transferList = ownsBuffer ? [source.bytes.buffer as ArrayBuffer] : [];
    return this.chunkPool.run({ source, settings, language: file?.language, path: file?.path } satisfies ChunkTask, { name: 'chunk', signal, transferList }) as Promise<ChunkResult>;
  }

  private embedder(): Piscina {
    this.embedPool ??= this.embedWorkers(this.settings.embedWorkers, this.settings.embedThreads, 60_000);
    return this.embedPool;
  }

  /**
   * One worker with its own session and one thread, for queries (and `embed`): a search embeds its
   * query at once, even while indexing keeps the indexing workers' queue full. Costs one more model
   * in memory (~60 MB for MiniLM), kept for 5 minutes after the last query.
   */
  private queryLane(): Piscina {
    this.queryPool ??= this.embedWorkers(1, 1, 300_000);
    return this.queryPool;
  }

  private embedWorkers(count: number, threads: number, idleTimeout: number): Piscina {
    return new Piscina({
      filename: workerScript('embed-worker'),
      minThreads: 0,
      maxThreads: count,
      idleTimeout,
      workerData: {
        onnxPath: this.model.onnxPath,
        modelDir: this.model.dir,
        threads,
        maxTokens: this.model.maxTokens,
      },
    });
  }

  /**
   * The signal is checked before a batch is queued, never handed to piscina: piscina aborts a running
   * task by terminating its worker, and terminating a thread inside an ONNX Runtime call aborts the
   * whole process (Napi::Error). A batch takes well under a second, so letting it finish is cheap.
   */
  async embedBatch(batch: PackedBatch, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return this.embedder().run(batch, { name: 'embedBatch', transferList: [batch.ids.buffer as ArrayBuffer, batch.lengths.buffer as ArrayBuffer] }) as Promise<Float32Array>;
  }

  /** Texts embedded exactly as given, in the query lane. */
  async embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return this.queryLane().run(texts, { name: 'embedTexts' }) as Promise<Float32Array>;
  }

  /** Search queries, prepared for the model as chunks are (see embed/model-input.ts), in the query lane. */
  async embedQueries(queries: string[], splitWords: boolean, signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return this.queryLane().run({ queries, splitWords } satisfies QueryTask, { name: 'embedQueries' }) as Promise<Float32Array>;
  }

  async dimensions(): Promise<number> {
    return this.queryLane().run(null, { name: 'dimensions' }) as Promise<number>;
  }

  /** Which ONNX Runtime the embedding workers run: native, or WebAssembly and why. */
  async runtime(): Promise<RuntimeInfo> {
    return this.queryLane().run(null, { name: 'runtime' }) as Promise<RuntimeInfo>;
  }

  /** Waits for running tasks, then stops every worker. */
  async close(): Promise<void> {
    await Promise.all([this.extractPool?.close(), this.chunkPool?.close(), this.embedPool?.close(), this.queryPool?.close()]);
    this.extractPool = this.chunkPool = this.embedPool = this.queryPool = undefined;
  }

  async destroy(): Promise<void> {
    await Promise.all([this.extractPool?.destroy(), this.chunkPool?.destroy(), this.embedPool?.destroy(), this.queryPool?.destroy()]);
    this.extractPool = this.chunkPool = this.embedPool = this.queryPool = undefined;
  }
}
