/**
 * The cost of a file with nothing to embed: N identical one-line files (one model input in all, the
 * path left out of what the model reads), indexed cold, then again with no changes. Prints the time
 * per file of each run and peak RSS. Run it under `node --cpu-prof` to see where the time goes.
 * Usage: npm run bench:files -- [files=20000] [folder=<tmp>]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { peakRssMb } from './lib';

async function main(): Promise<void> {
  const files = Number(process.argv[2] ?? 20_000);
  const root = process.argv[3] ?? join(tmpdir(), `quipu-bench-files-${files}`);
  const folder = join(root, 'src');
  const indexDir = join(root, 'index');
  rmSync(root, { recursive: true, force: true });
  // 100 files a folder, as a source tree spreads them.
  for (let i = 0; i < files; i++) {
    const dir = join(folder, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.txt`), 'the same line in every file\n');
  }
  const engine = await QuipuEngine.create(makeConfig({ chunk: { embedContext: false } }));
  // CPU time of the process (all threads) as well as wall time: on a shared machine the wall time
  // says as much about the neighbours as about Quipu.
  // And the main thread's busy time (event-loop utilisation): the stage that bounds the run when
  // the workers wait, as they do here.
  let cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const cold = { ...(await engine.index(folder, { indexDir })), cpu: cpuSeconds(cpu) };
  const mainBusy = performance.eventLoopUtilization(loop).active / 1000;
  cpu = process.cpuUsage();
  const warm = { ...(await engine.index(folder, { indexDir })), cpu: cpuSeconds(cpu) };
  await engine.close();
  const row = (name: string, s: { seconds: number; cpu: number; filesIndexed: number; filesUnchanged: number; chunksEmbedded: number }) =>
    `${name}: ${s.seconds.toFixed(1)} s, ${((s.seconds * 1000) / files).toFixed(2)} ms/file; CPU ${s.cpu.toFixed(1)} s, ${((s.cpu * 1000) / files).toFixed(2)} ms/file (${s.filesIndexed} indexed, ${s.filesUnchanged} unchanged, ${s.chunksEmbedded} embedded)`;
  process.stdout.write(`${files} identical one-line files\n${row('cold', cold)}; main thread busy ${mainBusy.toFixed(1)} s\n${row('no changes', warm)}\npeak RSS ${peakRssMb()} MB\n`);
  rmSync(root, { recursive: true, force: true });
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

void main();
