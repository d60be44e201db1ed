/**
 * `npm run bench:instant` (issue 24, "measured side by side"): how soon a fresh checkout can be searched,
 * and how well, next to semble (PyPI semble==0.7.0, scripts/setup-semble.sh) in the same run, with the same
 * distilled static model (ours, exported as a model2vec folder by scripts/export-model2vec.mjs; nothing is
 * fetched from a hub). For each repository of the code benchmark (bench/code/*.json):
 *   - Quipu cold: a fresh index folder, no vector cache; `node dist/cli.js index` with the fast tier, then
 *     `search` for the repository's first question; wall time from the first process's start to the first
 *     answer on stdout, CPU time of both processes (GNU time).
 *   - semble cold: one Python process (bench/semble-run.py) that imports semble, indexes the same folder and
 *     prints the first answer; wall time from its start to that answer, CPU time to it.
 *   - quality: every question through Quipu's fast tier (the index the cold run built), both tiers (the
 *     code benchmark's index in bench/.cache/code-bench-index/<id>, built there when missing unless
 *     --skip-deep), and semble; all scored with scoreGraded at k (nDCG@10), tuned-on and held-out apart.
 * With --million: a ~1M-line tree made from the benchmark's corpora (renamed copies), indexed cold by the
 * fast tier: time until fully searchable, query latency over every benchmark question (p50, p95), peak RSS;
 * semble indexes the same tree in the same run.
 *
 * "Fast tier" = `quipu index --tiers fast` (words and static vectors: where the default plan's index is
 * searchable, before its deep tier starts); "both tiers" = an index whose deep tier is complete (the code
 * benchmark's).
 *
 * Flags: --repos id,id, --split tune|heldout|all, --k 10, --reps 3 (cold runs per tool; medians reported),
 * --skip-deep, --million (also the 1M-line tree), --million-lines N, --static-model FILE.
 * Writes bench/INSTANT.md (below its marker line; notes above it stay) and bench/instant-results.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseCodeRepo, type CodeRepo } from '../src/core/eval/code-dataset';
import { DEFAULT_K, median, scoreGraded } from '../src/core/eval/metrics';
import type { ChildAnswer, ChildJob, Tier } from './instant-child';
import { machineDescription, ROOT, runChild } from './lib';

const CACHE = join(ROOT, 'bench', '.cache');
const WORK = join(CACHE, 'instant');
const DEEP_INDEXES = join(CACHE, 'code-bench-index');
const CLI = join(ROOT, 'dist', 'cli.js');
const SEMBLE_PYTHON = join(ROOT, '.venv-semble', 'bin', 'python');
const SEMBLE_SCRIPT = join(ROOT, 'bench', 'semble-run.py');
const TOKENIZER = join(ROOT, 'models', 'all-MiniLM-L6-v2', 'tokenizer.json');
const GNU_TIME = '/usr/bin/time';
const OUT_MD = join(ROOT, 'bench', 'INSTANT.md');
const OUT_JSON = join(ROOT, 'bench', 'instant-results.json');
/** What bench/INSTANT.md holds above this line is written by hand (notes on a run); the script rewrites what follows. */
const MARKER = '<!-- results: written by npm run bench:instant (bench/instant.ts); notes above this line -->';

type Split = 'tune' | 'heldout' | 'all';

