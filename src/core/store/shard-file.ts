/**
 * One shard's chunks as the store keeps them on disk (`vectors.g<N>.bin`) and in memory: ids and
 * metadata by row, and the unit vectors as float16 rows (see half.ts), in one binary file:
 *
 *   u32 magic, u32 header length, header (JSON: ids, a table of files, and the per-chunk columns),
 *   zero padding to 4 bytes, then rows × dims float16 (little-endian, as every supported platform).
 *
 * The metadata is columnar and names each file once (path, type, language, texts), so a chunk
 * costs its vector, its id, its input hash and a few numbers. Loading is one read and one JSON
 * parse; the vectors are used where they lie in the read buffer, not copied. The int8 rows the
 * first pass scans are derived at load (dot-kernel.ts), never stored.
 */
import type { ChunkMetadata } from './types';
import { toHalf } from './half';

const MAGIC = 0x31535651; // "QVS1"

export interface ShardRows {
  dims: number;
  ids: string[];
  metadata: ChunkMetadata[];
  /** rows × dims float16, row after row, each row unit length (or zero). */
  halves: Uint16Array;
}

interface Header {
  rows: number;
  dims: number;
  ids: string[];
  /** path, ext, lang, textKey of each file with chunks here. */
  files: [string, string, string, string][];
  file: number[];
  chunk: number[];
  startLine: number[];
  endLine: number[];
  page: number[];
  inputHash: string[];
  symbol: string[];
  /** The rows whose vector is a fast-tier one (absent: none, as in shards written before tiers). */
  fastRows?: number[];
}

export function emptyShardRows(dims: number): ShardRows {
  return { dims, ids: [], metadata: [], halves: new Uint16Array(0) };
}

/** `vector` scaled to unit length, as float16 bits into `out` at `offset` (a zero vector stays zero). */
export function writeUnitHalves(vector: ArrayLike<number>, out: Uint16Array, offset: number, dims: number): void {
  let length = 0;
  for (let d = 0; d < dims; d++) length += vector[d] * vector[d];
  const scale = length > 0 ? 1 / Math.sqrt(length) : 0;
  for (let d = 0; d < dims; d++) out[offset + d] = toHalf(vector[d] * scale);
}

/**
 * The shard after a commit: `rows` without the chunks in `remove`, then `added` (vectors scaled to
 * unit length). An added id that is already there is refused.
 */
export function updatedShardRows(rows: ShardRows, remove: ReadonlySet<string>, added: { id: string; vector: ArrayLike<number>; metadata: ChunkMetadata }[]): ShardRows {
  const { dims } = rows;
  const keep: number[] = [];
  for (let row = 0; row < rows.ids.length; row++) if (!remove.has(rows.ids[row])) keep.push(row);
  const halves = new Uint16Array((keep.length + added.length) * dims);
  const ids: string[] = [];
  const metadata: ChunkMetadata[] = [];
  const present = new Set<string>();
  keep.forEach((row, i) => {
    halves.set(rows.halves.subarray(row * dims, (row + 1) * dims), i * dims);
    ids.push(rows.ids[row]);
    metadata.push(rows.metadata[row]);
    present.add(rows.ids[row]);
  });
  for (const item of added) {
    if (present.has(item.id)) throw new Error(`chunk ${item.id} is already in its shard`);
    if (item.vector.length !== dims) throw new Error(`chunk ${item.id} has ${item.vector.length} dimensions, the index ${dims}`);
    present.add(item.id);
    writeUnitHalves(item.vector, halves, ids.length * dims, dims);
    ids.push(item.id);
    metadata.push(item.metadata);
  }
  return { dims, ids, metadata, halves };
}

export function serializeShardRows(rows: ShardRows): Buffer {
  const files: Header['files'] = [];
  const fileOf = new Map<string, number>();
  const header: Header = { rows: rows.ids.length, dims: rows.dims, ids: rows.ids, files, file: [], chunk: [], startLine: [], endLine: [], page: [], inputHash: [], symbol: [] };
  for (const m of rows.metadata) {
    const key = `${m.path}\0${m.textKey}`;
    let file = fileOf.get(key);
    if (file === undefined) {
      fileOf.set(key, (file = files.length));
      files.push([m.path, m.ext, m.lang, m.textKey]);
    }
    header.file.push(file);
    header.chunk.push(m.chunk);
    header.startLine.push(m.startLine);
    header.endLine.push(m.endLine);
    header.page.push(m.page);
    header.inputHash.push(m.inputHash);
    header.symbol.push(m.symbol);
  }
  const fastRows = rows.metadata.flatMap((m, row) => (m.tier === 'fast' ? [row] : []));
  if (fastRows.length > 0) header.fastRows = fastRows;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const vectorsAt = 8 + Math.ceil(json.length / 4) * 4;
  const out = Buffer.alloc(vectorsAt + rows.halves.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  Buffer.from(rows.halves.buffer, rows.halves.byteOffset, rows.halves.byteLength).copy(out, vectorsAt);
  return out;
}

/** A shard file read back; throws, saying what is wrong, on anything but a whole, consistent file. */
export function deserializeShardRows(bytes: Buffer): ShardRows {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== MAGIC) throw new Error('not a Quipu vector shard (or a damaged one)');
  const headerBytes = bytes.readUInt32LE(4);
  if (8 + headerBytes > bytes.length) throw new Error('the vector shard is truncated');
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', 8, 8 + headerBytes)) as Header;
  } catch (error) {
    throw new Error(`the vector shard's header is damaged (${(error as Error).message})`);
  }
  const { rows, dims } = header;
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(dims) || dims < 1) throw new Error('the vector shard names no size');
  const vectorsAt = 8 + Math.ceil(headerBytes / 4) * 4;
  if (bytes.length !== vectorsAt + rows * dims * 2) throw new Error(`the vector shard is ${bytes.length} bytes, not the ${vectorsAt + rows * dims * 2} its header says`);
  const columns = [header.ids, header.file, header.chunk, header.startLine, header.endLine, header.page, header.inputHash, header.symbol];
  if (!Array.isArray(header.files) || columns.some((column) => !Array.isArray(column) || column.length !== rows)) throw new Error('the vector shard has damaged columns');
  const fast = new Set(header.fastRows ?? []);
  if (header.fastRows !== undefined && (!Array.isArray(header.fastRows) || header.fastRows.some((row) => !Number.isSafeInteger(row) || row < 0 || row >= rows))) throw new Error('the vector shard has a damaged tier column');
  const metadata: ChunkMetadata[] = new Array<ChunkMetadata>(rows);
  for (let row = 0; row < rows; row++) {
    const file = header.files[header.file[row]];
    if (!Array.isArray(file) || file.length !== 4) throw new Error(`the vector shard names no file for row ${row}`);
    const [path, ext, lang, textKey] = file;
    metadata[row] = { path, ext, lang, startLine: header.startLine[row], endLine: header.endLine[row], page: header.page[row], chunk: header.chunk[row], textKey, inputHash: header.inputHash[row], symbol: header.symbol[row], tier: fast.has(row) ? 'fast' : 'deep' };
  }
  // Used where they lie: a view needs 2-byte alignment (a large read has its own buffer at 0; copy otherwise).
  const start = bytes.byteOffset + vectorsAt;
  const halves = start % 2 === 0 ? new Uint16Array(bytes.buffer, start, rows * dims) : new Uint16Array(Uint8Array.from(bytes.subarray(vectorsAt)).buffer);
  return { dims, ids: header.ids, metadata, halves };
}
