/**
 * `npm run bench:mcp [folder]`: `quipu mcp` as a client sees it, on a real folder (default: this
 * repository's src/, docs and tests). Indexes it once (through `sync`), then starts a fresh server on
 * that index and measures: time to `initialize`, to `tools/list`, to the first search answer (the
 * model loads then); search latency p50/p95 over varied queries; RSS of the server idle before any
 * search (watcher, no model) and idle after searching (model loaded). Prints a Markdown section.
 *
 * `npm run bench:mcp -- --chunks 100000`: the same on a store of that many chunks (10 per file),
 * too many to embed here: the files are written, and their index is built with random vectors and
 * text from the queries' words, under the engine's own identity and the files' real sizes and
 * times, so the server finds it up to date and serves it as it would a real one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { machineDescription, ROOT, seededRandom } from './lib';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { IndexStore } from '../src/core/store/store';
import type { StoreIdentity } from '../src/core/store/types';

const QUERIES = [
  'how are the vector and keyword scores combined',
  'where is the index lock taken',
  'split camelCase identifiers into words',
  'extract text from a PDF file',
  'read gitignore rules while walking folders',
  'progress bar in the terminal',
  'worker thread pool for embeddings',
  'what happens when the model is missing',
  'atomic file write with rename',
  'debounce file change events',
  'webview content security policy',
  'parse markdown headings into sections',
  'withRetry',
  'cosine similarity kernel in WebAssembly',
  'skip minified or generated files',
  'quick pick results follow the typing',
  'status bar item while indexing',
  'reciprocal rank fusion',
  'commit staged files in batches',
  'BM25 field boosts',
];

/** A call that opens a 100k-chunk index on a loaded machine can take more than the SDK's 60 s. */
const LONG_MS = 900_000;

const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function start(folder: string, home: string): Promise<{ client: Client; transport: StdioClientTransport; initMs: number; t0: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin', 'quipu.js'), 'mcp', folder],
    env: { ...(process.env as Record<string, string>), QUIPU_INDEX_HOME: home },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'quipu-bench', version: '1.0.0' });
  const t0 = performance.now();
  await client.connect(transport);
  return { client, transport, initMs: performance.now() - t0, t0 };
}

/** A folder of `chunks / 10` files and its index (random vectors), as the engine would have left it. */
async function syntheticFolder(chunks: number): Promise<{ folder: string; files: number; buildSeconds: number }> {
  const t0 = performance.now();
  const identity = await engineIdentity();
  const folder = mkdtempSync(join(tmpdir(), 'quipu-bench-mcp-folder-'));
  const random = seededRandom(11);
  const words = [...new Set(QUERIES.join(' ').toLowerCase().split(/\W+/).filter(Boolean))];
  const pseudo = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
  const vocabulary = [...words, ...pseudo];
  const text = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]).join(' ');
  const vector = () => {
    const v = Float32Array.from({ length: identity.dimensions }, () => random() * 2 - 1);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const files = Math.ceil(chunks / 10);
  const store = await IndexStore.open(QuipuEngine.defaultIndexDir(resolve(folder)), identity, { write: true });
  for (let n = 0; n < files; n++) {
    const path = `pkg-${n % 50}/dir-${n % 7}/file-${n}.md`;
    const abs = join(folder, ...path.split('/'));
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, `file ${n}\n`);
    const stat = statSync(abs);
    store.stageFile({
      path,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      hash: `synthetic-${n}`,
      ext: 'md',
      language: 'markdown',
      chunks: Array.from({ length: 10 }, (_, i) => ({ text: text(80), startLine: i * 20 + 1, endLine: i * 20 + 20, inputHash: `synthetic-${n}-${i}`, vector: vector() })),
    });
    if ((n + 1) % 1000 === 0) await store.commit();
  }
  await store.commit();
  await store.close();
  return { folder, files, buildSeconds: (performance.now() - t0) / 1000 };
}

