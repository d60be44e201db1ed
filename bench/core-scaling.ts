/**
 * `npm run bench:scaling -- [rounds]`: how indexing speed and memory follow the number of cores and of
 * embedding workers, to choose `embedWorkers` on machines other than this one. Each candidate indexes
 * the large corpus cold, pinned with taskset to one core or to every core; the order rotates from
 * round to round and speeds are taken relative to one worker on one core in the same round.
 * - one worker per core, on 1 core and on all cores: does speed grow with cores (per-core efficiency)?
 * - more workers than cores: what an extra ONNX session costs in memory, and whether it buys speed.
 * Writes bench/SCALING.md; the raw runs go to bench/.cache/scaling-runs.json.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MAX_DEFAULT_EMBED_WORKERS } from '../src/core/config/config';
import { median } from '../src/core/eval/metrics';
import { machineDescription, ROOT, rotatingIndexRuns } from './lib';

interface Candidate {
  cores: number;
  embedWorkers: number;
}

const same = (a: Candidate, b: Candidate) => a.cores === b.cores && a.embedWorkers === b.embedWorkers;
const label = (c: Candidate) => `${c.embedWorkers} worker${c.embedWorkers > 1 ? 's' : ''} on ${c.cores} core${c.cores > 1 ? 's' : ''}`;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const cores = availableParallelism();
  const baseline: Candidate = { cores: 1, embedWorkers: 1 };
  const candidates: Candidate[] = [baseline];
  if (cores > 1) candidates.push({ cores, embedWorkers: cores });
  candidates.push({ cores, embedWorkers: cores + 1 }, { cores, embedWorkers: cores + 2 });

  // One ONNX thread per worker, one chunk per call: the measured defaults (bench/DEFAULTS.md).
  const { runs, loadAtStart, loadAtEnd } = await rotatingIndexRuns('scaling', candidates, rounds, label, (candidate) => ({
    settings: [String(candidate.embedWorkers), '1', '1', '1'],
    cpus: `0-${candidate.cores - 1}`,
  }));

  const speedOf = (round: number, candidate: Candidate) => runs.find((r) => r.round === round && same(r.candidate, candidate))!.run.cold.chunksPerSecond;
  const rows = candidates.map((candidate) => {
    const own = runs.filter((r) => same(r.candidate, candidate));
    const ratio = median(own.map((r) => r.run.cold.chunksPerSecond / speedOf(r.round, baseline)));
    return {
      candidate,
      speeds: own.map((r) => r.run.cold.chunksPerSecond),
      ratio,
      perCore: ratio / candidate.cores,
      peakRssMb: Math.round(median(own.map((r) => r.run.peakRssMb))),
      eventLoopP99: median(own.map((r) => r.run.eventLoop.p99)),
    };
  });
  // Memory an extra session costs: the slope of peak RSS over the worker counts run on all cores.
  const allCores = rows.filter((r) => r.candidate.cores === cores);
  const first = allCores[0];
  const last = allCores[allCores.length - 1];
  const mbPerWorker = allCores.length > 1 ? (last.peakRssMb - first.peakRssMb) / (last.candidate.embedWorkers - first.candidate.embedWorkers) : NaN;
  const lines = [
    '# Indexing speed against cores and embedding workers',
    '',
    `Measured by \`npm run bench:scaling -- ${rounds}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machineDescription()}.`,
    `Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end.`,
    `Each candidate indexed the large benchmark corpus (${runs[0].run.cold.chunksTotal} chunks) cold once per round, ${rounds} rounds, the order`,
    'rotating, pinned to its cores with `taskset`; every worker runs one ONNX thread on one chunk per call. "vs 1 core" is the',
    `median over rounds of its speed divided by ${label(baseline)}'s in the same round; "per core" divides that by the cores.`,
    '',
    '| candidate | chunks/s per round | vs 1 core | per core | peak RSS | event-loop p99 |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${label(r.candidate)} | ${r.speeds.map((s) => s.toFixed(1)).join(', ')} | **${r.ratio.toFixed(2)}** | ${r.perCore.toFixed(2)} | ${r.peakRssMb} MB | ${r.eventLoopP99.toFixed(1)} ms |`,
    ),
    '',
    `Each embedding worker beyond the first costs about ${mbPerWorker.toFixed(0)} MB of peak RSS (slope over ${first.candidate.embedWorkers}–${last.candidate.embedWorkers} workers on ${cores} cores).`,
    '',
    'What the default (`defaultEmbedWorkers`, src/core/config/config.ts) takes from this: one single-thread worker per core, never',
    'more workers than cores (they add memory and no speed). Up to the cores measured here that is the whole rule; beyond',
    'them it is a judgement, not a measurement: from four cores on one core is left to the editor and the other stages, and',
    `at most ${MAX_DEFAULT_EMBED_WORKERS} sessions are held (about ${(first.peakRssMb + (MAX_DEFAULT_EMBED_WORKERS - first.candidate.embedWorkers) * mbPerWorker).toFixed(0)} MB peak at this slope).`,
    '',
  ];
  writeFileSync(join(ROOT, 'bench', 'SCALING.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
