/**
 * `npm run bench:defaults -- [rounds]`: the pipeline settings a user gets by default, chosen by
 * measurement. Each candidate (embedding workers × ONNX threads each × batch size) indexes the large
 * corpus cold, once per round; the order rotates from round to round so that no candidate always
 * runs first or last, and each round's speeds are taken relative to the current default's speed in
 * the same round (the machine is shared: a slow minute hits a round, not a candidate).
 * Writes bench/DEFAULTS.md; the raw runs go to bench/.cache/defaults-runs.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PIPELINE_SETTINGS } from '../src/core/config';
import type { IndexSummary } from '../src/core/pipeline/events';
import { machineDescription, ROOT, runChild } from './lib';

interface QuipuRun {
  cold: IndexSummary;
  eventLoop: { p50: number; p99: number; max: number };
  peakRssMb: number;
}
/** embedWorkers, embedThreads, batchSize, chunkWorkers. */
type Candidate = [number, number, number, number];

const { embedWorkers, embedThreads, batchSize, chunkWorkers } = DEFAULT_PIPELINE_SETTINGS;
const CURRENT: Candidate = [embedWorkers, embedThreads, batchSize, chunkWorkers];
/** On this 2-core machine: every way to give the model both cores, with small and larger batches. */
const CANDIDATES = ([CURRENT, [1, 2, 1, 1], [1, 2, 4, 1], [1, 2, 8, 1], [2, 1, 1, 1], [2, 1, 4, 1], [2, 1, 8, 1]] as Candidate[]).filter(
  (c, i, all) => all.findIndex((d) => d.join() === c.join()) === i,
);
const label = (c: Candidate) => `${c[0]} × ${c[1]} threads, batch ${c[2]}, ${c[3]} chunk worker${c[3] > 1 ? 's' : ''}`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const large = join(ROOT, 'bench', '.corpus', 'large');
  if (!existsSync(large)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  const log = (text: string) => process.stderr.write(`[defaults] ${text}\n`);
  const work = mkdtempSync(join(tmpdir(), 'quipu-defaults-'));
  const loadAtStart = loadavg()[0];
  const runs: { round: number; candidate: Candidate; run: QuipuRun }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < CANDIDATES.length; k++) {
        const candidate = CANDIDATES[(k + round) % CANDIDATES.length];
        log(`round ${round + 1}/${rounds}: ${label(candidate)}`);
        const run = await runChild<QuipuRun>('quipu-child.ts', [large, join(work, 'index'), ...candidate.map(String)]);
        runs.push({ round, candidate, run });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const loadAtEnd = loadavg()[0];
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', '.cache', 'defaults-runs.json'), JSON.stringify({ loadAtStart, loadAtEnd, runs }, null, 1));

  const speedOf = (round: number, candidate: Candidate) => runs.find((r) => r.round === round && r.candidate.join() === candidate.join())!.run.cold.chunksPerSecond;
  const rows = CANDIDATES.map((candidate) => {
    const own = runs.filter((r) => r.candidate.join() === candidate.join());
    return {
      candidate,
      speeds: own.map((r) => r.run.cold.chunksPerSecond),
      ratio: median(own.map((r) => r.run.cold.chunksPerSecond / speedOf(r.round, CURRENT))),
      peakRssMb: Math.max(...own.map((r) => r.run.peakRssMb)),
      eventLoopP99: median(own.map((r) => r.run.eventLoop.p99)),
    };
  }).sort((a, b) => b.ratio - a.ratio);
  const corpusChunks = runs[0].run.cold.chunksTotal;
  const lines = [
    '# Pipeline defaults, measured',
    '',
    `Measured by \`npm run bench:defaults -- ${rounds}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machineDescription()}.`,
    `Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end.`,
    `Each candidate indexed the large benchmark corpus (${corpusChunks} chunks) cold once per round, ${rounds} rounds, the order rotating;`,
    `"vs default" is the median over rounds of its speed divided by the default's (${label(CURRENT)}) in the same round.`,
    '',
    '| embed workers × ONNX threads, batch, chunk workers | chunks/s per round | vs default | peak RSS | event-loop p99 |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${label(r.candidate)}${r.candidate.join() === CURRENT.join() ? ' (default)' : ''} | ${r.speeds.map((s) => s.toFixed(1)).join(', ')} | **${r.ratio.toFixed(2)}** | ${r.peakRssMb} MB | ${r.eventLoopP99.toFixed(1)} ms |`),
    '',
  ];
  writeFileSync(join(ROOT, 'bench', 'DEFAULTS.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
