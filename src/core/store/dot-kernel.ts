/**
 * A shard's vectors, for nearest-neighbour queries that stay interactive at 100k chunks.
 *
 * Every vector is kept twice: float16 (as stored, see half.ts) and int8 with a scale per row, derived
 * from the float16 rows when the matrix is made. A query scans the int8 rows with a WebAssembly SIMD
 * kernel (`dot.wat`), keeps the best few times `count` candidates, and ranks those by their cosine
 * over the float16 rows (within 5e-4 of the float32 cosine, about 1e-5 in practice). The scan is memory-bound, so a
 * quarter of the bytes is most of the speed: at 100k × 384 the plain-JS float loop took ~125 ms, the
 * SIMD float32 kernel ~20 ms (bench/RESULTS.md has the int8 numbers). Candidates are oversampled
 * well beyond the int8 error (about 0.01 of cosine), so the results are the exact ones; a test checks
 * that against a brute-force scan.
 *
 * Where WebAssembly SIMD is missing, or the int8 rows would not fit in 32-bit memory, the float16
 * rows are scanned by a JS loop.
 */

import { bestRows, type ScoredRow } from './top';
import { HALF_TO_FLOAT, toHalf } from './half';

// BEGIN kernel
export const KERNEL_BASE64 =
  'AGFzbQEAAAABEgJgBX9/f39/AGAGf39/f39/AAMDAgABBQMBAAEHIwMGbWVtb3J5AgAKc2NvcmVzX2YzMgAACXNjb3Jlc19pOAABCvUEAq8CAwR/BHsBfyACQQJ0IQggACEGIAQgAUECdGohDQJAA0AgBCANTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQn9DAAAAAAAAAAAAAAAAAAAAAAhCv0MAAAAAAAAAAAAAAAAAAAAACEL/QwAAAAAAAAAAAAAAAAAAAAAIQwgAyEHIAYgCGohBQNAIAkgBv0ABAAgB/0ABAD95gH95AEhCSAKIAb9AAQQIAf9AAQQ/eYB/eQBIQogCyAG/QAEICAH/QAEIP3mAf3kASELIAwgBv0ABDAgB/0ABDD95gH95AEhDCAGQcAAaiEGIAdBwABqIQcgBiAFSQ0ACyAJIAr95AEgCyAM/eQB/eQBIQkgBCAJ/R8AIAn9HwGSIAn9HwIgCf0fA5KSOAIAIARBBGohBAwACwsLwQIDA38GewF/IAAhByAFIAFBAnRqIQ8CQANAIAUgD08NAf0MAAAAAAAAAAAAAAAAAAAAACEL/QwAAAAAAAAAAAAAAAAAAAAAIQz9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEOIAMhCCAHIAJqIQYDQCAH/QAEACEJIAf9AAQQIQogCyAJ/YcBIAj9AAQA/boB/a4BIQsgDCAJ/YgBIAj9AAQQ/boB/a4BIQwgDSAK/YcBIAj9AAQg/boB/a4BIQ0gDiAK/YgBIAj9AAQw/boB/a4BIQ4gB0EgaiEHIAhBwABqIQggByAGSQ0ACyALIAz9rgEgDSAO/a4B/a4BIQsgBSAEKgIAIAv9GwAgC/0bAWogC/0bAiAL/RsDamqylDgCACAFQQRqIQUgBEEEaiEEDAALCws=';
// END kernel

const PAGE_BYTES = 65536;
/** Largest memory a 32-bit WebAssembly instance can address, in pages. */
const MAX_PAGES = 65536;

// The slice of the WebAssembly API used here (the project's TypeScript lib has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly compiled: unique symbol;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

interface KernelExports {
  memory: WasmMemory;
  scores_i8(matrix: number, rows: number, stride: number, query: number, scales: number, out: number): void;
}

/** A kernel instance with `pages` of memory, or undefined when the engine cannot grow that far. */
function instantiate(module: WasmModule, pages: number): KernelExports | undefined {
  const kernel = new wasm.Instance(module, {}).exports as KernelExports;
  const have = kernel.memory.buffer.byteLength / PAGE_BYTES;
  try {
    if (pages > have) kernel.memory.grow(pages - have);
    return kernel;
  } catch {
    return undefined;
  }
}

let kernelModule: WasmModule | null | undefined;

