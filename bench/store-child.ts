/**
 * Child process: how the store behaves as it grows. Builds an index of N chunks (random unit
 * vectors, 10 chunks per file, committed in steps as the pipeline does), then measures disk size,
 * load time (open + first query), query latency, memory, and the cost of a one-file update.
 * Also breaks the disk down by file kind and memory by what was loaded when (see diskBreakdown).
 * Usage: store-child.ts <N> <shards> <dir>
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { searchStores, type SearchOptions, type SearchQuery } from '../src/core/search/search';
import { LocalVectorStore } from '../src/core/store/local-vector-store';
import { IndexStore } from '../src/core/store/store';
import type { FileUpdate } from '../src/core/store/types';
import { peakRssMb, runChild, seededRandom } from './lib';

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

/** What an index folder holds, by kind of file: bytes (apparent size) and bytes allocated on disk. */
function diskBreakdown(dir: string): Record<string, { files: number; bytes: number; allocated: number }> {
  const kinds: Record<string, { files: number; bytes: number; allocated: number }> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(dir, path);
    const kind = /^shards\/.*\/index\.g\d+\.pb$/.test(name)
      ? 'vector shards (Vectra protobuf)'
      : /^shards\/.*\/vectors\.g\d+\.bin$/.test(name)
        ? 'vector shards'
        : /^shards\/.*\/lexical\.g\d+\.bin$/.test(name)
          ? 'lexical'
          : name.startsWith('texts/')
            ? 'texts'
            : /^catalog\.g\d+\.json$/.test(name)
              ? 'catalog'
              : name;
    const stat = statSync(path);
    const k = (kinds[kind] ??= { files: 0, bytes: 0, allocated: 0 });
    k.files++;
    k.bytes += stat.size;
    k.allocated += stat.blocks * 512;
  }
  return kinds;
}

/** Resident memory now, and the V8 heap and array buffers within it, in MB. */
function memory(): { rss: number; heap: number; arrayBuffers: number; external: number } {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 2 ** 20);
  return { rss: mb(m.rss), heap: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers), external: mb(m.external) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Builds an index of `total` chunks in `dir`, committed in steps as the pipeline does (each step
 * adds a fifth of what is there), or with `once` in one commit (a faster way to make a large index
 * to measure; its build time is not the pipeline's).
 */
async function build(total: number, shards: number, dir: string, once = false) {
  const files = total / 10;
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const writer = await IndexStore.open(dir, identity, { write: true, shards });
  let staged = 0;
  for (let n = 0; n < files; n++) {
    writer.stageFile(fileUpdate(n));
    staged += 10;
    if (!once && staged >= Math.max(1000, writer.chunkCount * 0.2)) {
      await writer.commit();
      staged = 0;
    }
  }
  await writer.commit();
  const buildSeconds = (performance.now() - started) / 1000;
  const diskMb = (await writer.diskBytes()) / 2 ** 20;
  const disk = diskBreakdown(dir);
  await writer.close();
  return { chunks: total, shards, oneCommit: once, buildSeconds, diskMb, disk, buildPeakRssMb: peakRssMb() };
}

/** One index searched as the engine searches it (search/search.ts). */
function searchStore(store: IndexStore, query: SearchQuery, options: SearchOptions) {
  return searchStores([{ store: LocalVectorStore.of(store), folderIndex: 0 }], query, options);
}

/** Opens the index as a search would, in a process of its own (so its memory is the reader's alone), and queries it. */
async function read(dir: string) {
  const memoryAt: Record<string, ReturnType<typeof memory>> = { start: memory() };
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const reader = await IndexStore.open(dir, identity, { write: false });
  memoryAt.opened = memory(); // manifest and catalog
  const openSeconds = (performance.now() - started) / 1000;
  // The first query loads every shard: vectors, then the BM25 indexes.
  await LocalVectorStore.of(reader).vectorCandidates(unitVector(), 10);
  memoryAt.vectors = memory();
  const vectorsSeconds = (performance.now() - started) / 1000 - openSeconds;
  await searchStore(reader, { text: randomText(3), embed: () => Promise.resolve(unitVector()) }, { topK: 10, mode: 'hybrid' });
  memoryAt.lexical = memory();
  const loadSeconds = (performance.now() - started) / 1000;
  // CPU time of the load (this thread and any other of the process): less hostage to a shared machine than the clock.
  const { user, system } = process.cpuUsage(cpuAtStart);
  const loadCpuSeconds = (user + system) / 1e6;
  const timings = (fn: () => Promise<unknown>) => async () => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
  };
  const unfiltered = await timings(() => searchStore(reader, { text: '', embed: () => Promise.resolve(unitVector()) }, { topK: 10, mode: 'vector' }))();
  const byType = await timings(() => searchStore(reader, { text: '', embed: () => Promise.resolve(unitVector()) }, { topK: 10, types: ['md'], mode: 'vector' }))();
  const byGlob = await timings(() => searchStore(reader, { text: '', embed: () => Promise.resolve(unitVector()) }, { topK: 10, include: ['pkg-1*/**'], mode: 'vector' }))();
  // Hybrid: the vector scan, BM25 over every shard and the fusion (the query is already embedded).
  const hybrid = await timings(() => searchStore(reader, { text: randomText(4), embed: () => Promise.resolve(unitVector()) }, { topK: 10, mode: 'hybrid' }))();
  // End to end, as a user waits for it: the query embedded by the model (the query lane), then hybrid.
  const engine = await QuipuEngine.create(makeConfig());
  await engine.embed(['warm up the query lane']);
  const endToEnd = await timings(async () => {
    const text = randomText(5);
    // As engine.search does it: BM25 runs while the query lane embeds the query.
    const vector = engine.embed([text]).then(([embedded]) => embedded);
    return searchStore(reader, { text, embed: () => vector }, { topK: 10, mode: 'hybrid' });
  })();
  memoryAt.model = memory();
  await engine.close();
  const rssAfterLoadMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  await reader.close();
  return { loadSeconds, loadCpuSeconds, openSeconds, vectorsSeconds, memoryAt, unfiltered, byType, byGlob, hybrid, endToEnd, rssAfterLoadMb, peakRssMb: peakRssMb() };
}

/** The reader's numbers (a child process), then the cost of a one-file update. */
async function measure(dir: string) {
  const reading = await runChild<Awaited<ReturnType<typeof read>>>('store-child.ts', ['read', dir]);
  const updater = await IndexStore.open(dir, identity, { write: true });
  await LocalVectorStore.of(updater).vectorCandidates(unitVector(), 1); // load shards first: measure the update alone
  const started = performance.now();
  updater.stageFile(fileUpdate(3, 1));
  await updater.commit();
  const oneFileUpdateSeconds = (performance.now() - started) / 1000;
  await updater.close();
  return { ...reading, oneFileUpdateSeconds };
}

/**
 * `<N> <shards> <dir>`: build, measure, remove. Or one step: `build <N> <shards> <dir> [once]` (keeps the
 * index), `measure <dir>` (an index built before), `read <dir>` (the reader's child process).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const print = (result: object): void => void process.stdout.write(JSON.stringify(result) + '\n');
  if (args[0] === 'read') return print(await read(args[1]));
  if (args[0] === 'measure') return print(await measure(args[1]));
  if (args[0] === 'build') return print(await build(Number(args[1]), Number(args[2]), args[3], args[4] === 'once'));
  const [nArg, shardsArg, dir] = args as [string, string, string];
  const built = await build(Number(nArg), Number(shardsArg), dir);
  const measured = await measure(dir);
  rmSync(dir, { recursive: true, force: true });
  print({ ...built, ...measured });
}

void main();
