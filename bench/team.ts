/**
 * `npm run bench:team`: the team index on a real Chroma server (started here on loopback) against
 * the local store, bounded in count and time. Results: stdout (JSON) and bench/.cache/team-bench-<phases>.json.
 *
 *  1. upload throughput (chunks/s of one generation published) vs the local store's commit throughput
 *  2. vector query p50/p95 at 10k / 100k / 200k chunks, server vs local (synthetic unit vectors)
 *  3. 16 concurrent clients querying the 200k collection, first for 60 s alone, then while a writer
 *     publishes a new generation of `--new-chunks` (2500 by default): latency, errors, and whether any
 *     answer mixed two generations (every hit is checked against the generation its client read).
 *     The readers stop when the writer is done or after `--concurrent-limit-s` (900 s by default).
 *  4. time to a new developer's first answer on a real corpus (team index + overlay vs a cold local index)
 *  5. the overlay's cost when 1 % and 10 % of the files differ from the base
 * `--phases scale,concurrent,developer` picks parts (all by default; without `scale`, `concurrent`
 * uploads the 200k chunks to the server alone, in 50k generations). Each phase's numbers are saved to
 * bench/.cache/team-bench-<phases>.json as soon as they are measured, so a run cut short keeps them.
 * `--quick` stops at 10k chunks (a smoke run). The machine is shared: numbers are noisy.
 */
