/**
 * Embedding worker: holds one ONNX Runtime session. Tasks are pre-tokenised batches; vectors go
 * back as one transferred Float32Array. Query texts are tokenised here too (lazily), so a search
 * needs no tokenizer on the caller's thread.
 */
import { move, workerData } from 'piscina';
import type { ChunkTokenizer } from '../core/chunk/chunker';
import { packBatch, type PackedBatch } from '../core/embed/batch';
import { embedWorkerDataOf, type EmbedWorkerTasks, type QueryTask } from '../core/embed/embed-protocol';
import { cutsWords, queryModelInput } from '../core/embed/model-input';
import { OnnxEmbedder } from '../core/embed/onnx-embedder';
import { loadRuntime, type EmbedRuntime, type RuntimeInfo } from '../core/embed/runtime';
import { loadTokenizer } from '../core/embed/tokenizer';

const data = embedWorkerDataOf(workerData);
let embedder: Promise<OnnxEmbedder> | undefined;
let tokenizer: Promise<ChunkTokenizer> | undefined;
let ortRuntime: EmbedRuntime | undefined;

function session(): Promise<OnnxEmbedder> {
  embedder ??= OnnxEmbedder.create(data.onnxPath, data.threads, (ortRuntime ??= loadRuntime()));
  return embedder;
}

/** Which ONNX Runtime this worker runs the model on (loads it, not the model). */
export function runtime(): RuntimeInfo {
  const { backend, reason } = (ortRuntime ??= loadRuntime());
  return { backend, reason };
}

export async function embedBatch(batch: PackedBatch): Promise<Float32Array> {
  return move(await (await session()).embed(batch)) as unknown as Float32Array;
}

/** Texts embedded exactly as given (the `embed` command, and the reference tests). */
export async function embedTexts(texts: string[]): Promise<Float32Array> {
  const tok = await (tokenizer ??= loadTokenizer(data.modelDir));
  return embedBatch(packBatch(texts.map((text) => tok.encodeForModel(text, data.maxTokens))));
}

/** Search queries, prepared as chunks are (`queryModelInput`), so both meet on the same words. */
export async function embedQueries({ queries, splitWords }: QueryTask): Promise<Float32Array> {
  const tok = await (tokenizer ??= loadTokenizer(data.modelDir));
  return embedBatch(packBatch(queries.map((query) => tok.encodeForModel(queryModelInput(query, cutsWords(splitWords, tok)), data.maxTokens))));
}

export async function dimensions(): Promise<number> {
  return (await session()).dimensions;
}

// The exports LocalEmbedder runs by name are the protocol's tasks, with its types.
void ({ embedBatch, embedTexts, embedQueries, dimensions, runtime } satisfies EmbedWorkerTasks);
