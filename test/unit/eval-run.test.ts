import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndexOptions } from '../../src/core/engine/engine';
import { DatasetError, formatEvalTable, loadDataset, runEval, type EvalEngine } from '../../src/core/eval/run';
import type { IndexSummary } from '../../src/core/pipeline/events';
import type { SearchOptions, SearchResult } from '../../src/core/search/search';
import { tempDir } from '../helpers';

function writeDataset(dir: string, body: unknown, name = 'set.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

function summary(folder: string, indexDir: string): IndexSummary {
  return {
    folder, indexDir, filesSeen: 2, filesIndexed: 2, filesUnchanged: 0, filesRemoved: 0, skipped: [], chunksEmbedded: 4,
    chunksReused: 0, chunksTotal: 4, sourceBytes: 100, seconds: 0.5, chunksPerSecond: 8, cancelled: false, tier: 'deep', tierCounts: { fast: 0, deep: 4 },
  };
}

const hit = (path: string, startLine: number, endLine: number): SearchResult => ({ path, startLine, endLine, score: 0.5, language: 'javascript', snippet: '', snippetStartLine: startLine });

/** Vector and hybrid rank the right chunk first for "alpha"; lexical ranks it second. */
class FakeEngine implements EvalEngine {
  readonly indexCalls: { folder: string; options: IndexOptions }[] = [];
  readonly searchCalls: { folder: string; query: string; options: SearchOptions & { indexDir?: string } }[] = [];

  index(folder: string, options: IndexOptions = {}): Promise<IndexSummary> {
    this.indexCalls.push({ folder, options });
    return Promise.resolve(summary(folder, options.indexDir ?? 'default'));
  }

  search(folder: string, query: string, options: SearchOptions & { indexDir?: string } = {}): Promise<SearchResult[]> {
    this.searchCalls.push({ folder, query, options });
    if (query === 'beta') return Promise.resolve([hit('b.js', 1, 3)]);
    const right = hit('a.js', 10, 20);
    const wrong = hit('b.js', 1, 3);
    return Promise.resolve(options.mode === 'lexical' ? [wrong, right] : [right, wrong]);
  }
}

test('runEval indexes each corpus, passes the mode through and averages the metrics', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'corpus'));
  const file = writeDataset(dir, {
    name: 'tiny set',
    folder: 'corpus',
    description: 'two queries',
    queries: [
      { query: 'alpha', relevant: [{ path: './a.js', startLine: 12, endLine: 14 }] },
      { query: 'beta', relevant: [{ path: 'c.js', startLine: 1, endLine: 5 }] },
    ],
  });
  const dataset = await loadDataset(file);
  assert.equal(dataset.root, join(dir, 'corpus'));
  assert.equal(dataset.queries[0].relevant[0].path, 'a.js');

  const engine = new FakeEngine();
  const report = await runEval(engine, [dataset], { modes: ['vector', 'lexical', 'hybrid'], indexRoot: join(dir, 'indexes') });
  assert.equal(engine.indexCalls.length, 1);
  assert.equal(engine.indexCalls[0].folder, join(dir, 'corpus'));
  assert.equal(engine.indexCalls[0].options.indexDir, join(dir, 'indexes', 'tiny_set'));
  assert.deepEqual(
    engine.searchCalls.map((c) => [c.query, c.options.mode, c.options.topK, c.options.indexDir]),
    ['vector', 'lexical', 'hybrid'].flatMap((mode) => [
      ['alpha', mode, 10, join(dir, 'indexes', 'tiny_set')],
      ['beta', mode, 10, join(dir, 'indexes', 'tiny_set')],
    ]),
  );

  const [outcome] = report.datasets;
  assert.equal(outcome.queries, 2);
  assert.equal(outcome.description, 'two queries');
  const byMode = Object.fromEntries(outcome.modes.map((m) => [m.mode, m]));
  // alpha is found at rank 1 (vector, hybrid) or 2 (lexical); beta is never found.
  assert.deepEqual(byMode.vector.metrics, { ndcg: 0.5, mrr: 0.5, recall: 0.5 });
  assert.deepEqual(byMode.hybrid.metrics, byMode.vector.metrics);
  assert.ok(Math.abs(byMode.lexical.metrics.ndcg - 0.5 / Math.log2(3)) < 1e-12);
  assert.equal(byMode.lexical.metrics.mrr, 0.25);
  assert.equal(byMode.hybrid.sameAsVector, true);
  assert.equal(byMode.lexical.sameAsVector, false);
  assert.deepEqual(byMode.lexical.queries[0].metrics.relevantRanks, [2]);

  const text = formatEvalTable(report);
  assert.match(text, /^dataset\s+mode\s+nDCG@10\s+MRR@10\s+Recall@10\s+queries/);
  assert.match(text, /tiny set\s+vector\s+0\.500\s+0\.500\s+0\.500\s+2/);
  assert.match(text, /tiny set\s+hybrid \(= vector\)/);
  const markdown = formatEvalTable(report, 'markdown');
  assert.match(markdown, /^\| dataset \| mode \| nDCG@10 \|/);
  assert.match(markdown, /\| tiny set \| lexical \| 0\.315 \| 0\.250 \| 0\.500 \| 2 \|/);
});

