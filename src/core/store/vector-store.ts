/**
 * The store seam (ARCHITECTURE.md): what the engine needs of a place that holds an index's chunks,
 * whether the local shards (`LocalVectorStore`, over `IndexStore`) or a server (`ChromaStore`, a team
 * index). One contract suite (test/contracts/vector-store-contract.ts) runs against every
 * implementation; another backend joins by passing it.
 *
 * Writes are staged per file and applied by `commit`, which makes a new generation: readers see the
 * previous generation or the new one, whole, never a mix. Queries return candidates; ranking across
 * stores and fusion stay in search/.
 */
import type { MetadataFilter } from 'vectra';
import type { ShardLexicalIndex } from './lexical-index';
import type { ChunkMetadata, FileUpdate, StoreHit, StoreIdentity, Tier } from './types';

/** A file as the store's catalog knows it: what the overlay compares, and what an overlay reuses. */
export interface StoredFile {
  /** sha256 of the file's bytes. */
  hash: string;
  /** The model-input hash of each chunk, in order. */
  inputHashes: string[];
  /** The commit the file came from, when the writer said (a team index). */
  commit?: string;
}

export interface StoreQueryOptions {
  /** Exact metadata matches (file types), in Vectra's filter language (`{ ext: { $in: [...] } }`). */
  filter?: MetadataFilter;
  /** Applied to each candidate, for what the filter cannot say (path globs). */
  predicate?: (metadata: ChunkMetadata) => boolean;
  /** Paths whose chunks are never returned (the overlay's changed and deleted files). */
  excludePaths?: ReadonlySet<string>;
  /** Only chunks whose vector is of this tier (a query vector compares with its own model's vectors only). */
  tier?: Tier;
}

/** A hit with its chunk text, when the store has it at hand (a server returns it with the hit). */
export interface TextHit extends StoreHit {
  text?: string;
}

/**
 * One BM25 index as search reads it: scored together with other parts (of this store or another),
 * with statistics summed over all of them (`searchLexical`), so their scores compare.
 */
export interface LexicalPart {
  index: ShardLexicalIndex;
  accept: (slot: number) => boolean;
  hitOf: (slot: number, id: string, score: number) => TextHit;
}

export interface VectorStore {
  /** What the user is told: "local index at …", "team index <name> at chroma://…". */
  readonly description: string;
  /** Model, chunk settings and dimension of the committed generation. */
  identity(): StoreIdentity;
  /** The committed generation (a number that grows with each commit; 0 before the first). */
  generation(): number;
  /** The commit named by the last `commit({ commit })`, if any. */
  indexedCommit(): string | undefined;
  /** Re-reads which generation is committed (a server's writer may have published another). */
  refresh(): Promise<void>;
  /** The tiers of vector the committed generation holds (a team index: deep only). */
  tiers(): ReadonlySet<Tier>;
  /** Path → file, for the committed generation. */
  catalog(): Promise<ReadonlyMap<string, StoredFile>>;
  stageFile(update: FileUpdate): void;
  stageRemoval(path: string): void;
  /** Applies every staged change as one new generation. */
  commit(options?: { commit?: string }): Promise<void>;
  /** The topK chunks nearest to `vector` (cosine, unit vectors), best first. */
  vectorCandidates(vector: Float32Array, topK: number, options?: StoreQueryOptions): Promise<TextHit[]>;
  /** The store's BM25 indexes, with the filters applied per slot. */
  lexicalParts(options?: StoreQueryOptions): Promise<LexicalPart[]>;
  /** A chunk's text. */
  chunkText(hit: TextHit): Promise<string>;
  /** Stored vectors by model-input hash (an overlay takes these instead of embedding again). */
  vectorsByInputHash(inputHashes: string[]): Promise<Map<string, Float32Array>>;
  close(): Promise<void>;
}

/** The store holds another model's vectors (or another dimension): a clear error naming both. */
export class StoreIdentityError extends Error {
  constructor(where: string, stored: StoreIdentity, wanted: StoreIdentity) {
    const what = (i: StoreIdentity) => `${i.modelId} (${i.dimensions} dimensions)`;
    const chunkOnly = stored.modelId === wanted.modelId && stored.dimensions === wanted.dimensions;
    super(
      chunkOnly
        ? `${where} was built with other chunk settings (${stored.chunkKey}) than this Quipu uses (${wanted.chunkKey}); index it again with this version, or use the version that built it`
        : `${where} holds vectors of ${what(stored)}, but this Quipu embeds with ${what(wanted)}: use the same model on both sides (or index the team index again with this one)`,
    );
    this.name = 'StoreIdentityError';
  }
}

export function sameIdentity(a: StoreIdentity, b: StoreIdentity): boolean {
  return a.modelId === b.modelId && a.dimensions === b.dimensions && a.chunkKey === b.chunkKey;
}

/** The filters of `options` as one predicate over a candidate's metadata. */
export function acceptorOf(options: StoreQueryOptions = {}): (metadata: ChunkMetadata) => boolean {
  const excluded = options.excludePaths;
  const filtered = baseAcceptor(options);
  const { tier } = options;
  const base = tier ? (metadata: ChunkMetadata) => metadata.tier === tier && filtered(metadata) : filtered;
  if (!excluded || excluded.size === 0) return base;
  return (metadata) => !excluded.has(metadata.path) && base(metadata);
}

function baseAcceptor(options: StoreQueryOptions): (metadata: ChunkMetadata) => boolean {
  if (options.predicate) return options.predicate;
  const types = (options.filter as { ext?: { $in?: string[] } } | undefined)?.ext?.$in;
  if (!types) return () => true;
  const allowed = new Set(types);
  return (metadata) => allowed.has(metadata.ext);
}
