/**
 * `npm run bench:remote`: a remote embedding endpoint (Infinity serving all-MiniLM-L6-v2 fp32 on this
 * machine, test/servers/infinity.ts) measured three ways on one corpus, in one run:
 *   1. its own ceiling, loaded directly from a separate process at its best batch size and requests
 *      in flight (remote-ceiling.ts, on a sample of the corpus's model inputs);
 *   2. Quipu end to end through it (a cold index, no vector cache), with the main thread's
 *      event-loop delay;
 *   3. the local embedder on the same corpus.
 * Then the vector cache: its size per 10k chunks and the cost of a lookup.
 * The server shares the machine's cores with Quipu (and, here, with other work): read the ratios.
 * Usage: bench/remote.ts [folder] (default: this repository's src/core/search; the machine here is shared, so small)  → bench/REMOTE.md
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CHUNK_SETTINGS, DEFAULT_FILE_SETTINGS, makeConfig } from '../src/core/config/config';
import { resolveModel } from '../src/core/embed/model';
import { VectorCache } from '../src/core/embed/vector-cache';
import { QuipuEngine } from '../src/core/engine/engine';
import { documentKindOf } from '../src/core/extract/kinds';
import { discoverFiles } from '../src/core/files/discover';
import { nodeFileHost } from '../src/core/files/host';
import { languageOf } from '../src/core/files/languages';
import { EnginePools } from '../src/core/pool/pools';
import { startInfinity } from '../test/servers/infinity';
import { eventLoopStats, machineDescription, ROOT, runChild, startEventLoopMonitor } from './lib';

const SAMPLE = 96;

async function modelInputs(folder: string): Promise<string[]> {
  const model = await resolveModel('');
  const pools = new EnginePools(model, makeConfig().pipeline);
  const texts: string[] = [];
  for await (const event of discoverFiles(folder, nodeFileHost, DEFAULT_FILE_SETTINGS)) {
    if (event.kind !== 'file' || documentKindOf(event.file.path)) continue;
    const result = await pools.chunk({ bytes: new Uint8Array(readFileSync(event.file.absPath)) }, DEFAULT_CHUNK_SETTINGS, undefined, { language: languageOf(event.file.path), path: event.file.path, inputText: true });
    if (result.kind === 'chunks') for (const chunk of result.chunks) texts.push(chunk.input ?? chunk.text);
  }
  await pools.close();
  return texts;
}

async function indexOnce(engine: QuipuEngine, folder: string) {
  const indexDir = mkdtempSync(join(tmpdir(), 'quipu-bench-remote-'));
  const loop = startEventLoopMonitor();
  const summary = await engine.index(folder, { indexDir });
  const delay = eventLoopStats(loop);
  rmSync(indexDir, { recursive: true, force: true });
  return { chunks: summary.chunksEmbedded, seconds: summary.seconds, chunksPerSecond: summary.chunksPerSecond, loopP99: delay.p99, loopP50: delay.p50 };
}

async function main(): Promise<void> {
  const folder = process.argv[2] ?? join(ROOT, 'src', 'core', 'search');
  const server = await startInfinity({ batchSize: 64 });
  const scratch = mkdtempSync(join(tmpdir(), 'quipu-bench-remote-'));
  try {
    const texts = await modelInputs(folder);
    const sample = texts.filter((_, i) => i % Math.max(1, Math.floor(texts.length / SAMPLE)) === 0).slice(0, SAMPLE);
    writeFileSync(join(scratch, 'texts.json'), JSON.stringify(sample));
    const ceiling = await runChild<{ texts: number; sweep: { batchSize: number; inFlight: number; chunksPerSecond: number }[]; best: { batchSize: number; inFlight: number; chunksPerSecond: number } }>('remote-ceiling.ts', [`${server.url}/embeddings`, server.model, join(scratch, 'texts.json')]);

    const remote = await QuipuEngine.create(makeConfig({ embedder: { provider: 'openai', url: server.url, model: server.model, batchSize: ceiling.best.batchSize, maxInFlight: 8 } }));
    const throughQuipu = await indexOnce(remote, folder);
    await remote.close();
    const local = await QuipuEngine.create(makeConfig());
    const localRun = await indexOnce(local, folder);

    // The vector cache: filled by one cold run, then every vector looked up.
    const cacheDir = join(scratch, 'vectors');
    const cached = await QuipuEngine.create(makeConfig({ vectorCache: { dir: cacheDir, maxBytes: 1 << 30 } }));
    const filled = await indexOnce(cached, folder);
    await cached.close();
    const cache = VectorCache.open({ dir: cacheDir, maxBytes: 1 << 30 }, local.embedder.id, await local.embedder.dimensions());
    const keys: string[] = [];
    for (const segment of readdirSync(cache.dir).filter((name) => name.endsWith('.keys'))) {
      const raw = readFileSync(join(cache.dir, segment));
      for (let at = 0; at + 16 <= raw.length; at += 16) keys.push(raw.toString('hex', at, at + 16));
    }
    const bytes = readdirSync(cache.dir).reduce((sum, name) => sum + statSync(join(cache.dir, name)).size, 0);
    const started = performance.now();
    const found = cache.getMany(keys);
    const lookupMs = performance.now() - started;
    cache.close();
    await local.close();

    const ratio = throughQuipu.chunksPerSecond / ceiling.best.chunksPerSecond;
    const lines = [
      '# Remote embedding: the endpoint\'s ceiling against Quipu through it',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}, by \`npm run bench:remote\` (bench/remote.ts), on ${folder.replace(ROOT + '/', '')} (${texts.length} chunks).`,
      '**The machine was shared with other sessions while this ran, and the server shares its two cores with Quipu: the absolute numbers are noisy; the ratios come from one run.**',
      '',
      'Server: Infinity 0.0.78 (torch, CPU) serving all-MiniLM-L6-v2 fp32 on 127.0.0.1 (`test/servers/infinity.ts`).',
      '',
      '| | chunks/s | vs ceiling | event-loop p99 (ms) |',
      '|---|---|---|---|',
      `| endpoint ceiling (separate process, best of ${ceiling.sweep.length}: batch ${ceiling.best.batchSize}, ${ceiling.best.inFlight} in flight, ${ceiling.texts} chunks) | ${ceiling.best.chunksPerSecond.toFixed(1)} | 1.00 | |`,
      `| Quipu end to end through it (batch ${ceiling.best.batchSize}, up to 8 in flight, adaptive; ${throughQuipu.chunks} chunks, ${throughQuipu.seconds.toFixed(1)} s) | ${throughQuipu.chunksPerSecond.toFixed(1)} | ${ratio.toFixed(2)} | ${throughQuipu.loopP99} |`,
      `| local embedder (bundled int8 model, default workers; ${localRun.chunks} chunks) | ${localRun.chunksPerSecond.toFixed(1)} | ${(localRun.chunksPerSecond / ceiling.best.chunksPerSecond).toFixed(2)} | ${localRun.loopP99} |`,
      '',
      'The ceiling sweep (chunks/s):',
      '',
      '| batch | 1 in flight | 4 |',
      '|---|---|---|',
      ...[...new Set(ceiling.sweep.map((s) => s.batchSize))].map((b) => `| ${b} | ${ceiling.sweep.filter((s) => s.batchSize === b).map((s) => s.chunksPerSecond.toFixed(1)).join(' | ')} |`),
      '',
      '## The vector cache',
      '',
      `After one cold run (${filled.chunks} chunks embedded): ${found.size} vectors in ${(bytes / 2 ** 20).toFixed(2)} MB, so **${((bytes / Math.max(1, found.size)) * 10_000 / 2 ** 20).toFixed(1)} MB per 10k chunks** (384 float32 + 16-byte key + CRC per record, and a 16-byte key file entry).`,
      `Looking every one of them up (read + checksum): ${lookupMs.toFixed(1)} ms, **${((lookupMs * 1000) / Math.max(1, keys.length)).toFixed(1)} µs per vector**.`,
      '',
    ];
    writeFileSync(join(ROOT, 'bench', 'REMOTE.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
