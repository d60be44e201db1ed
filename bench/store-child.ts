/**
 * Child process: how the store behaves as it grows. Builds an index of N chunks (random unit
 * vectors, 10 chunks per file, committed in steps as the pipeline does), then measures disk size,
 * load time (open + first query), query latency, memory, and the cost of a one-file update.
 * Usage: store-child.ts <N> <shards> <dir>
 */
import { rmSync } from 'node:fs';
import { makeConfig } from '../src/core/config';
import { QuipuEngine } from '../src/core/engine';
import { vectorCandidates } from '../src/core/search/candidates';
import { searchStore } from '../src/core/search/search';
import { IndexStore, type FileUpdate } from '../src/core/store/store';
import { peakRssMb, seededRandom } from './lib';

const DIMS = 384;
const identity = { modelId: 'bench', chunkKey: 'bench', dimensions: DIMS };
const random = seededRandom(7);

function unitVector(): Float32Array {
  const v = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i++) norm += (v[i] = random() * 2 - 1) ** 2;
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) v[i] /= norm;
  return v;
}

/** Pseudo-words with a skewed (Zipf-like) frequency, so BM25 sees text shaped like real text. */
const VOCABULARY = Array.from({ length: 5000 }, (_, i) => {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pu', 'dan', 'rel', 'sim', 'tor'];
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
  return word;
});
function randomWord(): string {
  return VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)];
}
function randomText(words: number): string {
  return Array.from({ length: words }, randomWord).join(' ');
}

function fileUpdate(n: number, version = 0): FileUpdate {
  const ext = ['ts', 'md', 'py', 'js'][n % 4];
  return {
    path: `pkg-${n % 50}/dir-${n % 7}/file-${n}.${ext}`,
    size: 4000,
    mtimeMs: 1 + version,
    hash: `${n}-${version}`.padEnd(16, '0'),
    ext,
    language: ext,
    chunks: Array.from({ length: 10 }, (_, i) => ({
      text: `chunk ${i} of file ${n} version ${version} ${randomText(80)}`,
      startLine: i * 20 + 1,
      endLine: i * 20 + 25,
      inputHash: `${n}-${i}-${version}`,
      vector: unitVector(),
    })),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const [nArg, shardsArg, dir] = process.argv.slice(2) as [string, string, string];
  const total = Number(nArg);
  const files = total / 10;
  rmSync(dir, { recursive: true, force: true });

  let started = performance.now();
  const writer = await IndexStore.open(dir, identity, { write: true, shards: Number(shardsArg) });
  let staged = 0;
  for (let n = 0; n < files; n++) {
    writer.stageFile(fileUpdate(n));
    staged += 10;
    if (staged >= Math.max(1000, writer.chunkCount * 0.2)) {
      await writer.commit();
      staged = 0;
    }
  }
  await writer.commit();
  const buildSeconds = (performance.now() - started) / 1000;
  const diskMb = (await writer.diskBytes()) / 2 ** 20;
  await writer.close();

  started = performance.now();
  const reader = await IndexStore.open(dir, identity, { write: false });
  // The first query loads every shard: vectors and BM25 indexes.
  await searchStore(reader, { text: randomText(3), vector: unitVector() }, { topK: 10, mode: 'hybrid' });
  const loadSeconds = (performance.now() - started) / 1000;
  const timings = (fn: () => Promise<unknown>) => async () => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
  };
  const unfiltered = await timings(() => searchStore(reader, { text: '', vector: unitVector() }, { topK: 10, mode: 'vector' }))();
  const byType = await timings(() => searchStore(reader, { text: '', vector: unitVector() }, { topK: 10, types: ['md'], mode: 'vector' }))();
  const byGlob = await timings(() => searchStore(reader, { text: '', vector: unitVector() }, { topK: 10, include: ['pkg-1*/**'], mode: 'vector' }))();
  // Hybrid: the vector scan, BM25 over every shard and the fusion (the query is already embedded).
  const hybrid = await timings(() => searchStore(reader, { text: randomText(4), vector: unitVector() }, { topK: 10, mode: 'hybrid' }))();
  // End to end, as a user waits for it: the query embedded by the model (the query lane), then hybrid.
  const engine = await QuipuEngine.create(makeConfig());
  await engine.embed(['warm up the query lane']);
  const endToEnd = await timings(async () => {
    const text = randomText(5);
    // As engine.search does it: BM25 runs while the query lane embeds the query.
    const vector = engine.embed([text]).then(([embedded]) => embedded);
    return searchStore(reader, { text, vector }, { topK: 10, mode: 'hybrid' });
  })();
  await engine.close();
  const rssAfterLoadMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  await reader.close();

  const updater = await IndexStore.open(dir, identity, { write: true });
  await vectorCandidates(updater, unitVector(), 1); // load shards first: measure the update alone
  started = performance.now();
  updater.stageFile(fileUpdate(3, 1));
  await updater.commit();
  const oneFileUpdateSeconds = (performance.now() - started) / 1000;
  await updater.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ chunks: total, shards: Number(shardsArg), buildSeconds, diskMb, loadSeconds, unfiltered, byType, byGlob, hybrid, endToEnd, rssAfterLoadMb, peakRssMb: peakRssMb(), oneFileUpdateSeconds }) + '\n',
  );
}

void main();