function compiledKernel(): WasmModule | null {
  if (kernelModule === undefined) {
    const bytes = Buffer.from(KERNEL_BASE64, 'base64');
    kernelModule = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return kernelModule;
}

/** How a matrix is scanned: the SIMD kernel when it can run, else JS (tests ask for JS to compare). */
export type Scorer = 'wasm' | 'js';

/**
 * Candidates ranked exactly: a quarter more than asked for, and 32 more. The int8 error of a score
 * is about 5e-4 (standard deviation) for 384 dimensions; the margin covers many times that.
 */
const OVERSAMPLING = 1.25;
const EXTRA_CANDIDATES = 32;


export class VectorMatrix {
  /** Every row, unit length, `dims` float16 each: the vectors as stored. */
  private readonly exact: Uint16Array;
  readonly scorer: Scorer;
  private readonly int8?: {
    kernel: KernelExports;
    /** Bytes from one int8 row to the next: dims rounded up to the kernel's 32-byte step. */
    stride: number;
    rows: Int8Array;
    query: Int16Array;
    scales: Float32Array;
    out: Float32Array;
  };

  constructor(
    readonly rows: number,
    readonly dims: number,
    preferred: Scorer = 'wasm',
    /** The rows already made (float16, unit length), adopted without a copy; else set by `setUnitRow`. */
    halves?: Uint16Array,
  ) {
    if (halves && halves.length !== rows * dims) throw new Error(`${halves.length} halves for ${rows} × ${dims}`);
    this.exact = halves ?? new Uint16Array(rows * dims);
    const stride = Math.ceil(dims / 32) * 32;
    const rowBytes = rows * stride;
    const queryBytes = stride * 2;
    const totalBytes = rowBytes + queryBytes + rows * 8;
    const module = preferred === 'wasm' ? compiledKernel() : null;
    const pages = Math.ceil(totalBytes / PAGE_BYTES) || 1;
    const kernel = module && pages <= MAX_PAGES ? instantiate(module, pages) : undefined;
    if (kernel) {
      const buffer = kernel.memory.buffer;
      // Layout: int8 rows, the int16 query (both multiples of 32 bytes), row scales, scores.
      this.int8 = {
        kernel,
        stride,
        rows: new Int8Array(buffer, 0, rowBytes),
        query: new Int16Array(buffer, rowBytes, stride),
        scales: new Float32Array(buffer, rowBytes + queryBytes, rows),
        out: new Float32Array(buffer, rowBytes + queryBytes + rows * 4, rows),
      };
      this.scorer = 'wasm';
    } else this.scorer = 'js';
    if (halves) for (let row = 0; row < rows; row++) this.quantizeRow(row);
  }

  /** A copy of one row (unit length). */
  rowVector(row: number): Float32Array {
    const out = new Float32Array(this.dims);
    const offset = row * this.dims;
    for (let d = 0; d < this.dims; d++) out[d] = HALF_TO_FLOAT[this.exact[offset + d]];
    return out;
  }

  /** Stores `vector` scaled to unit length (a zero vector stays zero). */
  setUnitRow(row: number, vector: ArrayLike<number>, norm?: number): void {
    let length = norm ?? 0;
    if (!length) {
      for (let d = 0; d < this.dims; d++) length += vector[d] * vector[d];
      length = Math.sqrt(length);
    }
    const scale = length > 0 ? 1 / length : 0;
    const offset = row * this.dims;
    for (let d = 0; d < this.dims; d++) this.exact[offset + d] = toHalf(vector[d] * scale);
    this.quantizeRow(row);
  }

  /** The int8 row of a float16 row: symmetric, the largest component maps to ±127. */
  private quantizeRow(row: number): void {
    if (!this.int8) return;
    const { exact, dims } = this;
    const offset = row * dims;
    // Half magnitudes order as their low 15 bits do: the largest is found without converting.
    let largestBits = 0;
    for (let d = 0; d < dims; d++) {
      const magnitude = exact[offset + d] & 0x7fff;
      if (magnitude > largestBits) largestBits = magnitude;
    }
    const { rows, scales, stride } = this.int8;
    const table = HALF_TO_FLOAT; // a local: the hot loop reads no module binding
    const step = table[largestBits] / 127;
    scales[row] = step;
    const inverse = step > 0 ? 1 / step : 0;
    const out = row * stride;
    for (let d = 0; d < dims; d++) rows[out + d] = Math.round(table[exact[offset + d]] * inverse);
  }

  /** The cosine of `vector` (unit length) with one row. */
  cosine(vector: ArrayLike<number>, row: number): number {
    const { exact, dims } = this;
    const table = HALF_TO_FLOAT;
    const offset = row * dims;
    let s0 = 0;
    let s1 = 0;
    let d = 0;
    for (; d + 1 < dims; d += 2) {
      s0 += table[exact[offset + d]] * vector[d];
      s1 += table[exact[offset + d + 1]] * vector[d + 1];
    }
    if (d < dims) s0 += table[exact[offset + d]] * vector[d];
    return s0 + s1;
  }

  /** The `count` rows nearest to `vector` (unit length) that `accept` lets through, best first. */
  nearest(vector: ArrayLike<number>, count: number, accept?: (row: number) => boolean): ScoredRow[] {
    if (vector.length !== this.dims) throw new Error(`the query has ${vector.length} dimensions, the index ${this.dims}`);
    if (this.rows === 0 || count <= 0) return [];
    if (!this.int8) return bestRows(this.rows, count, (row) => this.cosine(vector, row), accept);
    const { kernel, stride, rows, query, scales, out } = this.int8;
    // The query as int16, as large as the kernel's 32-bit sums allow (dims × 127 × scale < 2^31).
    let largest = 0;
    for (let d = 0; d < this.dims; d++) largest = Math.max(largest, Math.abs(vector[d]));
    const top = Math.min(32767, Math.floor(0x7fffffff / (this.dims * 127)));
    const queryScale = largest > 0 ? top / largest : 0;
    for (let d = 0; d < this.dims; d++) query[d] = Math.round(vector[d] * queryScale);
    kernel.scores_i8(rows.byteOffset, this.rows, stride, query.byteOffset, scales.byteOffset, out.byteOffset);
    const candidates = bestRows(this.rows, Math.ceil(count * OVERSAMPLING) + EXTRA_CANDIDATES, (row) => out[row], accept);
    return candidates
      .map(({ row }) => ({ row, score: this.cosine(vector, row) }))
      .sort((a, b) => b.score - a.score || a.row - b.row)
      .slice(0, count);
  }
}