/** The identity the engine gives an index (model, chunk settings, dimensions): read off a tiny real one. */
async function engineIdentity(): Promise<StoreIdentity> {
  const folder = mkdtempSync(join(tmpdir(), 'quipu-bench-mcp-probe-'));
  const indexDir = join(folder, '.index');
  writeFileSync(join(folder, 'probe.md'), 'a probe\n');
  const engine = await QuipuEngine.create(makeConfig());
  try {
    await engine.index(folder, { indexDir });
    const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as StoreIdentity;
    return { modelId: manifest.modelId, chunkKey: manifest.chunkKey, dimensions: manifest.dimensions };
  } finally {
    await engine.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const chunksFlag = process.argv.indexOf('--chunks');
  const synthetic = chunksFlag >= 0 ? Number(process.argv[chunksFlag + 1]) : undefined;
  const home = mkdtempSync(join(tmpdir(), 'quipu-bench-mcp-'));
  // The server and defaultIndexDir (for the synthetic index) both read it.
  process.env.QUIPU_INDEX_HOME = home;
  let folder = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : ROOT;
  try {
    let described: string;
    if (synthetic) {
      const built = await syntheticFolder(synthetic);
      folder = built.folder;
      described = `a synthetic folder of ${built.files} files and ${synthetic} chunks (random vectors, text drawn from the queries' words; built in ${built.buildSeconds.toFixed(0)} s)`;
    } else {
      const first = await start(folder, home);
      const s0 = performance.now();
      const synced = (await first.client.callTool({ name: 'sync', arguments: {} }, undefined, { timeout: 3_600_000 })) as CallToolResult;
      const syncSeconds = (performance.now() - s0) / 1000;
      const row = (synced.structuredContent as { folders: { files_seen: number; chunks_total: number }[] }).folders[0];
      await first.client.close();
      described = `${folder === ROOT ? 'this repository' : folder} (${row.files_seen} files, ${row.chunks_total} chunks; indexed through \`sync\` in ${syncSeconds.toFixed(1)} s)`;
    }

    const { client, transport, initMs, t0 } = await start(folder, home);
    const l0 = performance.now();
    await client.listTools();
    const listMs = performance.now() - l0;
    const listedAt = performance.now() - t0;
    // The server's start-up pass over the folder (every file found unchanged) ends before timing.
    const startPass = await waitForIdle(client);
    // The synthetic index must have been found up to date, not rebuilt from the one-line files.
    if (synthetic && startPass.chunks !== synthetic) throw new Error(`the server re-indexed the synthetic folder: ${startPass.chunks} chunks, not ${synthetic}`);
    await sleep(3000);
    const idleBeforeMb = rssMb(transport.pid!);
    // The first answer: the model loads now unless the background warm-up already did.
    const f0 = performance.now();
    await client.callTool({ name: 'search', arguments: { query: QUERIES[0] } }, undefined, { timeout: LONG_MS });
    const firstAnswerMs = performance.now() - f0;
    const firstAfterStartMs = performance.now() - t0;

    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const query of QUERIES) {
        const q0 = performance.now();
        const result = (await client.callTool({ name: 'search', arguments: { query } }, undefined, { timeout: LONG_MS })) as CallToolResult;
        latencies.push(performance.now() - q0);
        if (result.isError) throw new Error(`search "${query}" failed`);
      }
    }
    await sleep(5000);
    const idleAfterMb = rssMb(transport.pid!);
    await client.close();
    latencies.sort((a, b) => a - b);

    const ms = (v: number) => `${Math.round(v)} ms`;
    console.log(`## \`quipu mcp\` from a client (\`npm run bench:mcp\`)\n`);
    console.log(`Measured on ${new Date().toISOString().slice(0, 10)}. Machine: ${machineDescription()}, **shared with other busy sessions** (load average ${loadavg()[0].toFixed(1)} at the end): absolute times are noisy.`);
    console.log(`Folder: ${described}. A client from the official SDK spawns \`quipu mcp\` on that index, stdio.\n`);
    console.log('| what | value |');
    console.log('|---|---|');
    console.log(`| spawn → \`initialize\` answered | ${ms(initMs)} |`);
    console.log(`| \`tools/list\` | ${ms(listMs)} (${ms(listedAt)} after spawn) |`);
    console.log(`| first search answer (model loading in the background since start; waited 3 s first) | ${ms(firstAnswerMs)} (${ms(firstAfterStartMs)} after spawn) |`);
    console.log(`| search latency over ${latencies.length} searches (${QUERIES.length} queries × 3, hybrid, top 10), p50 / p95 / max | ${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))} / ${ms(latencies[latencies.length - 1])} |`);
    console.log(`| the server's start-up pass over the folder (nothing changed) | ${((listedAt + startPass.ms) / 1000).toFixed(1)} s after spawn |`);
    console.log(`| server RSS idle before any search (engine, watcher, query model warmed up) | ${idleBeforeMb} MB |`);
    console.log(`| server RSS idle after the searches | ${idleAfterMb} MB |`);
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (synthetic) rmSync(folder, { recursive: true, force: true });
  }
}

/** Milliseconds after the call until `status` reports no run going in any folder, and the chunks then indexed. */
async function waitForIdle(client: Client): Promise<{ ms: number; chunks: number }> {
  const t0 = performance.now();
  for (;;) {
    const status = (await client.callTool({ name: 'status', arguments: {} }, undefined, { timeout: LONG_MS })) as CallToolResult;
    const folders = (status.structuredContent as { folders: { updating: boolean; pending_files: number; chunks: number }[] }).folders;
    if (folders.every((f) => !f.updating && f.pending_files === 0)) return { ms: performance.now() - t0, chunks: folders.reduce((sum, f) => sum + f.chunks, 0) };
    await sleep(500);
  }
}

void main();
