/**
 * Child process: Quipu indexes a folder cold, then again with no changes. Prints one JSON line with
 * the summaries, the main thread's event-loop delay during the cold run, and peak RSS (all threads).
 * Usage: quipu-child.ts <folder> <indexDir> [embedWorkers embedThreads batchSize chunkWorkers]
 */
import { rmSync } from 'node:fs';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { eventLoopStats, peakRssMb, startEventLoopMonitor } from './lib';

async function main(): Promise<void> {
  const [folder, indexDir, embedWorkers, embedThreads, batchSize, chunkWorkers] = process.argv.slice(2);
  const pipeline = {
    ...(embedWorkers ? { embedWorkers: Number(embedWorkers) } : {}),
    ...(embedThreads ? { embedThreads: Number(embedThreads) } : {}),
    ...(batchSize ? { batchSize: Number(batchSize) } : {}),
    ...(chunkWorkers ? { chunkWorkers: Number(chunkWorkers) } : {}),
  };
  rmSync(indexDir, { recursive: true, force: true });
  const engine = await QuipuEngine.create(makeConfig({ pipeline }));
  const monitor = startEventLoopMonitor();
  const cold = await engine.index(folder, { indexDir });
  const eventLoop = eventLoopStats(monitor);
  const warm = await engine.index(folder, { indexDir });
  await engine.close();
  process.stdout.write(JSON.stringify({ cold, warm, eventLoop, peakRssMb: peakRssMb() }) + '\n');
}

void main();
