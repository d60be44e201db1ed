/**
 * The worker pools of one engine: extract (PDF/DOCX) and chunk (tokenise + cut). The embedding
 * workers belong to the local embedder (embed/local-embedder.ts).
 * Worker scripts are the esbuild bundles in dist/workers (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from '../workers/chunk-worker';
import type { ChunkSettings, PipelineSettings } from './config';
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

  async chunk(source: ChunkTask['source'], settings: ChunkSettings, signal?: AbortSignal, file?: { language: string; path: string; inputText?: boolean }): Promise<ChunkResult> {
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
    return this.chunkPool.run({ source, settings, language: file?.language, path: file?.path, inputText: file?.inputText } satisfies ChunkTask, { name: 'chunk', signal, transferList }) as Promise<ChunkResult>;
  }

  /** Waits for running tasks, then stops every worker. */
  async close(): Promise<void> {
    await Promise.all([this.extractPool?.close(), this.chunkPool?.close()]);
    this.extractPool = this.chunkPool = undefined;
  }

  async destroy(): Promise<void> {
    await Promise.all([this.extractPool?.destroy(), this.chunkPool?.destroy()]);
    this.extractPool = this.chunkPool = undefined;
  }
}