function options() {
  const { values } = parseArgs({
    options: {
      repos: { type: 'string' },
      split: { type: 'string', default: 'all' },
      k: { type: 'string', default: String(DEFAULT_K) },
      reps: { type: 'string', default: '3' },
      'skip-deep': { type: 'boolean', default: false },
      million: { type: 'boolean', default: false },
      'million-lines': { type: 'string', default: '1000000' },
      'static-model': { type: 'string' },
    },
  });
  const split = values.split as Split;
  if (!['tune', 'heldout', 'all'].includes(split)) throw new Error(`--split must be tune, heldout or all, not "${split}"`);
  const whole = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not "${raw}"`);
    return n;
  };
  const staticModel = values['static-model'] ?? process.env.QUIPU_STATIC_MODEL ?? join(ROOT, 'models', 'all-MiniLM-L6-v2.static.bin');
  return {
    repos: values.repos?.split(',').map((r) => r.trim()),
    split,
    k: whole('k', values.k),
    reps: whole('reps', values.reps),
    skipDeep: values['skip-deep'],
    million: values.million,
    millionLines: whole('million-lines', values['million-lines']),
    staticModel: resolve(staticModel),
  };
}

/** Everything the run needs that a set-up step makes; one message per missing piece, saying which step. */
function checkPrerequisites(staticModel: string): void {
  const missing: string[] = [];
  if (!existsSync(CLI)) missing.push(`${relative(ROOT, CLI)} is missing: run \`npm run build\`.`);
  if (!existsSync(staticModel)) missing.push(`The static model ${staticModel} is missing: build it (scripts/distill-static.mjs, \`npm run setup-model\`) or pass --static-model FILE.`);
  if (!existsSync(SEMBLE_PYTHON)) missing.push(`${relative(ROOT, SEMBLE_PYTHON)} is missing: run \`bash scripts/setup-semble.sh\`.`);
  if (!existsSync(GNU_TIME)) missing.push(`${GNU_TIME} (GNU time, for child CPU time and peak RSS) is missing: \`apt-get install time\`.`);
  if (missing.length > 0) throw new Error(missing.join('\n'));
}

interface Loaded {
  repo: CodeRepo;
  folder: string;
}

async function loadRepos(only: string[] | undefined, split: Split): Promise<Loaded[]> {
  const { codeBenchFiles, fetchCodeCorpus } = await import('../scripts/fetch-code-bench.mjs');
  const files = codeBenchFiles();
  const id = (file: string) => file.slice(file.lastIndexOf('/') + 1, -'.json'.length);
  const unknown = (only ?? []).filter((r) => !files.some((f) => id(f) === r));
  if (unknown.length > 0) throw new Error(`--repos: no bench/code/${unknown[0]}.json (there are: ${files.map(id).join(', ')})`);
  const loaded: Loaded[] = [];
  for (const file of files.filter((f) => !only || only.includes(id(f)))) {
    const repo = parseCodeRepo(JSON.parse(readFileSync(file, 'utf8')), id(file), relative(ROOT, file));
    if ((split === 'tune' && repo.heldOut) || (split === 'heldout' && !repo.heldOut)) continue;
    loaded.push({ repo, folder: await fetchCodeCorpus(file) });
  }
  return loaded;
}

/** The static model as a model2vec folder for semble, exported once per static model (its id names it). */
async function model2vecFolder(staticModel: string): Promise<{ dir: string; id: string }> {
  const { exportModel2Vec, readStaticTable } = await import('../scripts/export-model2vec.mjs');
  const { id } = readStaticTable(staticModel).header;
  const dir = join(WORK, `model2vec-${id.replace(/[^\w.-]+/g, '_')}`);
  const config = join(dir, 'config.json');
  if (!existsSync(config) || (JSON.parse(readFileSync(config, 'utf8')) as { quipu_static_id?: string }).quipu_static_id !== id) {
    exportModel2Vec(staticModel, TOKENIZER, dir);
  }
  return { dir, id };
}

