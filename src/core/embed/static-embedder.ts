/**
 * Vectors at tokenizer speed: a chunk's vector is the normalised sum of its tokens' rows in the
 * static model (`static-model.ts`, distilled from the bundled MiniLM by scripts/distill-static.mjs).
 * Documents arrive as the chunk worker's MiniLM token ids, so indexing does no model work at all;
 * queries are tokenised here by the same tokenizer, prepared as the transformer's are
 * (`queryModelInput`). No worker, no ONNX Runtime: the table is read once (8 MB at 256 dimensions).
 */
import type { ChunkTokenizer } from '../chunk/chunker';
import type { DocumentInput, Embedder } from './embedder';
import type { ModelInfo } from './model';
import { queryModelInput } from './model-input';
import { embedTokens, readStaticModel, skipTable, type StaticModel } from './static-model';
import { loadTokenizer } from './tokenizer';

export class StaticEmbedder implements Embedder {
  readonly needsText = false;
  readonly batchTokens = Infinity;
  readonly batchSize = 256;
  readonly inFlight = 1;
  private readonly skip: Uint8Array;
  private tokenizer?: Promise<ChunkTokenizer>;

  private constructor(
    private readonly table: StaticModel,
    private readonly model: ModelInfo,
    private readonly path: string,
    /** Row width: the table's, or more (zeros after it), to sit in an index of the transformer's width. */
    private readonly width: number,
  ) {
    this.skip = skipTable(table);
  }

  /**
   * Reads the table (throws StaticModelError naming the file when it is missing or damaged). `model`
   * is the transformer whose tokenizer cut the chunks: the table must come from it. `padTo`: rows
   * that wide, the table's vector then zeros (cosines unchanged), so both tiers share one index.
   */
  static open(path: string, model: ModelInfo, padTo?: number): StaticEmbedder {
    const table = readStaticModel(path);
    return new StaticEmbedder(table, model, path, Math.max(table.header.dims, padTo ?? 0));
  }

  get id(): string {
    return this.table.header.id;
  }

  /** The transformer's limit, so chunks are cut exactly as for it (the two tiers share chunks). */
  get maxInputTokens(): number {
    return this.model.maxTokens;
  }

  get where(): string {
    return `on this machine (static vectors ${this.table.header.id}, from ${this.path})`;
  }

  dimensions(): Promise<number> {
    return Promise.resolve(this.width);
  }

  embedDocuments(inputs: readonly DocumentInput[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    return Promise.resolve(this.embedIds(inputs.map((input) => input.ids)));
  }

  async embedQueries(queries: readonly string[], splitWords: boolean, signal?: AbortSignal): Promise<Float32Array> {
    return this.embedTexts(
      queries.map((query) => queryModelInput(query, splitWords)),
      signal,
    );
  }

  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    const tokenizer = await (this.tokenizer ??= loadTokenizer(this.model.dir));
    signal?.throwIfAborted();
    return this.embedIds(texts.map((text) => tokenizer.encodeForModel(text, this.model.maxTokens)));
  }

  /** The same sum for ids of any source; rows of `dims` floats, one per sequence. */
  embedIds(sequences: readonly (readonly number[])[]): Float32Array {
    const dims = this.table.header.dims;
    const out = new Float32Array(sequences.length * this.width);
    sequences.forEach((ids, i) => embedTokens(this.table, ids, this.skip, out.subarray(i * this.width, i * this.width + dims)));
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
