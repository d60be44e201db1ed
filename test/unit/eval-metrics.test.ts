import assert from 'node:assert/strict';
import { test } from 'node:test';
import { covers, gradedIdealDcg, idealDcg, meanMetrics, scoreGraded, scoreRanking, type GradedAnswer, type LineRange } from '../../src/core/eval/metrics';

const r = (path: string, startLine: number, endLine: number): LineRange => ({ path, startLine, endLine });
const miss = (n: number): LineRange[] => Array.from({ length: n }, (_, i) => r('other.js', i * 10 + 1, i * 10 + 5));
const close = (actual: number, expected: number, tolerance = 1e-9) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected}`);

test('a hit at rank 1 scores 1 everywhere', () => {
  const m = scoreRanking([r('a.js', 10, 20), ...miss(9)], [r('a.js', 12, 15)]);
  assert.deepEqual(m, { ndcg: 1, mrr: 1, recall: 1, relevantRanks: [1], rangesFound: 1 });
});

test('a hit at rank 3: nDCG 1/log2(4) = 0.5, MRR 1/3', () => {
  const m = scoreRanking([...miss(2), r('a.js', 1, 30)], [r('a.js', 12, 15)]);
  close(m.ndcg, 0.5);
  close(m.mrr, 1 / 3);
  assert.equal(m.recall, 1);
});

test('several results in one relevant range count once', () => {
  const m = scoreRanking([r('a.js', 1, 12), r('a.js', 10, 25), r('a.js', 20, 40)], [r('a.js', 5, 30)]);
  assert.deepEqual(m.relevantRanks, [1]);
  assert.equal(m.ndcg, 1);
});

test('two ranges, found at ranks 2 and 5, with a repeat at rank 4', () => {
  const results = [r('x.js', 1, 5), r('a.js', 1, 10), r('x.js', 6, 9), r('a.js', 8, 20), r('b.md', 40, 60)];
  const m = scoreRanking(results, [r('a.js', 5, 9), r('b.md', 50, 51)]);
  // DCG = 1/log2(3) + 1/log2(6) = 0.630930 + 0.386853; IDCG = 1 + 1/log2(3) = 1.630930.
  close(m.ndcg, (1 / Math.log2(3) + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3)));
  close(m.ndcg, 0.624051, 1e-6);
  assert.equal(m.mrr, 0.5);
  assert.equal(m.recall, 1);
  assert.deepEqual(m.relevantRanks, [2, 5]);
});

test('overlap needs the same path and at least one shared line', () => {
  const relevant = [r('src/a.js', 10, 20)];
  assert.equal(scoreRanking([r('src/b.js', 10, 20)], relevant).mrr, 0);
  assert.equal(scoreRanking([r('src/a.js', 1, 9)], relevant).mrr, 0);
  assert.equal(scoreRanking([r('src/a.js', 21, 30)], relevant).mrr, 0);
  assert.equal(scoreRanking([r('src/a.js', 1, 10)], relevant).mrr, 1);
  assert.equal(scoreRanking([r('src/a.js', 20, 30)], relevant).mrr, 1);
  // Dataset paths written as ./x or with backslashes still match.
  assert.equal(scoreRanking([r('src/a.js', 15, 15)], [r('./src\\a.js', 10, 20)]).mrr, 1);
});

test('only the top k count', () => {
  const m = scoreRanking([...miss(10), r('a.js', 1, 5)], [r('a.js', 1, 5)]);
  assert.deepEqual(m, { ndcg: 0, mrr: 0, recall: 0, relevantRanks: [], rangesFound: 0 });
  assert.equal(scoreRanking([...miss(3), r('a.js', 1, 5)], [r('a.js', 1, 5)], 3).mrr, 0);
});

test('the ideal DCG is capped at k relevant ranges', () => {
  const relevant = Array.from({ length: 12 }, (_, i) => r('a.js', i * 10 + 1, i * 10 + 5));
  const m = scoreRanking(relevant.slice(0, 10), relevant);
  assert.equal(m.ndcg, 1);
  close(m.recall, 10 / 12);
  close(idealDcg(2), 1 + 1 / Math.log2(3));
});

test('one result spanning two relevant ranges finds both but gains once', () => {
  const m = scoreRanking([r('a.js', 1, 100)], [r('a.js', 10, 20), r('a.js', 50, 60)]);
  assert.equal(m.recall, 1);
  assert.equal(m.rangesFound, 2);
  close(m.ndcg, 1 / (1 + 1 / Math.log2(3)));
});

test('no results and no relevant ranges', () => {
  assert.deepEqual(scoreRanking([], [r('a.js', 1, 2)]), { ndcg: 0, mrr: 0, recall: 0, relevantRanks: [], rangesFound: 0 });
  assert.throws(() => scoreRanking([r('a.js', 1, 2)], []), /at least one relevant range/);
});

test('means over queries', () => {
  assert.deepEqual(meanMetrics([]), { ndcg: 0, mrr: 0, recall: 0 });
  const mean = meanMetrics([
    { ndcg: 1, mrr: 1, recall: 1 },
    { ndcg: 0.5, mrr: 0.25, recall: 0 },
  ]);
  assert.deepEqual(mean, { ndcg: 0.75, mrr: 0.625, recall: 0.5 });
});

// Graded answers (the code benchmark): 2 = the answer, 1 = secondary; a whole file or a line span.
const span = (path: string, startLine: number, endLine: number, grade = 2): GradedAnswer => ({ path, startLine, endLine, grade });
const file = (path: string, grade = 2): GradedAnswer => ({ path, grade });

test('a file-level answer is covered by any chunk of that file, a span answer only by an overlapping one', () => {
  assert.equal(covers(r('lib/a.js', 500, 510), file('lib/a.js')), true);
  assert.equal(covers(r('lib/b.js', 1, 10), file('lib/a.js')), false);
  assert.equal(covers(r('lib/a.js', 20, 30), span('lib/a.js', 30, 40)), true);
  assert.equal(covers(r('lib/a.js', 20, 29), span('lib/a.js', 30, 40)), false);
  assert.equal(covers(r('lib/a.js', 41, 50), span('lib/a.js', 30, 40)), false);
});

test('graded: the answer (2) at rank 2 and the secondary file (1) at rank 3', () => {
  const m = scoreGraded([r('x.js', 1, 5), r('a.js', 10, 20), r('b.js', 300, 320), r('a.js', 15, 18)], [span('a.js', 12, 40), file('b.js', 1)]);
  // DCG = 2/log2(3) + 1/log2(4) = 1.261860 + 0.5 = 1.761860; IDCG = 2/log2(2) + 1/log2(3) = 2.630930.
  close(m.ndcg, (2 / Math.log2(3) + 1 / 2) / (2 + 1 / Math.log2(3)));
  close(m.ndcg, 0.669672, 1e-6);
  assert.deepEqual(m.relevantRanks, [2, 3]);
  assert.equal(m.mrr, 0.5);
  assert.equal(m.recall, 1);
});

test('graded: only the secondary answer found, at rank 1', () => {
  const m = scoreGraded([r('b.js', 1, 5)], [span('a.js', 1, 9), file('b.js', 1)]);
  // DCG = 1; IDCG = 2 + 1/log2(3) = 2.630930.
  close(m.ndcg, 1 / (2 + 1 / Math.log2(3)));
  close(m.ndcg, 0.380094, 1e-6);
  assert.equal(m.recall, 0.5);
});

test('graded: one chunk covering two answers counts once, with the higher grade, and finds both', () => {
  const m = scoreGraded([r('a.js', 1, 100)], [span('a.js', 10, 20, 1), span('a.js', 50, 60, 2)]);
  // DCG = 2; IDCG = 2 + 1/log2(3).
  close(m.ndcg, 2 / (2 + 1 / Math.log2(3)));
  assert.equal(m.rangesFound, 2);
  assert.deepEqual(m.relevantRanks, [1]);
});

test('graded: later chunks of an answer already found gain nothing; a perfect ranking scores 1', () => {
  const m = scoreGraded([r('a.js', 1, 10), r('a.js', 11, 20), r('c.py', 1, 3)], [file('a.js'), span('c.py', 2, 2)]);
  // DCG = 2 + 2/log2(4) = 3; IDCG = 2 + 2/log2(3) = 3.261860.
  close(m.ndcg, 3 / (2 + 2 / Math.log2(3)));
  assert.equal(scoreGraded([r('a.js', 1, 10), r('c.py', 1, 3)], [file('a.js'), span('c.py', 2, 2)]).ndcg, 1);
  assert.equal(scoreGraded([r('c.py', 1, 3), r('a.js', 5, 9)], [file('a.js', 1), span('c.py', 2, 2)]).ndcg, 1);
});

test('graded: only the top k count, and the ideal DCG keeps the k highest grades', () => {
  assert.equal(scoreGraded([...miss(10), r('a.js', 1, 5)], [file('a.js')]).ndcg, 0);
  close(gradedIdealDcg([1, 2, 1], 2), 2 + 1 / Math.log2(3));
  close(gradedIdealDcg([1, 2, 2]), 2 + 2 / Math.log2(3) + 1 / 2);
  assert.throws(() => scoreGraded([], []), /at least one answer/);
});
