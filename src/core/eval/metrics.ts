/**
 * Retrieval metrics for one ranked list: nDCG@k, MRR@k and Recall@k with binary gains.
 *
 * Relevance is judged on line ranges, not on chunk ids, so a dataset stays valid whatever the chunker
 * does: a result is relevant when its path matches a relevant range's path and their (inclusive) line
 * ranges overlap. Several results in the same relevant range count once: the first one gets the gain,
 * later ones are not relevant, so returning five chunks of one function does not look like five hits.
 * A result that overlaps several ranges not yet found counts as one hit and finds all of them.
 *
 * The code benchmark (bench/code) grades its answers instead (scoreGraded): 2 = the answer, 1 = also
 * acceptable; an answer is a line range or a whole file.
 */

export interface LineRange {
  /** Relative to the indexed folder, forward slashes. */
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

export interface RankingMetrics {
  ndcg: number;
  mrr: number;
  recall: number;
}

export interface QueryMetrics extends RankingMetrics {
  /** 1-based ranks (within k) of the results that got a gain. */
  relevantRanks: number[];
  /** How many of the relevant ranges the top k overlap. */
  rangesFound: number;
}

export const DEFAULT_K = 10;

export function overlaps(a: LineRange, b: LineRange): boolean {
  return normalizePath(a.path) === normalizePath(b.path) && a.startLine <= b.endLine && b.startLine <= a.endLine;
}

export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Binary gains: each relevant range is an answer of grade 1 (`scoreGraded`, whose ideal DCG is then `idealDcg`). */
export function scoreRanking(results: readonly LineRange[], relevant: readonly LineRange[], k = DEFAULT_K): QueryMetrics {
  if (relevant.length === 0) throw new Error('A query needs at least one relevant range.');
  return scoreGraded(results, relevant.map((range) => ({ ...range, grade: 1 })), k);
}

/** DCG of a perfect ranking: the first `relevantCount` results all relevant. */
export function idealDcg(relevantCount: number): number {
  let sum = 0;
  for (let rank = 1; rank <= relevantCount; rank++) sum += 1 / Math.log2(rank + 1);
  return sum;
}

/** One answer of a graded query: a whole file (no lines) or a line range in it. */
export interface GradedAnswer {
  path: string;
  /** 1-based, inclusive; both or neither. */
  startLine?: number;
  endLine?: number;
  /** 2 = the answer, 1 = secondary (also acceptable). */
  grade: number;
}

/** A result covers a file-level answer when the paths match, a line-range answer when it also overlaps it. */
export function covers(result: LineRange, answer: GradedAnswer): boolean {
  if (normalizePath(result.path) !== normalizePath(answer.path)) return false;
  if (answer.startLine === undefined || answer.endLine === undefined) return true;
  return result.startLine <= answer.endLine && answer.startLine <= result.endLine;
}

/**
 * nDCG@k with graded gains: each answer counts at the first result that covers it, its gain its grade;
 * a result that covers several answers not yet found counts once, with the highest of their grades (so
 * the score never exceeds 1), and finds them all. The ideal DCG puts the answers' grades, highest first,
 * in the first places. MRR is the first covering result's reciprocal rank, recall the share of answers
 * covered.
 */
export function scoreGraded(results: readonly LineRange[], answers: readonly GradedAnswer[], k = DEFAULT_K): QueryMetrics {
  if (answers.length === 0) throw new Error('A query needs at least one answer.');
  const found = new Set<number>();
  const relevantRanks: number[] = [];
  let dcg = 0;
  results.slice(0, k).forEach((result, index) => {
    const fresh = answers.map((answer, i) => (!found.has(i) && covers(result, answer) ? i : -1)).filter((i) => i >= 0);
    if (fresh.length === 0) return;
    for (const i of fresh) found.add(i);
    relevantRanks.push(index + 1);
    dcg += Math.max(...fresh.map((i) => answers[i].grade)) / Math.log2(index + 2);
  });
  return {
    ndcg: dcg / gradedIdealDcg(answers.map((a) => a.grade), k),
    mrr: relevantRanks.length > 0 ? 1 / relevantRanks[0] : 0,
    recall: found.size / answers.length,
    relevantRanks,
    rangesFound: found.size,
  };
}

/** DCG of a perfect ranking of these grades: highest first, at most k of them. */
export function gradedIdealDcg(grades: readonly number[], k = DEFAULT_K): number {
  return [...grades]
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0);
}

/** Means over queries (0 for none). */
export function meanMetrics(list: readonly RankingMetrics[]): RankingMetrics {
  if (list.length === 0) return { ndcg: 0, mrr: 0, recall: 0 };
  const sum = (pick: (m: RankingMetrics) => number) => list.reduce((total, m) => total + pick(m), 0) / list.length;
  return { ndcg: sum((m) => m.ndcg), mrr: sum((m) => m.mrr), recall: sum((m) => m.recall) };
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
