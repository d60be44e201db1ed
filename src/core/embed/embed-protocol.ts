/**
 * What crosses between `LocalEmbedder` (embed/local-embedder.ts) and the embedding worker
 * (src/workers/embed-worker.ts): its start-up data, its task names, and each task's input and result.
 * Both sides import this module; core never imports a worker entry point.
 */
import type { PackedBatch } from './batch';
import type { RuntimeInfo } from './runtime';

/** The worker's start-up data: the model it loads, its ONNX Runtime threads and the model's input limit. */
export interface EmbedWorkerData {
  onnxPath: string;
  modelDir: string;
  threads: number;
  maxTokens: number;
}

export interface QueryTask {
  queries: string[];
  /** The index's `ChunkSettings.splitWords`: queries are cut into words as its chunks were. */
  splitWords: boolean;
}

/** The worker's exports that piscina runs by name: each task's input and result. */
export interface EmbedWorkerTasks {
  /** Pre-tokenised documents; the vectors come back as one transferred array. */
  embedBatch(batch: PackedBatch): Promise<Float32Array>;
  /** Texts embedded exactly as given (the `embed` command, and the reference tests). */
  embedTexts(texts: string[]): Promise<Float32Array>;
  /** Search queries, prepared as chunks are. */
  embedQueries(task: QueryTask): Promise<Float32Array>;
  dimensions(task: null): Promise<number>;
  /** Which ONNX Runtime the worker runs the model on. */
  runtime(task: null): RuntimeInfo;
}

export type EmbedTaskName = keyof EmbedWorkerTasks;

/** The task names, for `pool.run(task, { name })`. */
export const EMBED_TASKS = {
  embedBatch: 'embedBatch',
  embedTexts: 'embedTexts',
  embedQueries: 'embedQueries',
  dimensions: 'dimensions',
  runtime: 'runtime',
} as const satisfies { [Name in EmbedTaskName]: Name };

export type EmbedTaskInput<Name extends EmbedTaskName> = Parameters<EmbedWorkerTasks[Name]>[0];
export type EmbedTaskResult<Name extends EmbedTaskName> = Awaited<ReturnType<EmbedWorkerTasks[Name]>>;

/**
 * The worker's start-up data, checked: a worker started with a wrong one stops at once, naming the
 * field, instead of failing later inside ONNX Runtime or the tokenizer.
 */
export function embedWorkerDataOf(value: unknown): EmbedWorkerData {
  const data = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof EmbedWorkerData, unknown>>;
  const problems: string[] = [];
  for (const key of ['onnxPath', 'modelDir'] as const) {
    if (typeof data[key] !== 'string' || data[key] === '') problems.push(`${key} must be a path`);
  }
  for (const key of ['threads', 'maxTokens'] as const) {
    if (!Number.isInteger(data[key]) || (data[key] as number) < 1) problems.push(`${key} must be a positive integer`);
  }
  if (problems.length > 0) throw new TypeError(`the embedding worker's workerData is wrong: ${problems.join('; ')}`);
  return { onnxPath: data.onnxPath as string, modelDir: data.modelDir as string, threads: data.threads as number, maxTokens: data.maxTokens as number };
}
