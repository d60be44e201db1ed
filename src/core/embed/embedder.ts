/**
 * The seam between the engine and whatever computes embeddings: the local ONNX pool
 * (`local-embedder.ts`, CPU work in worker threads) or a remote endpoint (`remote-embedder.ts`,
 * async HTTP). The indexer, the query lane, eval and the benchmarks see only this.
 */

/** One chunk as the model reads it: the local tokenizer's ids, and the text they came from. */
export interface DocumentInput {
  ids: readonly number[];
  /** The model input as text; given when `needsText` (a remote model tokenises by itself). */
  text?: string;
}

export interface Embedder {
  /** Recorded with every vector: another id means another vector space, so the index rebuilds. */
  readonly id: string;
  /** Longest input the model reads, in tokens (chunks are cut to fit). */
  readonly maxInputTokens: number;
  /** Inputs per call that suit it. */
  readonly batchSize: number;
  /** Total tokens per call (a remote server's request limit); Infinity when only `batchSize` counts. */
  readonly batchTokens: number;
  /** Calls worth keeping in flight at once. */
  readonly inFlight: number;
  /** True when the model reads text rather than the local tokenizer's ids. */
  readonly needsText: boolean;
  /** Where the vectors are computed, for people ("on this machine: 2 workers", "at http://gpu:8080/v1 (bge-m3)"). */
  readonly where: string;
  /** Vector size (asks the model when no config says it). */
  dimensions(): Promise<number>;
  /** Unit vectors of the inputs, `dimensions` floats each, in order. The signal stops waiting work. */
  embedDocuments(inputs: readonly DocumentInput[], signal?: AbortSignal): Promise<Float32Array>;
  /** Search queries, prepared as chunks are (`splitWords`: see embed/model-input.ts). */
  embedQueries(queries: readonly string[], splitWords: boolean, signal?: AbortSignal): Promise<Float32Array>;
  /** Texts exactly as given (`quipu embed`, the reference tests). */
  embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array>;
  close(): Promise<void>;
}