test('without --index-dir each corpus uses its usual index', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'corpus'));
  const file = writeDataset(dir, { name: 'n', folder: 'corpus', queries: [{ query: 'alpha', relevant: [{ path: 'a.js', startLine: 1, endLine: 1 }] }] });
  const engine = new FakeEngine();
  await runEval(engine, [await loadDataset(file)], { modes: ['vector'] });
  assert.equal(engine.indexCalls[0].options.indexDir, undefined);
  assert.equal(engine.searchCalls[0].options.indexDir, undefined);
});

test('bad dataset files are refused with the reason', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'corpus'));
  const good = { query: 'q', relevant: [{ path: 'a.js', startLine: 1, endLine: 2 }] };
  const cases: [unknown, RegExp][] = [
    [{ name: 'x', folder: 'missing', queries: [good] }, /corpus folder not found/],
    [{ name: '', folder: 'corpus', queries: [good] }, /"name"/],
    [{ name: 'x', folder: 'corpus', queries: [] }, /"queries" must be a non-empty array/],
    [{ name: 'x', folder: 'corpus', queries: [{ query: 'q', relevant: [] }] }, /queries\[0\]: "relevant"/],
    [{ name: 'x', folder: 'corpus', queries: [{ query: 'q', relevant: [{ path: 'a.js', startLine: 5, endLine: 2 }] }] }, /startLine ≤ endLine/],
    [{ name: 'x', folder: 'corpus', queries: [good, { query: ' ', relevant: good.relevant }] }, /queries\[1\]: "query"/],
  ];
  for (const [body, message] of cases) {
    await assert.rejects(loadDataset(writeDataset(dir, body)), (error: Error) => error instanceof DatasetError && message.test(error.message));
  }
  writeFileSync(join(dir, 'broken.json'), '{ nope');
  await assert.rejects(loadDataset(join(dir, 'broken.json')), /not valid JSON/);
  await assert.rejects(loadDataset(join(dir, 'absent.json')), /file not found/);
});

test('two datasets with one name are refused (they would share an index)', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'corpus'));
  const body = { name: 'same', folder: 'corpus', queries: [{ query: 'alpha', relevant: [{ path: 'a.js', startLine: 1, endLine: 1 }] }] };
  const datasets = [await loadDataset(writeDataset(dir, body, 'one.json')), await loadDataset(writeDataset(dir, body, 'two.json'))];
  await assert.rejects(runEval(new FakeEngine(), datasets, { modes: ['vector'] }), /Two datasets are named "same"/);
});
