/**
 * The static model's file: one vector per vocabulary token of the transformer it was distilled from
 * (`scripts/distill-static.mjs`), so a chunk's vector is a sum of table rows, at tokenizer speed.
 * One binary file, little-endian, in the order it is read:
 *   "QSTATIC1", u32 header length, the header as JSON (padded with spaces to a multiple of 4 bytes),
 *   PCA mean f32[hidden], PCA axes f32[dims × hidden] (row k: the k-th axis),
 *   token weights f32[vocab], row scales f32[vocab], rows i8[vocab × dims].
 * A token's vector is `rows[t] × scales[t]` ≈ `weights[t] × axes · (pooled(t) − mean)`, where
 * `pooled(t)` is the transformer's own sentence vector of `[CLS] t [SEP]`. The mean, axes and
 * weights are kept so anyone (the unit test) can check a row against the transformer.
 */
import { readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../files/package-root';

const MAGIC = 'QSTATIC1';

export interface StaticModelHeader {
  format: 1;
  /** The index's model id: another table is another vector space. */
  id: string;
  /** The transformer it was distilled from: its model id and the sha256 of its ONNX file. */
  source: { id: string; onnxSha256: string };
  vocab: number;
  /** The transformer's vector size (before PCA). */
  hidden: number;
  /** Vector size after PCA. */
  dims: number;
  /** How tokens are weighted (scripts/distill-static.mjs: `sif-rank`, `sif-code`, `none`) and the SIF coefficient. */
  weighting: { kind: string; coefficient?: number; corpus?: string };
  /**
   * What a token's vector was before PCA: `normalized`, the transformer's sentence vector of the one-token
   * text (as Quipu pools: mean, L2-normalised); `raw`, that mean before normalising. `contextChunks`: blended
   * with the token's mean contextual vector over that many chunks of code (scripts/distill-static.mjs).
   */
  pooling: 'normalized' | 'raw';
  contextChunks?: number;
  /** Token ids that get no vector (padding, [CLS], [SEP], [MASK]): the model's frame, not the text's. */
  skipIds: number[];
  /** Fraction of the centred variance the kept axes hold. */
  explainedVariance: number;
}

export interface StaticModel {
  header: StaticModelHeader;
  mean: Float32Array;
  axes: Float32Array;
  weights: Float32Array;
  scales: Float32Array;
  rows: Int8Array;
}

export class StaticModelError extends Error {
  override name = 'StaticModelError';
}

/** Where set-up places the default static model (`npm run setup-model` runs the distillation). */
export function defaultStaticModelPath(): string {
  return process.env.QUIPU_STATIC_MODEL || join(packageRoot(), 'models', 'all-MiniLM-L6-v2.static.bin');
}

export function readStaticModel(path: string): StaticModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new StaticModelError(`The static model ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Run \`npm run setup-model\` to build it.`);
  }
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new StaticModelError(`${path} is not a static model file (no ${MAGIC} mark). Run \`npm run setup-model\` to build it again.`);
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as StaticModelHeader;
  const { vocab, hidden, dims } = header;
  // Copied into an aligned buffer once: the float sections must start at multiples of 4.
  const body = new ArrayBuffer(bytes.length - 12 - headerLength);
  new Uint8Array(body).set(bytes.subarray(12 + headerLength));
  const expected = 4 * (hidden + dims * hidden + 2 * vocab) + vocab * dims;
  if (header.format !== 1 || body.byteLength !== expected) {
    throw new StaticModelError(`${path} is damaged or of another format (${body.byteLength} bytes of tables, ${expected} expected). Run \`npm run setup-model\` to build it again.`);
  }
  let at = 0;
  const floats = (n: number) => {
    const view = new Float32Array(body, at, n);
    at += 4 * n;
    return view;
  };
  const mean = floats(hidden);
  const axes = floats(dims * hidden);
  const weights = floats(vocab);
  const scales = floats(vocab);
  const rows = new Int8Array(body, at, vocab * dims);
  return { header, mean, axes, weights, scales, rows };
}

/** Writes the file whole (temp file + rename), so a killed build never leaves half a table. */
export async function writeStaticModel(path: string, model: StaticModel): Promise<void> {
  let json = JSON.stringify(model.header);
  json += ' '.repeat((4 - ((12 + Buffer.byteLength(json)) % 4)) % 4);
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(Buffer.byteLength(json), 8);
  const parts = [head, Buffer.from(json), model.mean, model.axes, model.weights, model.scales, model.rows].map((part) =>
    Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength),
  );
  await writeFile(`${path}.part`, Buffer.concat(parts));
  await rename(`${path}.part`, path);
}

/** A token's row as floats (its weighted, projected vector up to int8 rounding). */
export function staticRow(model: StaticModel, token: number): Float32Array {
  const { dims } = model.header;
  const out = new Float32Array(dims);
  const scale = model.scales[token];
  for (let d = 0; d < dims; d++) out[d] = model.rows[token * dims + d] * scale;
  return out;
}

/**
 * The unit vector of a token sequence: the sum of its tokens' rows (the mean, up to a factor the
 * normalisation removes), L2-normalised. Ids in `skipIds` and outside the vocabulary add nothing.
 * Written into `out` (`dims` floats). A sequence with no token left gets the first axis, so every
 * stored vector stays a unit vector (the store's int8 scan divides by the row's largest value).
 */
export function embedTokens(model: StaticModel, ids: ArrayLike<number>, skip: Uint8Array, out: Float32Array): void {
  const { dims, vocab } = model.header;
  const { rows, scales } = model;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const token = ids[i];
    if (token < 0 || token >= vocab || skip[token]) continue;
    const scale = scales[token];
    const base = token * dims;
    for (let d = 0; d < dims; d++) out[d] += rows[base + d] * scale;
  }
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += out[d] * out[d];
  if (norm === 0) {
    out[0] = 1;
    return;
  }
  const inverse = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d++) out[d] *= inverse;
}

/** One byte per vocabulary id: 1 for the ids the header says carry no meaning. */
export function skipTable(model: StaticModel): Uint8Array {
  const skip = new Uint8Array(model.header.vocab);
  for (const id of model.header.skipIds) if (id >= 0 && id < skip.length) skip[id] = 1;
  return skip;
}
