/**
 * The committed shards in memory, each loaded on first use: its chunks (read once from its vector
 * file and checked against the manifest's sums), the id → row map, the matrix queries scan, and its
 * BM25 index. A commit hands a shard its new rows (`adopt`); a failed one forgets them all (`clear`).
 */
import { readFile } from 'node:fs/promises';
import { VectorMatrix } from './dot-kernel';
import { asWritten } from './file-sums';
import { HALF_TO_FLOAT } from './half';
import { lexicalFile, shardDirOf, vectorFile } from './layout';
import { ShardLexicalIndex } from './lexical-index';
import { shardSumsOf } from './manifest';
import { deserializeShardRows, emptyShardRows, type ShardRows } from './shard-file';
import { asIndexDamage, type CatalogEntry, type ChunkMetadata, type IndexState, type SearchableShard } from './types';

export interface Shard {
  number: number;
  dir: string;
  /** The generation reads see (the manifest's); 0 means the shard has never been written. */
  committed: number;
  /** Its chunks, loaded on first read or write. */
  rows?: ShardRows;
  /** Chunk id → row of `rows`; built when first asked, dropped with `rows`. */
  rowOf?: Map<string, number>;
  /** Loaded on first lexical query or write. */
  lexical?: ShardLexicalIndex;
  /** The shard's vectors as one matrix, built on first query (see `matrixOf`). */
  matrix?: ShardMatrix;
  /** Lexical slot → matrix row (see `lexicalRowsOf`); dropped with the matrix. */
  lexicalRows?: Int32Array;
}

/** A shard's vectors as a matrix scored by a SIMD kernel (over the loaded rows, not a copy), with their ids and metadata. */
interface ShardMatrix {
  ids: string[];
  metadata: ChunkMetadata[];
  vectors: VectorMatrix;
  rowOf: Map<string, number>;
}

export class ShardCache {
  private readonly shards = new Map<number, Shard>();

  constructor(private readonly state: IndexState) {}

  shard(shardNumber: number): Shard {
    let shard = this.shards.get(shardNumber);
    if (!shard) {
      shard = { number: shardNumber, dir: shardDirOf(this.state.dir, shardNumber), committed: this.state.manifest.shardGenerations[shardNumber] ?? 0 };
      this.shards.set(shardNumber, shard);
    }
    return shard;
  }

  /** A shard's chunks: its committed file, read once. */
  async rowsOf(shard: Shard): Promise<ShardRows> {
    if (!shard.rows) {
      const file = vectorFile(shard.dir, shard.committed);
      const sum = shardSumsOf(this.state.manifest, shard.number)?.vectors;
      shard.rows = shard.committed > 0 ? await readFile(file).then((bytes) => deserializeShardRows(asWritten(bytes, sum))).catch(asIndexDamage(file)) : emptyShardRows(this.state.manifest.dimensions);
    }
    return shard.rows;
  }

  rowIndexOf(shard: Shard, rows: ShardRows): Map<string, number> {
    if (!shard.rowOf || shard.rows !== rows) shard.rowOf = new Map(rows.ids.map((id, row) => [id, row]));
    return shard.rowOf;
  }

  async lexicalOf(shard: Shard): Promise<ShardLexicalIndex> {
    if (!shard.lexical) {
      const generation = shard.committed;
      const file = lexicalFile(shard.dir, generation);
      const sum = shardSumsOf(this.state.manifest, shard.number)?.lexical;
      shard.lexical = generation > 0 ? await readFile(file).then((bytes) => ShardLexicalIndex.deserialize(asWritten(bytes, sum))).catch(asIndexDamage(file)) : ShardLexicalIndex.empty();
    }
    return shard.lexical;
  }

  /** The rows of a catalogued file's chunks, in its order (undefined: a chunk missing from its shard). */
  async chunksOf(entry: CatalogEntry): Promise<{ rows: ShardRows; chunkRows: (number | undefined)[] }> {
    const shard = this.shard(entry.shard);
    const rows = await this.rowsOf(shard);
    const rowOf = this.rowIndexOf(shard, rows);
    return { rows, chunkRows: entry.chunkIds.map((id) => rowOf.get(id)) };
  }

  /** A shard after a commit wrote its next generation: its new rows, nothing derived from the old ones. */
  adopt(shard: Shard, rows: ShardRows): void {
    shard.rows = rows;
    shard.rowOf = undefined;
    shard.matrix = undefined;
    shard.lexicalRows = undefined;
  }

  /** Every committed shard, loaded for queries (vectors now, the BM25 index when asked for). */
  async searchableShards(): Promise<SearchableShard[]> {
    const shards: SearchableShard[] = [];
    const { manifest } = this.state;
    for (let shardNumber = 0; shardNumber < manifest.shards; shardNumber++) {
      if (!manifest.shardGenerations[shardNumber]) continue;
      const shard = this.shard(shardNumber);
      const matrix = await this.matrixOf(shard);
      shards.push({
        ids: matrix.ids,
        metadata: matrix.metadata,
        vectors: matrix.vectors,
        lexical: async () => {
          const index = await this.lexicalOf(shard);
          return { index, rows: this.lexicalRowsOf(shard, matrix, index) };
        },
      });
    }
    return shards;
  }

  forget(shardNumber: number): void {
    this.shards.delete(shardNumber);
  }

  clear(): void {
    this.shards.clear();
  }

  /**
   * For each document of a shard's lexical index, its row in the shard's vector matrix (−1 if none),
   * so filters read a chunk's metadata by position instead of looking its id up per candidate.
   */
  private lexicalRowsOf(shard: Shard, matrix: ShardMatrix, index: ShardLexicalIndex): Int32Array {
    if (shard.lexicalRows) return shard.lexicalRows;
    const rows = new Int32Array(index.size);
    for (let slot = 0; slot < rows.length; slot++) rows[slot] = matrix.rowOf.get(index.idAt(slot)) ?? -1;
    shard.lexicalRows = rows;
    return rows;
  }

  private async matrixOf(shard: Shard): Promise<ShardMatrix> {
    if (shard.matrix) return shard.matrix;
    const rows = await this.rowsOf(shard);
    // The matrix adopts the loaded float16 rows and derives its int8 rows from them.
    const vectors = new VectorMatrix(rows.ids.length, rows.dims, 'wasm', rows.halves);
    shard.matrix = { ids: rows.ids, metadata: rows.metadata, vectors, rowOf: this.rowIndexOf(shard, rows) };
    return shard.matrix;
  }
}

/** One stored row as float32. */
export function rowAsFloats(rows: ShardRows, row: number): Float32Array {
  return Float32Array.from(rows.halves.subarray(row * rows.dims, (row + 1) * rows.dims), (h) => HALF_TO_FLOAT[h]);
}
