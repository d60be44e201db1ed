/**
 * The extension-host side of `npm run bench:vscode` (bench/vscode.ts), loaded by code-server's
 * extension host as `extensionTestsPath` (bundled by scripts/build-tests.mjs into dist/bench). In
 * the extension host, next to the dev build of Quipu:
 *  1. the event-loop delay while nothing runs, for $QUIPU_BENCH_IDLE_MS (the baseline);
 *  2. the event-loop delay during a full, cold index through the API (`indexWorkspace()`, then `whenQuiet()`:
 *     both tiers, the deep one in the background), with a
 *     `search()` every SEARCH_GAP_MS: timed once the index answers (its first commit), counted before;
 *  3. search latency against that index with nothing running, then while more files
 *     ($QUIPU_BENCH_MORE, copied into the workspace) are being indexed; that run is then paused.
 * Then writes a VscodeBenchResult as JSON to $QUIPU_BENCH_RESULT.
 */
import { cpSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as vscode from 'vscode';
import type { IndexSummary } from '../src/core/pipeline/events';
import type { QuipuApi } from '../src/extension/api';
import { quipu, sleep, workspaceRoot } from '../test/integration/helpers';
import { eventLoopStats, startEventLoopMonitor } from './lib';

type Delay = ReturnType<typeof eventLoopStats>;

export interface SearchTiming {
  query: string;
  /** Seconds into the series when the search started. */
  at: number;
  ms: number;
  results: number;
  error?: string;
}

export interface SearchSeries {
  /** Seconds into the series when the first search started. */
  start: number;
  timings: SearchTiming[];
  /** Searches that found no index to answer from yet (nothing committed). */
  notReady: number;
}

export interface VscodeBenchResult {
  vscodeVersion: string;
  hostNode: string;
  idle: Delay & { seconds: number };
  index: Delay & { seconds: number; summaries: IndexSummary[] };
  searches: {
    /** During the cold index. */
    cold: SearchSeries;
    /** Right after it, nothing running. */
    idle: SearchSeries;
    /** While more files are being indexed. */
    more: SearchSeries;
  };
  searchGapMs: number;
  /** os.loadavg() when the idle period starts, when the run starts, when it ends. */
  load: { idleStart: number[]; indexStart: number[]; indexEnd: number[] };
}

const QUERIES = ['compare two version numbers', 'route an HTTP request to a handler', 'print debug messages for a namespace', 'convert milliseconds to a readable duration', 'photovoltaic panels on the roof'];
const SEARCH_GAP_MS = 2_000;

export async function run(): Promise<void> {
  const out = process.env.QUIPU_BENCH_RESULT;
  if (!out) throw new Error('QUIPU_BENCH_RESULT is not set');
  let result: VscodeBenchResult | { error: string };
  try {
    result = await measure(Number(process.env.QUIPU_BENCH_IDLE_MS) || 100_000, process.env.QUIPU_BENCH_MORE);
  } catch (error) {
    result = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // Written whole, then renamed: the runner polls for the file.
  writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2));
  renameSync(`${out}.tmp`, out);
}

async function measure(idleMs: number, more: string | undefined): Promise<VscodeBenchResult> {
  if (!more) throw new Error('QUIPU_BENCH_MORE is not set');
  const api = await quipu();
  if (api.state().phase !== 'not-indexed') throw new Error(`expected a workspace never indexed, Quipu says "${api.state().phase}"`);
  // Let the window's start-up (other extensions activating, the explorer) settle first.
  await sleep(5_000);

  const idleStart = loadavg();
  let monitor = startEventLoopMonitor();
  let started = performance.now();
  await sleep(idleMs);
  const idle = { ...eventLoopStats(monitor), seconds: (performance.now() - started) / 1000 };

  const indexStart = loadavg();
  monitor = startEventLoopMonitor();
  started = performance.now();
  let finished = false;
  const indexing = () => api.state().phase === 'indexing';
  // Through both tiers: the deep one runs in the background once the fast one is searchable.
  const coldSearches = timeSearches(api, () => indexing() || api.state().tiers?.deepIncomplete === true, () => finished);
  // Both tiers: the fast pass the command waits for, then the deep tier in the background.
  const summaries = await api
    .indexWorkspace()
    .then(async (done) => {
      await api.whenQuiet();
      return done;
    })
    .finally(() => (finished = true));
  const index = { ...eventLoopStats(monitor), seconds: (performance.now() - started) / 1000, summaries };
  const indexEnd = loadavg();
  const cold = await coldSearches;

  const idleSearches = await timeSearches(api, () => true, () => false);
  cpSync(more, vscode.Uri.joinPath(workspaceRoot(), 'more').fsPath, { recursive: true });
  finished = false;
  const second = api.indexWorkspace().finally(() => (finished = true));
  // Once the run embeds (its workers busy), until it ends.
  const moreSearches = await timeSearches(api, () => indexing() && (api.state().progress?.chunksPerSecond ?? 0) > 0, () => finished);
  await vscode.commands.executeCommand('quipu.pauseIndexing');
  await second;
  return {
    vscodeVersion: vscode.version,
    hostNode: process.version,
    idle,
    index,
    searches: { cold, idle: idleSearches, more: moreSearches },
    searchGapMs: SEARCH_GAP_MS,
    load: { idleStart, indexStart, indexEnd },
  };
}

/**
 * One search every SEARCH_GAP_MS (each of QUERIES in turn) once `ready()`, until all were answered or
 * `stop()`. A search that finds nothing committed yet is counted and tried again. Never rejects: a
 * failed search ends the series.
 */
async function timeSearches(api: QuipuApi, ready: () => boolean, stop: () => boolean): Promise<SearchSeries> {
  const started = performance.now();
  const series: SearchSeries = { start: 0, timings: [], notReady: 0 };
  let next = 0;
  while (series.timings.length < QUERIES.length && !stop()) {
    await sleep(100);
    if (performance.now() < next || !ready()) continue;
    if (series.timings.length + series.notReady === 0) series.start = (performance.now() - started) / 1000;
    const query = QUERIES[series.timings.length];
    const at = performance.now();
    next = at + SEARCH_GAP_MS;
    try {
      const results = await api.search(query, { topK: 10 });
      series.timings.push({ query, at: (at - started) / 1000, ms: performance.now() - at, results: results.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/being built/.test(message)) {
        series.notReady++;
        continue;
      }
      series.timings.push({ query, at: (at - started) / 1000, ms: performance.now() - at, results: 0, error: message });
      break;
    }
  }
  return series;
}
