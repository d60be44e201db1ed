/**
 * Child process: the ceiling. Chunks the corpus as Quipu does (its chunk worker: code cut along
 * declarations, the model input prepared as the chunk settings say), samples chunks, and runs ONNX
 * Runtime directly on their pre-tokenised, length-sorted ids for every way of using the cores:
 * one session with 1 or 2 intra-op threads, or two single-thread sessions side by side (each in a
 * worker thread, taking the next batch when free, as the embedding workers do), times every batch size.
 * Prints one JSON line: the sweep and the best configuration.
 * Usage: limit-child.ts <folder> <onnxPath> <modelDir> <sampleSize>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Chunk } from '../src/core/chunk/chunker';
import { DEFAULT_CHUNK_SETTINGS, DEFAULT_FILE_SETTINGS, DEFAULT_PIPELINE_SETTINGS } from '../src/core/config/config';
import { resolveModel } from '../src/core/embed/model';
import { extractDocument } from '../src/core/extract/documents';
import { documentKindOf } from '../src/core/extract/kinds';
import { discoverFiles } from '../src/core/files/discover';
import { nodeFileHost } from '../src/core/files/host';
import { languageOf } from '../src/core/files/languages';
import { EnginePools } from '../src/core/pool/pools';
import { seededRandom } from './lib';

async function main(): Promise<void> {
  const [folder, onnxPath, modelDir, sampleArg] = process.argv.slice(2) as [string, string, string, string];
  // The chunk worker makes exactly the ids the pipeline embeds.
  const pools = new EnginePools({ ...(await resolveModel('')), dir: modelDir }, DEFAULT_PIPELINE_SETTINGS);
  const all: Chunk[] = [];
  for await (const event of discoverFiles(folder, nodeFileHost, DEFAULT_FILE_SETTINGS)) {
    if (event.kind !== 'file') continue;
    const raw = readFileSync(event.file.absPath);
    const kind = documentKindOf(event.file.path);
    try {
      const source = kind ? await extractDocument(kind, raw).then((doc) => ({ text: doc.text, pages: doc.pages })) : { bytes: new Uint8Array(raw) };
      const result = await pools.chunk(source, DEFAULT_CHUNK_SETTINGS, undefined, { language: languageOf(event.file.path), path: event.file.path });
      if (result.kind === 'chunks') all.push(...result.chunks);
    } catch {
      continue;
    }
  }
  await pools.close();
  const random = seededRandom(42);
  const sample = [...all].sort(() => random() - 0.5).slice(0, Number(sampleArg));
  const sampleTokens = sample.reduce((n, c) => n + c.ids.length, 0);
  // Sorted by length, as Quipu batches them: the ceiling with the least padding.
  const sorted = [...sample].sort((a, b) => a.ids.length - b.ids.length);
  const sweep: { sessions: number; threads: number; batchSize: number; chunksPerSecond: number; tokensPerSecond: number }[] = [];
  for (const [sessions, threads] of [[1, 2], [2, 1], [1, 1]] as const) {
    const workers = await Promise.all(Array.from({ length: sessions }, () => startSession(onnxPath, threads)));
    await Promise.all(workers.map((embed) => embed([sorted[0].ids]))); // warm-up
    for (const batchSize of [1, 4, 8, 16, 32]) {
      const batches: number[][][] = [];
      for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize).map((c) => c.ids));
      const started = performance.now();
      let next = 0;
      // Each session takes the next batch as soon as it is free.
      await Promise.all(workers.map(async (embed) => {
        while (next < batches.length) await embed(batches[next++]);
      }));
      const seconds = (performance.now() - started) / 1000;
      sweep.push({ sessions, threads, batchSize, chunksPerSecond: sorted.length / seconds, tokensPerSecond: sampleTokens / seconds });
    }
    await Promise.all(workers.map((embed) => embed(null)));
  }
  const best = sweep.reduce((a, b) => (b.chunksPerSecond > a.chunksPerSecond ? b : a));
  process.stdout.write(
    JSON.stringify({ corpusChunks: all.length, sampleChunks: sample.length, meanTokens: sampleTokens / sample.length, sweep, best }) + '\n',
  );
}

/**
 * One ONNX Runtime session in a worker thread of its own (limit-worker.ts); the function embeds a
 * batch and resolves when it is done, or ends the worker when given null.
 */
async function startSession(onnxPath: string, threads: number): Promise<(batch: number[][] | null) => Promise<void>> {
  // A worker does not inherit tsx's loader: register it there, then load the TypeScript entry.
  const entry = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(__dirname, 'limit-worker.ts'))});`;
  const worker = new Worker(entry, { eval: true, workerData: { onnxPath, threads } });
  let pending: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const nextMessage = () => new Promise<void>((resolve, reject) => (pending = { resolve, reject }));
  worker.on('message', () => pending?.resolve());
  worker.on('error', (error) => pending?.reject(error));
  await nextMessage(); // ready
  return async (batch) => {
    if (batch === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage(null);
      await exited;
      return;
    }
    const done = nextMessage();
    worker.postMessage(batch);
    await done;
  };
}

void main();
