/**
 * The best few of many scored rows, for every ranking in the store (vector candidates, BM25).
 */

export interface ScoredRow {
  row: number;
  score: number;
}

/**
 * The `count` best rows in `0 … rows − 1` by `scoreOf`, among those `accept` lets through, best first
 * (ties by row). A min-heap of the best so far: most rows lose to its root and cost one comparison,
 * and `accept` is asked only about rows that would enter.
 */
export function bestRows(rows: number, count: number, scoreOf: (row: number) => number, accept?: (row: number) => boolean): ScoredRow[] {
  const heapScores = new Float64Array(count);
  const heapRows = new Int32Array(count);
  let size = 0;
  for (let row = 0; row < rows; row++) {
    const score = scoreOf(row);
    if (size === count && score <= heapScores[0]) continue;
    if (accept && !accept(row)) continue;
    if (size < count) {
      // Sift up from the end.
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (heapScores[parent] <= score) break;
        heapScores[at] = heapScores[parent];
        heapRows[at] = heapRows[parent];
        at = parent;
      }
      heapScores[at] = score;
      heapRows[at] = row;
    } else {
      // Replace the root (the worst kept) and sift down.
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && heapScores[child + 1] < heapScores[child]) child++;
        if (heapScores[child] >= score) break;
        heapScores[at] = heapScores[child];
        heapRows[at] = heapRows[child];
        at = child;
      }
      heapScores[at] = score;
      heapRows[at] = row;
    }
  }
  const best: ScoredRow[] = [];
  for (let i = 0; i < size; i++) best.push({ row: heapRows[i], score: heapScores[i] });
  return best.sort((a, b) => b.score - a.score || a.row - b.row);
}