/** One process's times as GNU time reports them. */
interface ProcessTimes {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

interface Timed {
  /** From spawn to `until` first returning true on the stdout so far (or to exit, without `until`). */
  untilSeconds: number;
  times: ProcessTimes;
  stdout: string;
}

/**
 * Runs a process under GNU time. `until` sees the accumulated stdout after each piece; the clock stops the
 * first time it says yes (the first answer printed), the process runs on to its end.
 */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv, until?: (stdout: string) => boolean): Promise<Timed> {
  const timesFile = join(mkdtempSync(join(tmpdir(), 'quipu-instant-time-')), 'times');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let stopped: number | undefined;
    const child = spawn(GNU_TIME, ['-f', '%e %U %S %M', '-o', timesFile, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stopped === undefined && until?.(stdout)) stopped = performance.now();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ended = performance.now();
      const raw = existsSync(timesFile) ? readFileSync(timesFile, 'utf8').trim().split('\n').pop() ?? '' : '';
      rmSync(dirname(timesFile), { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-1500)}`));
      if (until && stopped === undefined) return reject(new Error(`${command} ${args.join(' ')} printed no answer:\n${stdout.slice(-500)}`));
      const [wall, user, system, rssKb] = raw.split(' ').map(Number);
      resolve({ untilSeconds: ((stopped ?? ended) - started) / 1000, times: { wallSeconds: wall, cpuSeconds: user + system, peakRssMb: rssKb / 1024 }, stdout });
    });
  });
}

interface ColdRun {
  /** Process start to the first answer printed. */
  firstAnswerSeconds: number;
  /** Indexing alone (Quipu: the index process; semble: SembleIndex.from_path inside its process). */
  indexSeconds: number;
  /** CPU time (user + system) of every process up to the first answer (Quipu: both processes whole). */
  cpuSeconds: number;
  peakRssMb: number;
}

const quipuEnv = () => ({ ...process.env, QUIPU_VECTOR_CACHE: 'off' });

/** Quipu from nothing: the index process, then the search process until it prints its first result. */
async function quipuCold(folder: string, indexDir: string, staticModel: string, query: string, k: number): Promise<ColdRun> {
  rmSync(indexDir, { recursive: true, force: true });
  // The fast tier alone: the index process ends where the default one goes on into the deep tier.
  const tier = ['--tiers', 'fast', '--static-model', staticModel];
  const started = performance.now();
  const index = await timed(process.execPath, [CLI, 'index', folder, '--index-dir', indexDir, ...tier, '--json'], quipuEnv());
  const indexSeconds = (performance.now() - started) / 1000;
  const search = await timed(process.execPath, [CLI, 'search', query, '--folder', folder, '--index-dir', indexDir, '--top', String(k), ...tier, '--json'], quipuEnv(), (out) => out.includes('"path"'));
  return {
    firstAnswerSeconds: indexSeconds + search.untilSeconds,
    indexSeconds,
    cpuSeconds: index.times.cpuSeconds + search.times.cpuSeconds,
    peakRssMb: Math.max(index.times.peakRssMb, search.times.peakRssMb),
  };
}

/** Each tool's start with no work (Quipu: the CLI printing its version; semble: Python importing it), median of `reps`. */
async function processStart(reps: number): Promise<{ quipuSeconds: number; sembleSeconds: number }> {
  const quipu: number[] = [];
  const semble: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    quipu.push((await timed(process.execPath, [CLI, '--version'], quipuEnv())).untilSeconds);
    semble.push((await timed(SEMBLE_PYTHON, ['-c', 'import semble'], { ...process.env, HF_HUB_OFFLINE: '1' })).untilSeconds);
  }
  return { quipuSeconds: median(quipu), sembleSeconds: median(semble) };
}

interface SembleAnswer {
  results: { path: string; startLine: number; endLine: number; score: number }[][];
  files: number;
  chunks: number;
  importSeconds: number;
  indexSeconds: number;
  cpuFirstSeconds: number;
  queryLatencies: number[];
}

/** semble from nothing, in a fresh cache folder: its process prints the first answer, then all of them. */
async function sembleCold(folder: string, model: string, queries: string[], k: number): Promise<{ cold: ColdRun; answer: SembleAnswer }> {
  const scratch = mkdtempSync(join(tmpdir(), 'quipu-instant-semble-'));
  try {
    const questions = join(scratch, 'questions.json');
    writeFileSync(questions, JSON.stringify(queries));
    const env = { ...process.env, HF_HUB_OFFLINE: '1', SEMBLE_CACHE_LOCATION: join(scratch, 'cache'), HF_HOME: join(scratch, 'hf'), XDG_CACHE_HOME: join(scratch, 'xdg') };
    const run = await timed(SEMBLE_PYTHON, [SEMBLE_SCRIPT, folder, model, questions, String(k)], env, (out) => out.includes('\n'));
    const answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as SembleAnswer;
    return { cold: { firstAnswerSeconds: run.untilSeconds, indexSeconds: answer.indexSeconds, cpuSeconds: answer.cpuFirstSeconds, peakRssMb: run.times.peakRssMb }, answer };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function quipuQuality(tier: Tier, folder: string, indexDir: string, staticModel: string, queries: string[], k: number): Promise<ChildAnswer> {
  const scratch = mkdtempSync(join(tmpdir(), 'quipu-instant-job-'));
  try {
    const jobFile = join(scratch, 'job.json');
    const job: ChildJob = { tier, staticModel, folder, indexDir, queries, k };
    writeFileSync(jobFile, JSON.stringify(job));
    return await runChild<ChildAnswer>('instant-child.ts', [jobFile]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

function medianCold(runs: ColdRun[]): ColdRun {
  return {
    firstAnswerSeconds: median(runs.map((r) => r.firstAnswerSeconds)),
    indexSeconds: median(runs.map((r) => r.indexSeconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakRssMb: median(runs.map((r) => r.peakRssMb)),
  };
}

interface RepoResult {
  id: string;
  language: string;
  heldOut: boolean;
  questions: number;
  quipu: { files: number; chunks: number; cold: ColdRun; coldRuns: ColdRun[] };
  semble: { files: number; chunks: number; cold: ColdRun; coldRuns: ColdRun[] };
  /** Quipu's cold first answer over semble's, both medians of this run's repetitions. */
  coldRatio: number;
  ndcg: { fast: number; both: number | null; semble: number };
  perQuestion: { query: string; category: string; fast: number; both: number | null; semble: number }[];
}

async function benchRepo({ repo, folder }: Loaded, model: string, staticModel: string, k: number, reps: number, skipDeep: boolean): Promise<RepoResult> {
  const queries = repo.queries.map((q) => q.query);
  const indexDir = join(WORK, 'fast-index', repo.id);
  const quipuRuns: ColdRun[] = [];
  const sembleRuns: ColdRun[] = [];
  let semble: SembleAnswer | undefined;
  for (let rep = 0; rep < reps; rep++) {
    // Alternate who goes first, so a drift in the machine's load falls on both.
    const runQuipu = async () => quipuRuns.push(await quipuCold(folder, indexDir, staticModel, queries[0], k));
    const runSemble = async () => {
      const { cold, answer } = await sembleCold(folder, model, queries, k);
      sembleRuns.push(cold);
      semble = answer;
    };
    for (const step of rep % 2 === 0 ? [runQuipu, runSemble] : [runSemble, runQuipu]) await step();
    const last = (runs: ColdRun[]) => runs[runs.length - 1].firstAnswerSeconds.toFixed(2);
    console.error(`${repo.id}: cold ${rep + 1}/${reps}: Quipu ${last(quipuRuns)} s, semble ${last(sembleRuns)} s to the first answer`);
  }
  if (!semble) throw new Error('no semble run');
  const fast = await quipuQuality('fast', folder, indexDir, staticModel, queries, k);
  if (fast.syncSeconds > 1) console.error(`${repo.id}: the cold run's fast-tier index could not be searched as it was (${fast.syncSeconds.toFixed(1)} s to build it again)`);
  const deepDir = join(DEEP_INDEXES, repo.id);
  let both: ChildAnswer | undefined;
  if (existsSync(deepDir) || !skipDeep) {
    if (!existsSync(deepDir)) console.error(`${repo.id}: building the both-tier (MiniLM) index in ${relative(ROOT, deepDir)}`);
    both = await quipuQuality('both', folder, deepDir, staticModel, queries, k);
  }
  const score = (results: { path: string; startLine: number; endLine: number }[][] | undefined, i: number) => (results ? scoreGraded(results[i], repo.queries[i].relevant, k).ndcg : null);
  const perQuestion = repo.queries.map((q, i) => ({ query: q.query, category: q.category, fast: score(fast.results, i) ?? 0, both: score(both?.results, i), semble: score(semble?.results, i) ?? 0 }));
  const quipuColdRun = medianCold(quipuRuns);
  const sembleColdRun = medianCold(sembleRuns);
  const result: RepoResult = {
    id: repo.id,
    language: repo.language,
    heldOut: repo.heldOut,
    questions: repo.queries.length,
    quipu: { files: fast.files, chunks: fast.chunks, cold: quipuColdRun, coldRuns: quipuRuns },
    semble: { files: semble.files, chunks: semble.chunks, cold: sembleColdRun, coldRuns: sembleRuns },
    coldRatio: quipuColdRun.firstAnswerSeconds / sembleColdRun.firstAnswerSeconds,
    ndcg: { fast: mean(perQuestion.map((q) => q.fast)), both: both ? mean(perQuestion.map((q) => q.both ?? 0)) : null, semble: mean(perQuestion.map((q) => q.semble)) },
    perQuestion,
  };
  console.error(`${repo.id}: nDCG@${k} fast ${result.ndcg.fast.toFixed(3)}, both ${result.ndcg.both?.toFixed(3) ?? '–'}, semble ${result.ndcg.semble.toFixed(3)}`);
  return result;
}

// ---- the 1M-line tree ----

/** Lines of a text file (files with a NUL byte are not text and are not copied). */
function textLines(buffer: Buffer): number | undefined {
  if (buffer.includes(0)) return undefined;
  const text = buffer.toString('utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function* filesUnder(dir: string, base = dir): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path, base);
    else if (entry.isFile()) yield relative(base, path);
  }
}

/**
 * Copy `n` of a text: the first copy as it is; later ones rename about one identifier in four (a suffix
 * chosen by the word and the copy), so the copies are not duplicates a content hash would skip, and the
 * tree's vocabulary grows the way a bigger codebase's does.
 */
function renamedCopy(text: string, n: number): string {
  if (n === 0) return text;
  return text.replace(/\b[A-Za-z_][A-Za-z0-9_]{5,}\b/g, (word) => {
    let h = n * 2654435761;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    return (h >>> 0) % 4 === 0 ? `${word}_c${n}` : word;
  });
}

/** Builds (once) bench/.cache/instant/million-<lines>: copies of the corpora in copy-<n>/<id>/ until `target` lines. */
function millionTree(loaded: Loaded[], target: number): { dir: string; files: number; lines: number } {
  const dir = join(WORK, `million-${target}`);
  const stamp = join(dir, '.quipu-tree.json');
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8')) as { dir: string; files: number; lines: number };
  rmSync(dir, { recursive: true, force: true });
  let lines = 0;
  let files = 0;
  for (let n = 0; lines < target; n++) {
    for (const { repo, folder } of loaded) {
      if (lines >= target) break;
      for (const file of filesUnder(folder)) {
        const buffer = readFileSync(join(folder, file));
        const count = textLines(buffer);
        if (count === undefined) continue;
        const out = join(dir, `copy-${n}`, repo.id, file);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, renamedCopy(buffer.toString('utf8'), n));
        lines += count;
        files++;
      }
    }
  }
  const tree = { dir, files, lines };
  writeFileSync(stamp, JSON.stringify(tree));
  return tree;
}

