/**
 * `npm run bench:mcp [folder]`: `quipu mcp` as a client sees it, on a real folder (default: this
 * repository's src/, docs and tests). Indexes it once (through `sync`), then starts a fresh server on
 * that index and measures: time to `initialize`, to `tools/list`, to the first search answer (the
 * model loads then); search latency p50/p95 over varied queries; RSS of the server idle before any
 * search (watcher, no model) and idle after searching (model loaded). Prints a Markdown section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { machineDescription, ROOT } from './lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';

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

async function main(): Promise<void> {
  const folder = process.argv[2] ?? ROOT;
  const home = mkdtempSync(join(tmpdir(), 'quipu-bench-mcp-'));
  try {
    const first = await start(folder, home);
    const s0 = performance.now();
    const synced = (await first.client.callTool({ name: 'sync', arguments: {} }, undefined, { timeout: 3_600_000 })) as CallToolResult;
    const syncSeconds = (performance.now() - s0) / 1000;
    const row = (synced.structuredContent as { folders: { files_seen: number; chunks_total: number }[] }).folders[0];
    await first.client.close();

    const { client, transport, initMs, t0 } = await start(folder, home);
    const l0 = performance.now();
    await client.listTools();
    const listMs = performance.now() - l0;
    const listedAt = performance.now() - t0;
    await sleep(3000);
    const idleBeforeMb = rssMb(transport.pid!);
    // The first answer: the model loads now unless the background warm-up already did.
    const f0 = performance.now();
    await client.callTool({ name: 'search', arguments: { query: QUERIES[0] } });
    const firstAnswerMs = performance.now() - f0;
    const firstAfterStartMs = performance.now() - t0;

    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const query of QUERIES) {
        const q0 = performance.now();
        const result = (await client.callTool({ name: 'search', arguments: { query } })) as CallToolResult;
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
    console.log(`Folder: ${folder === ROOT ? 'this repository' : folder} (${row.files_seen} files, ${row.chunks_total} chunks; indexed through \`sync\` in ${syncSeconds.toFixed(1)} s). A client from the official SDK spawns \`quipu mcp\` on that index, stdio.\n`);
    console.log('| what | value |');
    console.log('|---|---|');
    console.log(`| spawn → \`initialize\` answered | ${ms(initMs)} |`);
    console.log(`| \`tools/list\` | ${ms(listMs)} (${ms(listedAt)} after spawn) |`);
    console.log(`| first search answer (model loading in the background since start; waited 3 s first) | ${ms(firstAnswerMs)} (${ms(firstAfterStartMs)} after spawn) |`);
    console.log(`| search latency over ${latencies.length} searches (${QUERIES.length} queries × 3, hybrid, top 10), p50 / p95 / max | ${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))} / ${ms(latencies[latencies.length - 1])} |`);
    console.log(`| server RSS idle before any search (engine, watcher, query model warmed up) | ${idleBeforeMb} MB |`);
    console.log(`| server RSS idle after the searches | ${idleAfterMb} MB |`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

void main();
