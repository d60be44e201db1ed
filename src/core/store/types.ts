/**
 * What the store's modules and their callers share: the records kept in the index (manifest, catalog,
 * chunk metadata), what goes in (a file's chunks) and comes out (searchable shards), and the error
 * every read of a damaged index file becomes.
 */
import type { WriteHost } from '../files/host';
import type { VectorMatrix } from './dot-kernel';
import type { FileSum } from './file-sums';
import type { ShardLexicalIndex } from './lexical-index';

/**
 * Which embedding a chunk's vector is: the static model's (`fast`, at tokenizer speed) or the
 * transformer's (`deep`: the local MiniLM or a remote model). An index of two tiers holds both kinds,
 * each chunk in its best; search scores each kind with its own query vector (search/search.ts).
 */
export type Tier = 'fast' | 'deep';

export interface ChunkRecord {
  text: string;
  startLine: number;
  endLine: number;
  /** PDF page (1-based), when known. */
  page?: number;
  /**
   * Hash of what the model read for the chunk (its input ids: path, symbol and text as prepared).
   * Chunks with the same input share one embedding; the same text in two files does not, since
   * each is read with its own path.
   */
  inputHash: string;
  vector: Float32Array;
  /** Which embedding `vector` is (absent: deep). */
  tier?: Tier;
  /** Enclosing symbol (function, class, heading), when the chunker knows it. */
  symbol?: string;
}

export interface FileUpdate {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  ext: string;
  language: string;
  chunks: ChunkRecord[];
}

export interface CatalogEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  modelId: string;
  chunkKey: string;
  shard: number;
  textKey: string;
  chunkIds: string[];
  /** Length and CRC32 of the texts file (absent in an index written before Quipu kept them). */
  textSum?: FileSum;
  /** How many of its chunks have only a fast-tier vector (absent: none; every chunk is deep). */
  fastChunks?: number;
}

/** What a shard's committed files must hold, recorded with the generation they were written for. */
export interface ShardSums {
  generation: number;
  vectors: FileSum;
  lexical: FileSum;
}

export interface Manifest {
  formatVersion: number;
  modelId: string;
  chunkKey: string;
  dimensions: number;
  shards: number;
  catalogGeneration: number;
  shardGenerations: number[];
  updatedAt: string;
  /** The commit the folder was at, when the indexer was told (a team index's base). */
  commit?: string;
  /**
   * Per shard, its files' lengths and checksums (null: none). An entry counts only for the generation
   * it names: an older Quipu that rewrites a shard keeps the field as it was, and must not make the new
   * files look damaged. Checked whenever a shard is loaded and by `verify`.
   */
  shardSums?: (ShardSums | null)[];
}

/** The metadata kept for every chunk; all of it filterable. */
export interface ChunkMetadata extends Record<string, string | number | boolean> {
  path: string;
  ext: string;
  lang: string;
  startLine: number;
  endLine: number;
  /** 0 when the file has no pages. */
  page: number;
  /** Position of the chunk's text in its file's texts record. */
  chunk: number;
  textKey: string;
  /** See `ChunkRecord.inputHash`. */
  inputHash: string;
  /** Enclosing symbol (function, class, heading), when known ('' when not). */
  symbol: string;
  /** Which embedding the chunk's vector is. */
  tier: Tier;
}

export interface StoreIdentity {
  modelId: string;
  /** Chunk settings and tokenizer, as one comparable string. */
  chunkKey: string;
  dimensions: number;
}

export interface StoreHit {
  id: string;
  score: number;
  metadata: ChunkMetadata;
}

/**
 * A committed shard as search reads it: its chunks' ids and metadata by row, its vectors (unit
 * length) in the same rows, and, loaded on demand, its BM25 index with each slot's row. The store
 * holds and returns; ranking across shards, filters and fusion are search's (search/candidates.ts).
 */
export interface SearchableShard {
  ids: readonly string[];
  metadata: readonly ChunkMetadata[];
  vectors: VectorMatrix;
  lexical(): Promise<{ index: ShardLexicalIndex; rows: Int32Array }>;
}

/**
 * The committed index as the store's modules see it: one manifest and the catalog it names, both
 * replaced by each commit, and where the index's own writes go (tests make it fail as Windows does).
 */
export interface IndexState {
  readonly dir: string;
  manifest: Manifest;
  catalog: Map<string, CatalogEntry>;
  readonly writeHost: WriteHost;
}

/** An index file that cannot be read as what it should be; the message names the file and why. */
export class IndexCorruptError extends Error {
  override name = 'IndexCorruptError';

  constructor(
    message: string,
    /** The damaged file, when one is to blame. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/**
 * Wraps a failure to read an index file as what it is, naming the file (a vanished file stays
 * ENOENT: a writer may have just replaced it). With `tell`, for reads callers go on without (texts),
 * it hears of the damage too.
 */
export function asIndexDamage(file: string, tell?: (error: IndexCorruptError) => void) {
  return (error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    const corrupt = error instanceof IndexCorruptError ? error : new IndexCorruptError(`${file} cannot be read (${(error as Error).message}): run \`quipu verify --repair\` (the next \`quipu index\` repairs it too)`, file);
    tell?.(corrupt);
    throw corrupt;
  };
}
