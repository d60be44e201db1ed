import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idealDcg, meanMetrics, scoreRanking, type LineRange } from '../../src/core/eval/metrics';

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
