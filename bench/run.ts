/**
 * `npm run bench`: every number in bench/RESULTS.md, measured in one run on this machine.
 * Throughput is reported as ratios within the run (the machine is shared and noisy).
 *   1. the limit: raw ONNX Runtime on the pipeline's own model inputs, best sessions × threads × batch size
 *   2. Quipu end to end: files on disk → searchable index (cold), then a re-index with no changes
 *   3. the naive baseline: transformers.js per chunk on the main thread, Vectra inserts one by one
 *   4. the pipeline sweep (workers × threads × batch) on the small corpus
 *   5. peak RSS on a small and a 4× larger corpus
 *   6. the store as it grows: 10k, 50k, 100k chunks
 * Options: --quick (smaller store sizes, fewer sweep rows), --skip-naive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from '../src/core/embed/model';
import type { IndexSummary } from '../src/core/pipeline/events';
import { folderStats, machineDescription, ROOT, runChild, sectionOf, VSCODE_SECTION, withSection, type QuipuRun } from './lib';

interface NaiveRun {
  chunks: number;
  bytes: number;
  seconds: number;
  chunksPerSecond: number;
  eventLoop: { p50: number; p99: number; max: number };
  peakRssMb: number;
}
/** One way to run the model alone: sessions side by side × intra-op threads each × batch size. */
interface LimitSetting {
  sessions: number;
  threads: number;
  batchSize: number;
  chunksPerSecond: number;
  tokensPerSecond: number;
}
interface LimitRun {
  corpusChunks: number;
  sampleChunks: number;
  meanTokens: number;
  sweep: LimitSetting[];
  best: LimitSetting;
}
interface StoreRun {
  chunks: number;
  shards: number;
  buildSeconds: number;
  diskMb: number;
  loadSeconds: number;
  unfiltered: { p50: number; p95: number };
  byType: { p50: number; p95: number };
  byGlob: { p50: number; p95: number };
  hybrid: { p50: number; p95: number };
  endToEnd: { p50: number; p95: number };
  rssAfterLoadMb: number;
  peakRssMb: number;
  oneFileUpdateSeconds: number;
}

const quick = process.argv.includes('--quick');
const skipNaive = process.argv.includes('--skip-naive');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const kbps = (s: IndexSummary) => s.sourceBytes / 1024 / s.seconds;

