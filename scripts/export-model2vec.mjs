#!/usr/bin/env node
/**
 * Exports Quipu's static model (the QSTATIC1 file scripts/distill-static.mjs writes; format in
 * src/core/embed/static-model.ts) as a model2vec folder, so semble (`StaticModel.from_pretrained(folder)`)
 * embeds with exactly the same table: bench:instant compares the two tools with one model, none fetched.
 *
 * model2vec 0.10 reads (model2vec/persistence/persistence.py, the first layout it finds):
 *   config.json        — `normalize` (true: a unit vector per text, as ours), the rest informative;
 *   model.safetensors  — the `embeddings` tensor, F32 [vocab, dims], row t = token t's vector;
 *   tokenizer.json     — the tokenizer whose ids index those rows: MiniLM's, the one the table came from.
 * Our row t is `rows[t] × scales[t]` (SIF weight and PCA already folded in); model2vec averages the rows
 * of a text's tokens (encoded without [CLS]/[SEP]) and normalises, we sum them and normalise: the same
 * vector. The ids the header lists in `skipIds` get a zero row (model2vec has no skip list).
 *
 * Usage: node scripts/export-model2vec.mjs <static model file> <tokenizer.json> <out folder>
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAGIC = 'QSTATIC1';

/** The parts of the static model the export needs, read as static-model.ts's readStaticModel reads them. */
export function readStaticTable(path) {
  const bytes = readFileSync(path);
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${path} is not a Quipu static model (no ${MAGIC} mark). Build it with scripts/distill-static.mjs.`);
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength));
  const { vocab, hidden, dims } = header;
  const body = new ArrayBuffer(bytes.length - 12 - headerLength);
  new Uint8Array(body).set(bytes.subarray(12 + headerLength));
  const expected = 4 * (hidden + dims * hidden + 2 * vocab) + vocab * dims;
  if (header.format !== 1 || body.byteLength !== expected) throw new Error(`${path}: ${body.byteLength} bytes of tables, ${expected} expected for format 1 (damaged, or a newer format this exporter does not know).`);
  // Skipped: mean f32[hidden], axes f32[dims × hidden], weights f32[vocab] (folded into the rows already).
  const scalesAt = 4 * (hidden + dims * hidden + vocab);
  return { header, scales: new Float32Array(body, scalesAt, vocab), rows: new Int8Array(body, scalesAt + 4 * vocab, vocab * dims) };
}

/** Row t = rows[t] × scales[t] as float32, skipped ids zero. */
export function embeddingMatrix({ header, scales, rows }) {
  const { vocab, dims } = header;
  const out = new Float32Array(vocab * dims);
  for (let t = 0; t < vocab; t++) for (let d = 0; d < dims; d++) out[t * dims + d] = rows[t * dims + d] * scales[t];
  for (const id of header.skipIds ?? []) if (id >= 0 && id < vocab) out.fill(0, id * dims, (id + 1) * dims);
  return out;
}

/** A safetensors file of named F32 tensors: u64 header length, the JSON header, the raw little-endian data. */
export function safetensors(tensors) {
  const header = {};
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // the data starts 8-byte aligned
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), ...Object.values(tensors).map(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength))]);
}

/** Writes the folder whole (a temporary sibling, then a rename). Returns the header of the exported model. */
export function exportModel2Vec(staticPath, tokenizerPath, outDir) {
  const table = readStaticTable(staticPath);
  const { header } = table;
  const tokenizer = JSON.parse(readFileSync(tokenizerPath, 'utf8'));
  const tokens = Object.keys(tokenizer.model?.vocab ?? {}).length;
  if (tokens !== header.vocab) throw new Error(`${tokenizerPath} has ${tokens} tokens, the static model ${staticPath} ${header.vocab} rows: it was distilled from another tokenizer.`);
  const part = `${outDir}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  writeFileSync(join(part, 'model.safetensors'), safetensors({ embeddings: { shape: [header.vocab, header.dims], data: embeddingMatrix(table) } }));
  copyFileSync(tokenizerPath, join(part, 'tokenizer.json'));
  const config = {
    model_type: 'model2vec',
    architectures: ['StaticModel'],
    tokenizer_name: header.source?.id ?? 'sentence-transformers/all-MiniLM-L6-v2',
    apply_pca: header.dims,
    hidden_dim: header.dims,
    seq_length: 1000000,
    normalize: true,
    embedding_dtype: 'float32',
    quipu_static_id: header.id,
  };
  writeFileSync(join(part, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  rmSync(outDir, { recursive: true, force: true });
  renameSync(part, outDir);
  return header;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [staticPath, tokenizerPath, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node scripts/export-model2vec.mjs <static model file> <tokenizer.json> <out folder>');
    process.exit(2);
  }
  try {
    const header = exportModel2Vec(staticPath, tokenizerPath, outDir);
    console.log(`${outDir}: ${header.id}, ${header.vocab} × ${header.dims}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
