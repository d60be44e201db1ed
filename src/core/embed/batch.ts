/**
 * Pre-tokenised batches as they cross threads: every sequence's ids in one Int32Array, so a batch is
 * transferred, not copied. Kept apart from the ONNX session code so the main thread (the extension
 * host) can pack batches without loading onnxruntime.
 */
export interface PackedBatch {
  /** Every sequence's ids, one after another. */
  ids: Int32Array;
  /** Length of each sequence. */
  lengths: Int32Array;
}

export function packBatch(sequences: readonly (readonly number[])[]): PackedBatch {
  const lengths = Int32Array.from(sequences, (s) => s.length);
  const ids = new Int32Array(lengths.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const sequence of sequences) {
    ids.set(sequence, offset);
    offset += sequence.length;
  }
  return { ids, lengths };
}