async function main(): Promise<void> {
  const corpusRoot = join(ROOT, 'bench', '.corpus');
  const small = join(corpusRoot, 'small');
  const large = join(corpusRoot, 'large');
  if (!existsSync(small) || !existsSync(large)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  const model = await resolveModel('');
  const work = mkdtempSync(join(tmpdir(), 'quipu-bench-'));
  const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
  const startedAt = new Date().toISOString();

  log('1/6 the limit: raw ONNX Runtime on pre-tokenised batches');
  const limit = await runChild<LimitRun>('limit-child.ts', [large, model.onnxPath, model.dir, quick ? '64' : '256']);

  log('2/6 Quipu end to end on the large corpus (cold, then no changes)');
  const quipu = await runChild<QuipuRun>('quipu-child.ts', [large, join(work, 'quipu-large')]);

  let naive: NaiveRun | undefined;
  if (!skipNaive) {
    log('3/6 the naive baseline on the large corpus');
    naive = await runChild<NaiveRun>('naive-child.ts', [large, join(work, 'naive'), model.dir]);
  }

  log('4/6 pipeline sweep on the small corpus');
  const configs: [number, number, number, number][] = quick
    ? [[1, 2, 1, 1], [1, 2, 8, 1], [2, 1, 1, 1]]
    : [[1, 2, 1, 1], [1, 2, 4, 1], [1, 2, 8, 1], [1, 2, 16, 1], [2, 1, 1, 1], [2, 1, 8, 1], [1, 1, 1, 1], [1, 2, 1, 2]];
  const sweep: { config: [number, number, number, number]; run: QuipuRun }[] = [];
  for (const config of configs) {
    log(`   embedWorkers=${config[0]} embedThreads=${config[1]} batch=${config[2]} chunkWorkers=${config[3]}`);
    sweep.push({ config, run: await runChild<QuipuRun>('quipu-child.ts', [small, join(work, 'sweep'), ...config.map(String)]) });
  }

  log('5/6 peak RSS: small corpus with the defaults');
  const smallDefault = await runChild<QuipuRun>('quipu-child.ts', [small, join(work, 'quipu-small')]);

  log('6/6 the store as it grows');
  const storeRuns: StoreRun[] = [];
  const sizes: [number, number][] = quick ? [[10_000, 16], [10_000, 1]] : [[10_000, 16], [50_000, 16], [100_000, 16], [10_000, 1], [50_000, 1]];
  for (const [n, shards] of sizes) {
    log(`   ${n} chunks, ${shards} shard(s)`);
    storeRuns.push(await runChild<StoreRun>('store-child.ts', [String(n), String(shards), join(work, 'store')]));
  }
  rmSync(work, { recursive: true, force: true });

  const results = { startedAt, machine: machineDescription(), corpus: { small: folderStats(small), large: folderStats(large) }, limit, quipu, naive, sweep, smallDefault, storeRuns };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const resultsMd = join(ROOT, 'bench', 'RESULTS.md');
  // `npm run bench:vscode` measures its section separately: keep it.
  const kept = existsSync(resultsMd) ? sectionOf(readFileSync(resultsMd, 'utf8'), VSCODE_SECTION) : '';
  writeFileSync(resultsMd, kept ? withSection(report(results), VSCODE_SECTION, kept) : report(results));
  log('wrote bench/RESULTS.md and bench/results.json');
}

function report(r: {
  startedAt: string;
  machine: string;
  corpus: { small: ReturnType<typeof folderStats>; large: ReturnType<typeof folderStats> };
  limit: LimitRun;
  quipu: QuipuRun;
  naive?: NaiveRun;
  sweep: { config: [number, number, number, number]; run: QuipuRun }[];
  smallDefault: QuipuRun;
  storeRuns: StoreRun[];
}): string {
  const { limit, quipu, naive } = r;
  const cold = quipu.cold;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    '# Quipu benchmark results',
    '',
    `Measured by \`npm run bench\` on ${r.startedAt.slice(0, 10)}. Machine: ${r.machine}.`,
    'All numbers come from one run; compare ratios, not absolute speeds (the machine is shared).',
    '',
    `Corpus (\`bench/make-corpus.mjs\`, real text from npm packages plus real PDF/DOCX): large = ${r.corpus.large.files} files, ${f1(r.corpus.large.bytes / 1024)} KB; small = ${r.corpus.small.files} files, ${f1(r.corpus.small.bytes / 1024)} KB.`,
    `Model: all-MiniLM-L6-v2 int8 ONNX, chunks of at most 256 tokens; the model reads ${f1(limit.meanTokens)} tokens per chunk on average (in the sample: path in front, imports left out).`,
    '',
    '## Throughput (large corpus)',
    '',
    '| what | chunks | seconds | chunks/s | source KB/s | vs limit |',
    '|---|---|---|---|---|---|',
    `| limit: ONNX Runtime alone, ${limit.best.sessions} session(s) × ${limit.best.threads} thread(s), batch ${limit.best.batchSize}, ${limit.sampleChunks} sampled chunks | ${limit.sampleChunks} | ${f1(limit.sampleChunks / limit.best.chunksPerSecond)} | ${f1(limit.best.chunksPerSecond)} | – | 1.00 |`,
    `| Quipu, cold index (files on disk → searchable) | ${cold.chunksEmbedded} embedded (+${cold.chunksReused} reused) | ${f1(cold.seconds)} | ${f1(cold.chunksPerSecond)} | ${f1(kbps(cold))} | **${f2(cold.chunksPerSecond / limit.best.chunksPerSecond)}** |`,
  );
  if (naive) {
    push(`| naive: transformers.js per chunk, main thread, Vectra insert per item | ${naive.chunks} | ${f1(naive.seconds)} | ${f1(naive.chunksPerSecond)} | ${f1(naive.bytes / 1024 / naive.seconds)} | ${f2(naive.chunksPerSecond / limit.best.chunksPerSecond)} |`);
  }
  push('');
  push(`- **Quipu / limit = ${f2(cold.chunksPerSecond / limit.best.chunksPerSecond)}** (chunks actually embedded per second, end to end, against the model alone).`);
  if (naive) {
    push(`- **Quipu / naive = ${f2(cold.chunksPerSecond / naive.chunksPerSecond)}** in chunks/s, **${f2(kbps(cold) / (naive.bytes / 1024 / naive.seconds))}** in source KB/s, **${f2(naive.seconds / cold.seconds)}×** less wall time for the same corpus.`);
  }
  push(
    `- Re-index with no changes: ${f2(quipu.warm.seconds)} s vs ${f1(cold.seconds)} s cold: **${f1(cold.seconds / quipu.warm.seconds)}× faster** (${quipu.warm.filesUnchanged} files unchanged, 0 read).`,
    '',
    '## Main-thread responsiveness while indexing (large corpus)',
    '',
    '| | event-loop delay p50 | p99 | max |',
    '|---|---|---|---|',
    `| Quipu (the thread the extension host would share) | ${quipu.eventLoop.p50} ms | **${quipu.eventLoop.p99} ms** | ${quipu.eventLoop.max} ms |`,
  );
  if (naive) push(`| naive | ${naive.eventLoop.p50} ms | ${naive.eventLoop.p99} ms | ${naive.eventLoop.max} ms |`);
  push(
    '',
    '## Memory: peak RSS of the whole process, all worker threads included',
    '',
    '| corpus | files | KB | chunks | peak RSS |',
    '|---|---|---|---|---|',
    `| small | ${r.corpus.small.files} | ${f1(r.corpus.small.bytes / 1024)} | ${r.smallDefault.cold.chunksTotal} | ${r.smallDefault.peakRssMb} MB |`,
    `| large (≈${f1(r.corpus.large.bytes / r.corpus.small.bytes)}×) | ${r.corpus.large.files} | ${f1(r.corpus.large.bytes / 1024)} | ${cold.chunksTotal} | ${quipu.peakRssMb} MB |`,
  );
  if (naive) push(`| large, naive | ${r.corpus.large.files} | ${f1(r.corpus.large.bytes / 1024)} | ${naive.chunks} | ${naive.peakRssMb} MB |`);
  push(
    '',
    '## Sweep: pipeline settings (small corpus, cold index)',
    '',
    '| embed workers | ONNX threads each | batch | chunk workers | chunks/s | vs limit | event-loop p99 |',
    '|---|---|---|---|---|---|---|',
    ...r.sweep.map(
      ({ config: [w, t, b, c], run }) =>
        `| ${w} | ${t} | ${b} | ${c} | ${f1(run.cold.chunksPerSecond)} | ${f2(run.cold.chunksPerSecond / limit.best.chunksPerSecond)} | ${run.eventLoop.p99} ms |`,
    ),
    '',
    '### The model alone (limit sweep, sampled chunks sorted by length)',
    '',
    '| sessions side by side | threads each | batch | chunks/s | tokens/s |',
    '|---|---|---|---|---|',
    ...limit.sweep.map((s) => `| ${s.sessions} | ${s.threads} | ${s.batchSize} | ${f1(s.chunksPerSecond)} | ${Math.round(s.tokensPerSecond)} |`),
    '',
    '## The store as it grows (random 384-d vectors, 80 Zipf-distributed pseudo-words per chunk, 10 chunks per file)',
    '',
    'Vector queries scan int8 rows per shard with a WebAssembly SIMD kernel and re-rank the best candidates by their cosine over the stored float16 rows;',
    'the lexical side is BM25 over all shards (typed-array postings). "Hybrid" is vector + BM25 + fusion on an embedded query;',
    '"end to end" adds embedding the query with the model (the query lane, BM25 running meanwhile), as a user waits for it.',
    '',
    '| chunks | shards | build s | disk MB | load s (open + first query) | vector p50 / p95 ms | by type p50 / p95 | by glob p50 / p95 | hybrid p50 / p95 | end to end p50 / p95 | RSS after load | one-file update |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.storeRuns.map(
      (s) =>
        `| ${s.chunks} | ${s.shards} | ${f1(s.buildSeconds)} | ${f1(s.diskMb)} | ${f2(s.loadSeconds)} | ${f1(s.unfiltered.p50)} / ${f1(s.unfiltered.p95)} | ${f1(s.byType.p50)} / ${f1(s.byType.p95)} | ${f1(s.byGlob.p50)} / ${f1(s.byGlob.p95)} | ${f1(s.hybrid.p50)} / ${f1(s.hybrid.p95)} | **${f1(s.endToEnd.p50)} / ${f1(s.endToEnd.p95)}** | ${s.rssAfterLoadMb} MB | ${Math.round(s.oneFileUpdateSeconds * 1000)} ms |`,
    ),
    '',
  );
  return lines.join('\n');
}

void main();
