/**
 * `npm run bench:defaults -- [rounds]`: the pipeline settings a user gets by default, chosen by
 * measurement. Each candidate (embedding workers × ONNX threads each × batch size) indexes the large
 * corpus cold, once per round; the order rotates from round to round so that no candidate always
 * runs first or last, and each round's speeds are taken relative to the current default's speed in
 * the same round (the machine is shared: a slow minute hits a round, not a candidate).
 * Writes bench/DEFAULTS.md; the raw runs go to bench/.cache/defaults-runs.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PIPELINE_SETTINGS } from '../src/core/config/config';
import { median } from '../src/core/eval/metrics';
import { machineDescription, ROOT, rotatingIndexRuns } from './lib';

/** embedWorkers, embedThreads, batchSize, chunkWorkers. */
type Candidate = [number, number, number, number];

const { embedWorkers, embedThreads, batchSize, chunkWorkers } = DEFAULT_PIPELINE_SETTINGS;
const CURRENT: Candidate = [embedWorkers, embedThreads, batchSize, chunkWorkers];
/** On this 2-core machine: every way to give the model both cores, with small and larger batches. */
const CANDIDATES = ([CURRENT, [1, 2, 1, 1], [1, 2, 4, 1], [1, 2, 8, 1], [2, 1, 1, 1], [2, 1, 4, 1], [2, 1, 8, 1]] as Candidate[]).filter(
  (c, i, all) => all.findIndex((d) => d.join() === c.join()) === i,
);
const label = (c: Candidate) => `${c[0]} × ${c[1]} threads, batch ${c[2]}, ${c[3]} chunk worker${c[3] > 1 ? 's' : ''}`;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const { runs, loadAtStart, loadAtEnd } = await rotatingIndexRuns('defaults', CANDIDATES, rounds, label, (candidate) => ({ settings: candidate.map(String) }));

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
