/**
 * Sentence-transformers pooling: the mean of the token vectors where the attention mask is 1,
 * then L2 normalisation. Pure, so it is tested on its own.
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  batch: number,
  sequence: number,
  dimensions: number,
): Float32Array {
  const out = new Float32Array(batch * dimensions);
  for (let b = 0; b < batch; b++) {
    const target = out.subarray(b * dimensions, (b + 1) * dimensions);
    let count = 0;
    for (let t = 0; t < sequence; t++) {
      if (Number(mask[b * sequence + t]) === 0) continue;
      count++;
      const offset = (b * sequence + t) * dimensions;
      for (let d = 0; d < dimensions; d++) target[d] += hidden[offset + d];
    }
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      target[d] /= Math.max(count, 1);
      norm += target[d] * target[d];
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dimensions; d++) target[d] /= norm;
  }
  return out;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}
