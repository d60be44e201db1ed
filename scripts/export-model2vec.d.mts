/** Types for export-model2vec.mjs. */
export interface StaticTableHeader {
  format: number;
  id: string;
  source?: { id: string; onnxSha256: string };
  vocab: number;
  hidden: number;
  dims: number;
  skipIds?: number[];
}
export interface StaticTable {
  header: StaticTableHeader;
  scales: Float32Array;
  rows: Int8Array;
}
/** Reads the parts of a QSTATIC1 file the export needs; throws naming the file when it is not one. */
export function readStaticTable(path: string): StaticTable;
/** Row t = rows[t] × scales[t], skipped ids zero: [vocab × dims] float32. */
export function embeddingMatrix(table: StaticTable): Float32Array;
/** A safetensors file of named F32 tensors. */
export function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Buffer;
/** Writes the model2vec folder (config.json, model.safetensors, tokenizer.json); returns the static model's header. */
export function exportModel2Vec(staticPath: string, tokenizerPath: string, outDir: string): StaticTableHeader;
