/**
 * The evaluation harness: load datasets, bring each corpus's index up to date, run every query in
 * every requested search mode, score the rankings (metrics.ts).
 *
 * Dataset format (JSON), so anyone can add one:
 *   { "name": "...", "folder": "corpus/folder", "queries": [
 *       { "query": "...", "relevant": [ { "path": "relative/file.js", "startLine": 10, "endLine": 42 } ] } ] }
 * `folder` is relative to the dataset file; paths are relative to `folder`; lines are 1-based and
 * inclusive (for PDF and DOCX: lines of the text as Quipu extracts it). Other fields are kept as notes.
 */
import { readFile, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import type { QuipuEngine } from '../engine/engine';
import type { IndexEvent, IndexSummary } from '../pipeline/events';
import type { SearchMode } from '../search/search';
import { DEFAULT_K, meanMetrics, median, normalizePath, scoreRanking, type LineRange, type QueryMetrics, type RankingMetrics } from './metrics';

export const SEARCH_MODES: readonly SearchMode[] = ['vector', 'lexical', 'hybrid'];

export interface EvalQuery {
  query: string;
  relevant: LineRange[];
}

export interface EvalDataset {
  name: string;
  folder: string;
  /** What the dataset is and where it comes from (optional). */
  description?: string;
  queries: EvalQuery[];
}

export interface LoadedDataset extends EvalDataset {
  /** The dataset file, absolute. */
  file: string;
  /** `folder` resolved against the dataset file's folder. */
  root: string;
}

/** A dataset file that cannot be used; the message names the file and the problem. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

export async function loadDataset(file: string): Promise<LoadedDataset> {
  const abs = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(abs, 'utf8'));
  } catch (error) {
    throw new DatasetError(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`}`);
  }
  const dataset = validateDataset(raw, file);
  const root = resolve(dirname(abs), dataset.folder);
  const isDir = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new DatasetError(`${file}: corpus folder not found: ${root} (for the datasets in bench/eval, run \`npm run eval:datasets\`)`);
  return { ...dataset, file: abs, root };
}

export function validateDataset(raw: unknown, file = 'dataset'): EvalDataset {
  const fail = (what: string): never => {
    throw new DatasetError(`${file}: ${what}`);
  };
  if (!isObject(raw)) return fail('expected a JSON object');
  if (typeof raw.name !== 'string' || !raw.name.trim()) fail('"name" must be a non-empty string');
  if (typeof raw.folder !== 'string' || !raw.folder.trim()) fail('"folder" must be a non-empty string');
  if (!Array.isArray(raw.queries) || raw.queries.length === 0) fail('"queries" must be a non-empty array');
  const queries = (raw.queries as unknown[]).map((q, i): EvalQuery => {
    if (!isObject(q) || typeof q.query !== 'string' || !q.query.trim()) return fail(`queries[${i}]: "query" must be a non-empty string`);
    if (!Array.isArray(q.relevant) || q.relevant.length === 0) return fail(`queries[${i}]: "relevant" must be a non-empty array`);
    const relevant = (q.relevant as unknown[]).map((range, j): LineRange => {
      const where = `queries[${i}].relevant[${j}]`;
      if (!isObject(range) || typeof range.path !== 'string' || !range.path) return fail(`${where}: "path" must be a non-empty string`);
      const { startLine, endLine } = range;
      if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || (startLine as number) < 1 || (endLine as number) < (startLine as number)) {
        return fail(`${where}: "startLine" and "endLine" must be whole numbers with 1 ≤ startLine ≤ endLine`);
      }
      return { path: normalizePath(range.path), startLine: startLine as number, endLine: endLine as number };
    });
    return { query: q.query, relevant };
  });
  return {
    name: raw.name as string,
    folder: raw.folder as string,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    queries,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the harness needs of the engine (a fake one in tests). */
export type EvalEngine = Pick<QuipuEngine, 'index' | 'search'>;

export interface IndexObserver {
  onEvent(event: IndexEvent): void;
  stop(): void;
}

export interface EvalOptions {
  modes: readonly SearchMode[];
  /** Keep each dataset's index in `<indexRoot>/<dataset name>` (default: the folder's usual index). */
  indexRoot?: string;
  k?: number;
  signal?: AbortSignal;
  /** Shows one dataset's indexing progress (the CLI's progress bar). */
  observeIndexing?: (dataset: LoadedDataset) => IndexObserver;
  /** One line per step, for a log. */
  onMessage?: (message: string) => void;
}

export interface ScoredResult extends LineRange {
  score: number;
}

export interface QueryOutcome {
  query: string;
  relevant: LineRange[];
  results: ScoredResult[];
  metrics: QueryMetrics;
  /** Search time, embedding included. */
  ms: number;
}

export interface ModeOutcome {
  mode: SearchMode;
  metrics: RankingMetrics;
  /** Median search time per query. */
  p50Ms: number;
  /** Every query ranked exactly as in vector mode (the mode is not implemented, or changes nothing). */
  sameAsVector: boolean;
  queries: QueryOutcome[];
}

export interface DatasetOutcome {
  name: string;
  file: string;
  folder: string;
  description?: string;
  queries: number;
  index: IndexSummary;
  modes: ModeOutcome[];
}

export interface EvalReport {
  k: number;
  datasets: DatasetOutcome[];
}

export async function runEval(engine: EvalEngine, datasets: readonly LoadedDataset[], options: EvalOptions): Promise<EvalReport> {
  const k = options.k ?? DEFAULT_K;
  const modes = [...new Set(options.modes)];
  if (modes.length === 0) throw new Error('No search mode to evaluate.');
  const names = new Set<string>();
  for (const dataset of datasets) {
    // Two datasets of one name would share an index folder under indexRoot.
    if (names.has(dataset.name)) throw new DatasetError(`Two datasets are named "${dataset.name}" (${dataset.file}).`);
    names.add(dataset.name);
  }
  const outcomes: DatasetOutcome[] = [];
  for (const dataset of datasets) {
    const indexDir = options.indexRoot ? join(resolve(options.indexRoot), safeName(dataset.name)) : undefined;
    options.onMessage?.(`${dataset.name}: indexing ${dataset.root}`);
    const observer = options.observeIndexing?.(dataset);
    let index: IndexSummary;
    try {
      index = await engine.index(dataset.root, { indexDir, signal: options.signal, onEvent: observer && ((event) => observer.onEvent(event)) });
    } finally {
      observer?.stop();
    }
    options.signal?.throwIfAborted();
    options.onMessage?.(`${dataset.name}: ${index.filesSeen} files, ${index.chunksTotal} chunks (${index.filesIndexed} files indexed in ${index.seconds.toFixed(1)} s)`);

    const runs: ModeOutcome[] = [];
    for (const mode of modes) {
      const queries: QueryOutcome[] = [];
      for (const { query, relevant } of dataset.queries) {
        const started = performance.now();
        const found = await engine.search(dataset.root, query, { indexDir, topK: k, mode, signal: options.signal });
        const ms = performance.now() - started;
        const results = found.map((r) => ({ path: r.path, startLine: r.startLine, endLine: r.endLine, score: r.score }));
        queries.push({ query, relevant, results, metrics: scoreRanking(results, relevant, k), ms });
      }
      runs.push({ mode, metrics: meanMetrics(queries.map((q) => q.metrics)), p50Ms: median(queries.map((q) => q.ms)), sameAsVector: false, queries });
      options.onMessage?.(`${dataset.name}: ${mode} done`);
    }
    const vector = runs.find((run) => run.mode === 'vector');
    for (const run of runs) run.sameAsVector = !!vector && run.queries.every((q, i) => sameRanking(q.results, vector.queries[i].results));

    outcomes.push({
      name: dataset.name,
      file: dataset.file,
      folder: dataset.root,
      ...(dataset.description ? { description: dataset.description } : {}),
      queries: dataset.queries.length,
      index,
      modes: runs,
    });
  }
  return { k, datasets: outcomes };
}

function sameRanking(a: readonly ScoredResult[], b: readonly ScoredResult[]): boolean {
  return a.length === b.length && a.every((r, i) => r.path === b[i].path && r.startLine === b[i].startLine && r.endLine === b[i].endLine);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The results as one table, dataset × mode: plain text for a terminal, or Markdown. */
export function formatEvalTable(report: EvalReport, format: 'text' | 'markdown' = 'text'): string {
  const k = report.k;
  const header = ['dataset', 'mode', `nDCG@${k}`, `MRR@${k}`, `Recall@${k}`, 'queries', 'ms/query (p50)'];
  const rows = report.datasets.flatMap((d) =>
    d.modes.map((m) => [
      d.name,
      m.mode === 'vector' || !m.sameAsVector ? m.mode : `${m.mode} (= vector)`,
      m.metrics.ndcg.toFixed(3),
      m.metrics.mrr.toFixed(3),
      m.metrics.recall.toFixed(3),
      String(d.queries),
      m.p50Ms.toFixed(0),
    ]),
  );
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n') + '\n';
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
