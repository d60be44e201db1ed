/**
 * What crosses between the chunk pool (pool/pools.ts) and the chunk worker (src/workers/chunk-worker.ts):
 * its start-up data, its task names, each task's input and result. Both sides import this module;
 * core never imports a worker entry point.
 */
import type { Chunk } from '../chunk/chunker';
import type { ChunkSettings } from '../config/config';
import type { PageStart } from '../extract/kinds';

export interface ChunkWorkerData {
  /** The model folder whose tokenizer cuts the chunks. */
  modelDir: string;
}


export interface ChunkTask {
  /** Raw bytes of a text file, or text already extracted (and normalised) from a document. */
  source: { bytes: Uint8Array } | { text: string; pages?: PageStart[] };
  settings: ChunkSettings;
  /** The file's language id: code and Markdown are cut along their structure. */
  language?: string;
  /** The file's path relative to its folder (for `settings.embedContext`). */
  path?: string;
  /** Send each chunk's model input as text too (`input`): a remote model tokenises by itself. */
  inputText?: boolean;
}

/** A chunk with its page (PDF) and, when asked for, the model input as text, cut as its ids are. */
export type PagedChunk = Chunk & { page?: number; input?: string };
/** Chunks, or why a plain-text file is not indexed (binary, minified, data). */
export type ChunkResult = { kind: 'skipped'; reason: string } | { kind: 'chunks'; chunks: PagedChunk[] };

/** The worker's exports that piscina runs by name: each task's input and result. */
export interface ChunkWorkerTasks {
  chunk(task: ChunkTask): Promise<ChunkResult>;
  /** Several small files in one trip between threads. */
  chunkMany(tasks: ChunkTask[]): Promise<ChunkResult[]>;
}

/** The task names, for `pool.run(task, { name })`. */
export const CHUNK_TASKS = { chunk: 'chunk', chunkMany: 'chunkMany' } as const satisfies { [Name in keyof ChunkWorkerTasks]: Name };

/** The worker's start-up data, checked: a worker started without a model folder stops at once, saying so. */
export function chunkWorkerDataOf(value: unknown): ChunkWorkerData {
  const data = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof ChunkWorkerData, unknown>>;
  if (typeof data.modelDir !== 'string' || data.modelDir === '') throw new TypeError(`the chunk worker needs workerData.modelDir, a folder; got ${JSON.stringify(value)}`);
  return { modelDir: data.modelDir };
}
