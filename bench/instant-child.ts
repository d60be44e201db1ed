/**
 * Child process of `npm run bench:instant` (bench/instant.ts): opens Quipu's engine as one tier, builds the
 * index in INDEX_DIR from FOLDER when it is missing or stale (else searches it as it is), answers every
 * question and prints one JSON line: each question's top K chunks, each search's latency, the index's size,
 * and this process's peak RSS. A process of its own, so the latencies and the memory are this tier's alone.
 *
 * Usage: instant-child.ts <job.json>, job = { tier: 'fast' | 'both', staticModel, folder, indexDir, queries, k }.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { makeConfig, type QuipuConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { peakRssMb } from './lib';

export type Tier = 'fast' | 'both';

export interface ChildJob {
  tier: Tier;
  staticModel: string;
  folder: string;
  indexDir: string;
  queries: string[];
  k: number;
}

export interface ChildAnswer {
  modelId: string;
  files: number;
  chunks: number;
  /** Time to build the index here: ~0 when it was there already. */
  syncSeconds: number;
  results: { path: string; startLine: number; endLine: number; score: number }[][];
  latenciesMs: number[];
  peakRssMb: number;
}

/**
 * The engine configuration of a tier: the fast tier alone (`tiers: 'fast'`: words and static vectors), or
 * both (the default plan; its index here is the code benchmark's, whose deep tier is complete).
 */
export function tierConfig(tier: Tier, staticModel: string): QuipuConfig {
  return tier === 'both' ? makeConfig() : makeConfig({ tiers: 'fast', staticModel });
}

async function built(engine: QuipuEngine, job: ChildJob): Promise<{ files: number; chunks: number }> {
  const summary = await engine.index(job.folder, { indexDir: job.indexDir });
  return { files: summary.filesSeen, chunks: summary.chunksTotal };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ChildJob;
  const engine = await QuipuEngine.create(tierConfig(job.tier, job.staticModel));
  try {
    const { modelId } = await engine.storeIdentity();
    // An index that is there is searched as it is: the cold run just built the fast one, and the code
    // benchmark's MiniLM indexes may be in use by an `npm run eval:code` (a sync would wait on its lock).
    const status = existsSync(job.indexDir) ? await engine.status(job.indexDir, { diskUsage: false }) : undefined;
    const started = performance.now();
    const size = status && !status.staleReason && status.chunks > 0 ? { files: status.files, chunks: status.chunks } : await built(engine, job);
    // The tier measured is the one the index holds: the fast tier's chunks are all fast, both tiers' all deep.
    const counts = (await engine.status(job.indexDir, { diskUsage: false })).tierCounts;
    if (job.tier === 'fast' ? counts.deep > 0 : counts.fast > 0) throw new Error(`The ${job.tier} tier's index at ${job.indexDir} holds ${counts.fast} fast and ${counts.deep} deep chunks.`);
    const syncSeconds = (performance.now() - started) / 1000;
    const results: ChildAnswer['results'] = [];
    const latenciesMs: number[] = [];
    for (const query of job.queries) {
      const t = performance.now();
      const found = await engine.search(job.folder, query, { indexDir: job.indexDir, topK: job.k });
      latenciesMs.push(performance.now() - t);
      results.push(found.map((r) => ({ path: r.path, startLine: r.startLine, endLine: r.endLine, score: r.score })));
    }
    const answer: ChildAnswer = { modelId, ...size, syncSeconds, results, latenciesMs, peakRssMb: peakRssMb() };
    process.stdout.write(JSON.stringify(answer) + '\n');
  } finally {
    await engine.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