interface MillionTool {
  chunks: number;
  /** Process start until every file is searchable (Quipu: the index process's exit; semble: from_path's return). */
  searchableSeconds: number;
  /** Process start to the first answer (Quipu: the index process, then a search process). */
  firstAnswerSeconds: number;
  /** CPU time to the first answer (Quipu: both processes whole). */
  cpuSeconds: number;
  /** Peak RSS while indexing (Quipu: the index process; semble: its one process, searches included). */
  indexPeakRssMb: number;
  queryP50Ms: number;
  queryP95Ms: number;
}

interface MillionResult {
  files: number;
  lines: number;
  queries: number;
  quipu: MillionTool & { /** The process that answers the queries (the index loaded, every question asked). */ queryPeakRssMb: number };
  semble: MillionTool;
}

async function benchMillion(loaded: Loaded[], model: string, staticModel: string, target: number, k: number): Promise<MillionResult> {
  const tree = millionTree(loaded, target);
  console.error(`million: ${tree.files} files, ${tree.lines} lines in ${relative(ROOT, tree.dir)}; indexing with the fast tier`);
  const queries = loaded.flatMap((l) => l.repo.queries.map((q) => q.query));
  const indexDir = join(WORK, 'million-index');
  const cold = await quipuCold(tree.dir, indexDir, staticModel, queries[0], k);
  console.error(`million: Quipu searchable after ${cold.indexSeconds.toFixed(1)} s (${cold.cpuSeconds.toFixed(1)} s CPU, ${cold.peakRssMb.toFixed(0)} MB peak RSS)`);
  const answer = await quipuQuality('fast', tree.dir, indexDir, staticModel, queries, k);
  const semble = await sembleCold(tree.dir, model, queries, k);
  const sembleMs = semble.answer.queryLatencies.map((seconds) => seconds * 1000);
  console.error(`million: semble searchable after ${(semble.answer.importSeconds + semble.answer.indexSeconds).toFixed(1)} s`);
  return {
    files: tree.files,
    lines: tree.lines,
    queries: queries.length,
    quipu: {
      chunks: answer.chunks,
      searchableSeconds: cold.indexSeconds,
      firstAnswerSeconds: cold.firstAnswerSeconds,
      cpuSeconds: cold.cpuSeconds,
      indexPeakRssMb: cold.peakRssMb,
      queryP50Ms: percentile(answer.latenciesMs, 50),
      queryP95Ms: percentile(answer.latenciesMs, 95),
      queryPeakRssMb: answer.peakRssMb,
    },
    semble: {
      chunks: semble.answer.chunks,
      searchableSeconds: semble.answer.importSeconds + semble.answer.indexSeconds,
      firstAnswerSeconds: semble.cold.firstAnswerSeconds,
      cpuSeconds: semble.cold.cpuSeconds,
      indexPeakRssMb: semble.cold.peakRssMb,
      queryP50Ms: percentile(sembleMs, 50),
      queryP95Ms: percentile(sembleMs, 95),
    },
  };
}

