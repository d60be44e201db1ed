/**
 * Fusion variants scored offline: each query's vector and lexical top 60 are fetched once through the
 * engine, then every variant fuses the same two rankings and is scored by the eval harness (nDCG@10).
 * Indexes must be up to date (`npm run eval` first). Usage: node --import tsx bench/fusion-experiments.ts
 * Results of a run are in bench/QUALITY-EXPERIMENTS.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { loadDataset, runEval, type EvalEngine } from '../src/core/eval/run';
import { VECTOR_WEIGHT, vectorWeightOf } from '../src/core/search/rank';
import type { SearchResult } from '../src/core/search/search';
import { ROOT } from './lib';

type Scaling = (results: SearchResult[]) => Map<string, number>;

const keyOf = (r: SearchResult) => `${r.path}:${r.startLine}:${r.endLine}`;

const minMax: Scaling = (results) => {
  const scores = results.map((r) => r.score);
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  return new Map(results.map((r) => [keyOf(r), max > min ? (r.score - min) / (max - min) : 1]));
};
/** Distribution-based: mean ± 3 standard deviations map to 0 and 1. */
const meanSigma: Scaling = (results) => {
  const scores = results.map((r) => r.score);
  const mean = scores.reduce((a, b) => a + b, 0) / (scores.length || 1);
  const sigma = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length || 1)) || 1;
  return new Map(results.map((r) => [keyOf(r), (r.score - (mean - 3 * sigma)) / (6 * sigma)]));
};
const dividedByBest: Scaling = (results) => {
  const best = Math.max(...results.map((r) => r.score)) || 1;
  return new Map(results.map((r) => [keyOf(r), r.score / best]));
};
const raw: Scaling = (results) => new Map(results.map((r) => [keyOf(r), r.score]));

/** A sentence's vector weight; identifier and quoted queries keep the default's 0.25. */
const weightFor = (query: string, sentenceWeight: number) => (vectorWeightOf(query) === VECTOR_WEIGHT ? sentenceWeight : vectorWeightOf(query));

function fuse(query: string, vector: SearchResult[], lexical: SearchResult[], scaleVector: Scaling, scaleLexical: Scaling, sentenceWeight: number): SearchResult[] {
  const v = scaleVector(vector);
  const l = scaleLexical(lexical);
  const weight = weightFor(query, sentenceWeight);
  const all = new Map<string, SearchResult>();
  for (const r of [...vector, ...lexical]) if (!all.has(keyOf(r))) all.set(keyOf(r), r);
  return [...all.values()].map((r) => ({ ...r, score: weight * (v.get(keyOf(r)) ?? 0) + (1 - weight) * (l.get(keyOf(r)) ?? 0) })).sort((a, b) => b.score - a.score);
}

const VARIANTS: Record<string, (query: string, vector: SearchResult[], lexical: SearchResult[]) => SearchResult[]> = {
  'vector only': (_, vector) => vector,
  'min-max scaled, 0.6 / 0.4': (q, v, l) => fuse(q, v, l, minMax, minMax, 0.6),
  'min-max scaled, 0.65 / 0.35 (default)': (q, v, l) => fuse(q, v, l, minMax, minMax, 0.65),
  'min-max scaled, 0.7 / 0.3': (q, v, l) => fuse(q, v, l, minMax, minMax, 0.7),
  'min-max scaled, 0.75 / 0.25': (q, v, l) => fuse(q, v, l, minMax, minMax, 0.75),
  'distribution-based (mean ± 3σ), 0.6 / 0.4': (q, v, l) => fuse(q, v, l, meanSigma, meanSigma, 0.6),
  'distribution-based, 0.7 / 0.3': (q, v, l) => fuse(q, v, l, meanSigma, meanSigma, 0.7),
  'vector min-max, BM25 divided by its best, 0.6 / 0.4': (q, v, l) => fuse(q, v, l, minMax, dividedByBest, 0.6),
  'vector min-max, BM25 divided by its best, 0.7 / 0.3': (q, v, l) => fuse(q, v, l, minMax, dividedByBest, 0.7),
  'raw cosine, BM25 divided by its best, 0.7 / 0.3': (q, v, l) => fuse(q, v, l, raw, dividedByBest, 0.7),
};

async function main(): Promise<void> {
  const dir = join(ROOT, 'bench', 'eval');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const datasets = await Promise.all(files.map((f) => loadDataset(join(dir, f))));
  const engine = await QuipuEngine.create(makeConfig());
  const rankings = new Map<string, { vector: SearchResult[]; lexical: SearchResult[] }>();
  const rankingsOf = async (folder: string, query: string) => {
    const key = `${folder}\0${query}`;
    let found = rankings.get(key);
    if (!found) {
      const [vector, lexical] = [await engine.search(folder, query, { topK: 60, mode: 'vector' }), await engine.search(folder, query, { topK: 60, mode: 'lexical' })];
      rankings.set(key, (found = { vector, lexical }));
    }
    return found;
  };
  try {
    const rows: string[] = [];
    for (const [name, variant] of Object.entries(VARIANTS)) {
      const fused: EvalEngine = {
        index: (folder, options) => engine.index(folder, options),
        search: async (folder, query, options) => {
          const { vector, lexical } = await rankingsOf(folder, query);
          return variant(query, vector, lexical).slice(0, options?.topK ?? 10);
        },
      };
      const report = await runEval(fused, datasets, { modes: ['hybrid'] });
      rows.push(`| ${name} | ${report.datasets.map((d) => d.modes[0].metrics.ndcg.toFixed(3)).join(' | ')} |`);
      console.error(rows[rows.length - 1]);
    }
    process.stdout.write([`| fusion | ${datasets.map((d) => d.name).join(' | ')} |`, `|---|${datasets.map(() => '---:|').join('')}`, ...rows].join('\n') + '\n');
  } finally {
    await engine.close();
  }
}

void main();