import { cpSync, appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { median } from '../src/core/eval/metrics';
import { ChromaStore } from '../src/core/store/chroma-store';
import { LocalVectorStore } from '../src/core/store/local-vector-store';
import { hashText } from '../src/core/store/layout';
import type { FileUpdate, StoreIdentity } from '../src/core/store/types';
import type { VectorStore } from '../src/core/store/vector-store';
import { TeamIndex } from '../src/core/team/team';
import { startChroma } from '../test/servers/chroma';
import { machineDescription, ROOT } from './lib';

const DIMS = 384;
const CHUNKS_PER_FILE = 20;
const IDENTITY: StoreIdentity = { modelId: 'bench-synthetic', chunkKey: 'bench', dimensions: DIMS };
const WORDS = 'retry backoff parse header token stream buffer socket cache index shard vector query search commit branch merge render widget schema config'.split(' ');

let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function unitVector(): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = random() - 0.5;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function syntheticFile(n: number, version = 0): FileUpdate {
  const path = `src/m${Math.floor(n / 100)}/f${n}.ts`;
  const chunks = Array.from({ length: CHUNKS_PER_FILE }, (_, i) => {
    const text = Array.from({ length: 24 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ') + ` v${version}`;
    return { text, startLine: i * 10 + 1, endLine: i * 10 + 10, inputHash: hashText(`${path}:${i}:${version}:${text}`).slice(0, 32), vector: unitVector() };
  });
  return { path, size: 2000, mtimeMs: 1, hash: hashText(`${path}:${version}`), ext: 'ts', language: 'typescript', chunks };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function upload(store: VectorStore, from: number, to: number): Promise<number> {
  for (let n = from; n < to; n++) store.stageFile(syntheticFile(n));
  const started = performance.now();
  await store.commit({ commit: `synthetic-${to}` });
  return ((to - from) * CHUNKS_PER_FILE) / ((performance.now() - started) / 1000);
}

async function queryLatency(store: VectorStore, count: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const vector = unitVector();
    const started = performance.now();
    await store.refresh();
    await store.vectorCandidates(vector, 10);
    times.push(performance.now() - started);
  }
  return { p50: median(times), p95: percentile(times, 95) };
}

/** 16 readers: each refreshes, queries, and checks every hit against the generation it read. */
async function readers(url: string, clients: number, until: () => boolean) {
  const stores = await Promise.all(Array.from({ length: clients }, () => ChromaStore.open(url, 'bench', IDENTITY, { write: false })));
  let errors = 0;
  let mixed = 0;
  let mixedAnswers = 0;
  const firstErrors: string[] = [];
  const times: number[] = [];
  const generationsSeen = new Set<number>();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    stores.map(async (reader) => {
      do {
        const t = performance.now();
        try {
          await reader.refresh();
          const L = reader.generation();
          generationsSeen.add(L);
          const hits = await reader.vectorCandidates(unitVector(), 10);
          times.push(performance.now() - t);
          const foreign = hits.filter((hit) => {
            const m = hit.metadata as unknown as { born: number; died: number };
            return !(m.born <= L && m.died > L);
          }).length;
          mixed += foreign;
          if (foreign > 0) mixedAnswers++;
        } catch (error) {
          errors++;
          if (firstErrors.length < 3) firstErrors.push(String((error as Error)?.message ?? error));
        }
      } while (!until());
    }),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await Promise.all(stores.map((s) => s.close()));
  return {
    clients,
    queries: times.length,
    errors,
    firstErrors,
    mixedGenerationHits: mixed,
    mixedAnswers,
    generationsSeen: [...generationsSeen].sort((a, b) => a - b),
    p50: median(times),
    p95: percentile(times, 95),
    wallMs,
    // The clients' own process: near 100 % of a core would make it the bottleneck, not the server.
    clientCpuShare: (used.user + used.system) / 1000 / wallMs,
    load: loadavg()[0],
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
  // --phases scale,concurrent,developer (all by default): the developer phase needs the model, the others not.
  const phases = new Set((arg('--phases') ?? 'scale,concurrent,developer').split(','));
  // The writer's new generation during the 16-client phase, in chunks; bounded so the phase ends.
  const newChunks = Number(arg('--new-chunks') ?? 2500);
  const limitMs = Number(arg('--concurrent-limit-s') ?? 900) * 1000;
  const out: Record<string, unknown> = { date: new Date().toISOString(), machine: machineDescription(), loadAtStart: loadavg()[0], phases: [...phases] };
  const log = (m: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${m}`);
  const save = () => {
    mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', '.cache', `team-bench-${[...phases].join('-')}.json`), JSON.stringify(out, null, 1));
  };
  const chroma = await startChroma();
  const scratch = mkdtempSync(join(tmpdir(), 'quipu-team-bench-'));
  try {
    const server = await ChromaStore.open(chroma.url, 'bench', IDENTITY, { write: true });
    const steps = quick ? [10_000] : [10_000, 100_000, 200_000];
    let files = 0;
    if (phases.has('scale')) {
      const local = await LocalVectorStore.open(join(scratch, 'local'), IDENTITY, { write: true });
      const scale: Record<string, unknown>[] = [];
      for (const chunks of steps) {
        const toFiles = chunks / CHUNKS_PER_FILE;
        log(`uploading to ${chunks} chunks`);
        seed = 42 + files; // the same synthetic data for both stores
        const serverRate = await upload(server, files, toFiles);
        seed = 42 + files;
        const localRate = await upload(local, files, toFiles);
        files = toFiles;
        log(`querying at ${chunks} chunks`);
        const serverQuery = await queryLatency(server, 100);
        const localQuery = await queryLatency(local, 100);
        scale.push({ chunks, uploadChunksPerSec: serverRate, localCommitChunksPerSec: localRate, serverQuery, localQuery, load: loadavg()[0] });
        log(JSON.stringify(scale.at(-1)));
        out.scale = scale;
        save();
      }
      await local.close();
    } else if (phases.has('concurrent')) {
      // The server's collection only, in generations of 50k chunks.
      const last = steps.at(-1)!;
      while (files * CHUNKS_PER_FILE < last) {
        const toFiles = Math.min(files * CHUNKS_PER_FILE + 50_000, last) / CHUNKS_PER_FILE;
        log(`uploading to ${toFiles * CHUNKS_PER_FILE} chunks`);
        const rate = await upload(server, files, toFiles);
        files = toFiles;
        log(`${Math.round(rate)} chunks/s`);
        out.serverOnlyUpload = [...((out.serverOnlyUpload as unknown[]) ?? []), { chunks: files * CHUNKS_PER_FILE, chunksPerSec: rate, load: loadavg()[0] }];
        save();
      }
    }

    if (phases.has('concurrent')) {
      // What was uploaded (ChromaStore.chunkCount pages through a filtered get: minutes at 200k).
      const collectionChunks = files * CHUNKS_PER_FILE;
      out.collectionChunks = collectionChunks;
      // 16 readers without a writer, for comparison; then while a writer publishes newChunks anew.
      log(`16 concurrent clients, no writer (${collectionChunks} chunks)`);
      const idleUntil = performance.now() + 60_000;
      out.concurrentIdle = await readers(chroma.url, 16, () => performance.now() > idleUntil);
      log(JSON.stringify(out.concurrentIdle));
      save();
      log(`16 concurrent clients while a writer publishes ${newChunks} chunks`);
      let writing = true;
      const changed = Math.ceil(newChunks / CHUNKS_PER_FILE);
      const writer = (async () => {
        for (let n = 0; n < changed; n++) server.stageFile(syntheticFile(n, 1));
        const started = performance.now();
        await server.commit({ commit: 'synthetic-v1' });
        return performance.now() - started;
      })().finally(() => (writing = false));
      const deadline = performance.now() + limitMs;
      const during = await readers(chroma.url, 16, () => !writing || performance.now() > deadline);
      const publishMs = writing ? undefined : await writer;
      out.concurrent = { ...during, writerFinished: publishMs !== undefined, publishMs, changedChunks: changed * CHUNKS_PER_FILE };
      log(JSON.stringify(out.concurrent));
      save();
      if (publishMs === undefined) {
        log('the writer did not finish within the limit; waiting for it');
        out.publishMsAfterLimit = await writer;
      }
    }

    if (phases.has('developer') && !quick) {
      // A new developer on a real corpus: team index + overlay vs a cold local index.
      const corpus = join(ROOT, 'bench', '.eval-corpus', 'rxjs');
      const engine = await QuipuEngine.create(makeConfig());
      try {
        const publisher = join(scratch, 'publisher');
        cpSync(corpus, publisher, { recursive: true });
        log('publishing the corpus');
        const target = { url: chroma.url, collection: 'corpus' };
        const ci = TeamIndex.for(engine, publisher, target, { overlayDir: join(scratch, 'ci-overlay') });
        const { published } = await ci.publish({ indexDir: join(scratch, 'ci-index'), commit: 'bench' });
        await ci.close();
        const query = 'retry the source observable when it errors';
        const developer = join(scratch, 'developer');
        cpSync(corpus, developer, { recursive: true });
        log('new developer: team index');
        let started = performance.now();
        const team = TeamIndex.for(engine, developer, target, { overlayDir: join(scratch, 'dev-overlay') });
        await team.search(query);
        const teamFirst = performance.now() - started;
        log('new developer: cold local index');
        started = performance.now();
        await engine.index(developer, { indexDir: join(scratch, 'dev-local') });
        await engine.search(developer, query, { indexDir: join(scratch, 'dev-local') });
        const localFirst = performance.now() - started;
        out.firstAnswer = { corpus: 'rxjs (bench/.eval-corpus)', chunks: published.chunksUploaded, teamMs: teamFirst, coldLocalMs: localFirst, load: loadavg()[0] };
        log(JSON.stringify(out.firstAnswer));
        // The overlay's cost when 1 % and 10 % of the files differ.
        const all = listFiles(developer);
        const overlay: Record<string, unknown>[] = [];
        for (const share of [0.01, 0.1]) {
          const copy = join(scratch, `dev-${share}`);
          cpSync(corpus, copy, { recursive: true });
          const pick = all.filter((_, i) => i % Math.round(1 / share) === 0);
          for (const path of pick) appendFileSync(join(copy, path), '\n// a local change\n');
          const t = TeamIndex.for(engine, copy, target, { overlayDir: join(scratch, `ov-${share}`) });
          started = performance.now();
          const summary = (await t.sync())!;
          const syncMs = performance.now() - started;
          started = performance.now();
          await t.search(query, { sync: false });
          const searchMs = performance.now() - started;
          overlay.push({ share, files: pick.length, syncMs, chunksEmbedded: summary.chunksEmbedded, chunksReused: summary.chunksReused, firstSearchMs: searchMs });
          log(JSON.stringify(overlay.at(-1)));
          await t.close();
        }
        out.overlay = overlay;
        await team.close();
      } finally {
        await engine.close();
      }
    }
  } finally {
    await chroma.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
  out.loadAtEnd = loadavg()[0];
  save();
  console.log(JSON.stringify(out, null, 1));
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)])).sort();
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