// ---- the report ----

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(3));

function summarize(results: RepoResult[]) {
  const ndcg = (list: RepoResult[]) => {
    const questions = list.flatMap((r) => r.perQuestion);
    return { repositories: list.length, questions: questions.length, fast: mean(questions.map((q) => q.fast)), both: mean(questions.map((q) => q.both ?? NaN)), semble: mean(questions.map((q) => q.semble)) };
  };
  // "Both tiers" only where its (MiniLM) index exists; the same subset's fast and semble figures sit beside it.
  const part = (list: RepoResult[]) => ({ all: ndcg(list), withBoth: ndcg(list.filter((r) => r.ndcg.both !== null)) });
  const cold = results.map((r) => r.quipu.cold.firstAnswerSeconds);
  return {
    cold: {
      quipuMedianSeconds: median(cold),
      quipuSlowestSeconds: Math.max(...cold),
      sembleMedianSeconds: median(results.map((r) => r.semble.cold.firstAnswerSeconds)),
      medianRatio: median(results.map((r) => r.coldRatio)),
      worstRatio: Math.max(...results.map((r) => r.coldRatio)),
      quipuIndexMedianSeconds: median(results.map((r) => r.quipu.cold.indexSeconds)),
      sembleIndexMedianSeconds: median(results.map((r) => r.semble.cold.indexSeconds)),
      quipuCpuMedianSeconds: median(results.map((r) => r.quipu.cold.cpuSeconds)),
      sembleCpuMedianSeconds: median(results.map((r) => r.semble.cold.cpuSeconds)),
    },
    tune: part(results.filter((r) => !r.heldOut)),
    heldOut: part(results.filter((r) => r.heldOut)),
  };
}

function report(results: RepoResult[], million: MillionResult | undefined, meta: { date: string; loadStart: number[]; loadEnd: number[]; minutes: number; k: number; reps: number; staticId: string; complete: boolean; start: { quipuSeconds: number; sembleSeconds: number } }): string {
  const s = summarize(results);
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const lines = [
    '## Instant search: cold time to the first answer, and quality, next to semble',
    '',
    'Written by `npm run bench:instant` (bench/instant.ts); issue 24, "measured side by side". Quipu\'s fast tier',
    '(`quipu index --tiers fast`: words and static vectors, where the default plan is searchable) and "both tiers"',
    '(an index whose deep tier is complete: the code benchmark\'s own) next to semble 0.7.0 (PyPI, `scripts/setup-semble.sh`),',
    `which embeds with the same static model (\`${meta.staticId}\`, exported by \`scripts/export-model2vec.mjs\`;`,
    'no hub is reached). Cold: no index, no vector cache, a new process; the time runs from the start of the first',
    "process to the first answer printed (Quipu: `quipu index` then `quipu search`, two processes; semble: one Python",
    'process that imports semble, indexes with its defaults and searches). The files stay in the page cache between',
    'runs (both tools read the same warm files). CPU time: user + system of those processes up to the answer.',
    '',
    `Run on ${meta.date.slice(0, 16).replace('T', ' ')} UTC: ${machineDescription()}; ${meta.reps} cold run(s) per tool and repository (medians; the`,
    `order alternates), ${meta.minutes.toFixed(1)} min. Load average (1/5/15 min) at the start ${load(meta.loadStart)}, at the end ${load(meta.loadEnd)}.`,
    'The machine is shared: wall-clock figures under load are upper bounds; the ratios to semble, measured in the same',
    `run, are what count.${meta.complete ? '' : ` A partial run: repositories ${results.map((r) => r.id).join(', ')}.`}`,
    '',
    '### Summary',
    '',
    '| | Quipu (fast tier) | semble | Quipu / semble |',
    '|---|---:|---:|---:|',
    `| cold first answer, median over repositories (s) | ${f2(s.cold.quipuMedianSeconds)} | ${f2(s.cold.sembleMedianSeconds)} | ${f2(s.cold.medianRatio)} (median of ratios; worst ${f2(s.cold.worstRatio)}) |`,
    `| cold first answer, slowest repository (s) | ${f2(s.cold.quipuSlowestSeconds)} | | |`,
    `| index time, median (s) | ${f2(s.cold.quipuIndexMedianSeconds)} | ${f2(s.cold.sembleIndexMedianSeconds)} | ${f2(s.cold.quipuIndexMedianSeconds / s.cold.sembleIndexMedianSeconds)} |`,
    `| process start with no work, median (s) | ${f2(meta.start.quipuSeconds)} | ${f2(meta.start.sembleSeconds)} | ${f2(meta.start.quipuSeconds / meta.start.sembleSeconds)} |`,
    `| CPU to the first answer, median (s) | ${f2(s.cold.quipuCpuMedianSeconds)} | ${f2(s.cold.sembleCpuMedianSeconds)} | ${f2(s.cold.quipuCpuMedianSeconds / s.cold.sembleCpuMedianSeconds)} |`,
    '',
    'Goals (issue 24): cold first answer median ≤ 1.5 s, slowest ≤ 5 s, ≤ 3× semble\'s time in the same run;',
    'fast-tier nDCG@10 ≥ 0.85 on the held-out part. Quipu\'s index time is the `quipu index` process, start to exit',
    "(Node start, the worker pools and the store included); semble's is `SembleIndex.from_path` inside its process",
    "(after its imports: the time to the first answer includes them). Process start: `node dist/cli.js --version`,",
    "`python -c 'import semble'`.",
    '',
    `nDCG@${meta.k} (graded, \`scoreGraded\`, top ${meta.k} chunks, the mean over questions):`,
    '',
    '| part | repositories | questions | Quipu fast tier | Quipu both tiers | semble |',
    '|---|---:|---:|---:|---:|---:|',
    ...(['tune', 'heldOut'] as const).flatMap((p) => {
      const name = p === 'tune' ? 'tuned on' : 'held out';
      const { all, withBoth } = s[p];
      const row = (label: string, n: typeof all) => `| ${label} | ${n.repositories} | ${n.questions} | ${f3(n.fast)} | ${f3(n.both)} | ${f3(n.semble)} |`;
      if (all.repositories === 0) return [];
      if (withBoth.repositories === all.repositories || withBoth.repositories === 0) return [row(name, all)];
      return [row(name, all), row(`${name}, where the both-tier index exists`, withBoth)];
    }),
    '',
    '### By repository',
    '',
    '| repository | language | held out | Quipu chunks | semble chunks | Quipu first answer (s) | semble first answer (s) | ratio | Quipu index (s) | semble index (s) | Quipu CPU (s) | semble CPU (s) | nDCG fast | nDCG both | nDCG semble |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.id} | ${r.language} | ${r.heldOut ? 'yes' : 'no'} | ${r.quipu.chunks} | ${r.semble.chunks} | ${f2(r.quipu.cold.firstAnswerSeconds)} | ${f2(r.semble.cold.firstAnswerSeconds)} | ${f2(r.coldRatio)} | ${f2(r.quipu.cold.indexSeconds)} | ${f2(r.semble.cold.indexSeconds)} | ${f2(r.quipu.cold.cpuSeconds)} | ${f2(r.semble.cold.cpuSeconds)} | ${f3(r.ndcg.fast)} | ${f3(r.ndcg.both)} | ${f3(r.ndcg.semble)} |`,
    ),
    '',
  ];
  if (million) {
    const row = (name: string, t: MillionTool, queryRss: string) =>
      `| ${name} | ${t.chunks} | ${t.searchableSeconds.toFixed(1)} | ${t.firstAnswerSeconds.toFixed(1)} | ${t.cpuSeconds.toFixed(1)} | ${t.indexPeakRssMb.toFixed(0)} | ${t.queryP50Ms.toFixed(1)} | ${t.queryP95Ms.toFixed(1)} | ${queryRss} |`;
    lines.push(
      `### A ${(million.lines / 1e6).toFixed(2)}M-line tree (\`--million\`)`,
      '',
      `The benchmark's corpora copied (copy 1 on: about one identifier in four renamed) until ${million.lines.toLocaleString('en')} lines in`,
      `${million.files} files. Quipu: indexed cold by the fast tier (\`quipu index --tiers fast\`, no vector cache), a \`quipu search\` for the`,
      `first question, then all ${million.queries} benchmark questions in one process with the index loaded. semble: one process indexes`,
      "and answers them all. Searchable: from process start (semble's includes its imports).",
      '',
      '| | chunks | searchable after (s) | first answer (s) | CPU to it (s) | peak RSS indexing (MB) | query p50 (ms) | query p95 (ms) | query process peak RSS (MB) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      row('Quipu fast tier', million.quipu, million.quipu.queryPeakRssMb.toFixed(0)),
      row('semble', million.semble, 'the same process'),
      `| Quipu / semble | | ${f2(million.quipu.searchableSeconds / million.semble.searchableSeconds)} | ${f2(million.quipu.firstAnswerSeconds / million.semble.firstAnswerSeconds)} | ${f2(million.quipu.cpuSeconds / million.semble.cpuSeconds)} | | | ${f2(million.quipu.queryP95Ms / million.semble.queryP95Ms)} | |`,
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = options();
  checkPrerequisites(opts.staticModel);
  const loaded = await loadRepos(opts.repos, opts.split);
  mkdirSync(WORK, { recursive: true });
  const model = await model2vecFolder(opts.staticModel);
  console.error(`${loaded.length} repositories; static model ${model.id} (semble: ${relative(ROOT, model.dir)})`);
  const loadStart = loadavg();
  const started = Date.now();
  const start = await processStart(opts.reps);
  const results: RepoResult[] = [];
  for (const entry of loaded) results.push(await benchRepo(entry, model.dir, opts.staticModel, opts.k, opts.reps, opts.skipDeep));
  // The tree is made from every repository, whatever --repos picked, so its size does not depend on the flag.
  const million = opts.million ? await benchMillion(opts.repos || opts.split !== 'all' ? await loadRepos(undefined, 'all') : loaded, model.dir, opts.staticModel, opts.millionLines, opts.k) : undefined;
  const meta = { date: new Date().toISOString(), loadStart, loadEnd: loadavg(), minutes: (Date.now() - started) / 60000, k: opts.k, reps: opts.reps, staticId: model.id, complete: !opts.repos && opts.split === 'all', start };
  const markdown = report(results, million, meta);
  const before = existsSync(OUT_MD) ? readFileSync(OUT_MD, 'utf8') : '';
  writeFileSync(OUT_MD, (before.includes(MARKER) ? before.slice(0, before.indexOf(MARKER) + MARKER.length) : MARKER) + '\n\n' + markdown);
  writeFileSync(OUT_JSON, JSON.stringify({ ...meta, machine: machineDescription(), summary: summarize(results), repositories: results, million }, null, 2) + '\n');
  console.error(`wrote ${relative(ROOT, OUT_MD)} and ${relative(ROOT, OUT_JSON)}`);
  process.stdout.write(markdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
