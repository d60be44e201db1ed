/** Small helpers shared by the benchmark scripts. */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { IndexSummary } from '../src/core/pipeline/events';

export const ROOT = join(__dirname, '..');

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}-${process.arch}`;
}

export function startEventLoopMonitor(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return histogram;
}

export function eventLoopStats(h: IntervalHistogram): { p50: number; p99: number; max: number } {
  h.disable();
  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/** Peak resident memory of this process, all threads included, in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs a benchmark child script (TypeScript through tsx) and parses the JSON line it prints last. */
/**
 * Runs a bench script (a name in bench/, or an absolute path, e.g. another checkout's) in a child
 * process and parses the JSON line it prints last.
 */
/** Runs a bench child script; `cpus` ("0", "0-1") pins it to those CPUs with taskset (Linux). */
export function runChild<T>(script: string, args: string[], options: { cwd?: string; cpus?: string } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const path = isAbsolute(script) ? script : join(__dirname, script);
    const nodeArgs = ['--import', 'tsx', path, ...args];
    const [command, commandArgs] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const child = spawn(command, commandArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${out.slice(-500)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON: ${out.slice(-500)}`));
      }
    });
  });
}

export function folderStats(dir: string): { files: number; bytes: number; byExt: Record<string, number> } {
  let files = 0;
  let bytes = 0;
  const byExt: Record<string, number> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const size = statSync(join(entry.parentPath, entry.name)).size;
    files++;
    bytes += size;
    const ext = entry.name.includes('.') ? entry.name.slice(entry.name.lastIndexOf('.') + 1) : '(none)';
    byExt[ext] = (byExt[ext] ?? 0) + 1;
  }
  return { files, bytes, byExt };
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run samples the same chunks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** bench/RESULTS.md's section written by `npm run bench:vscode` (bench/vscode.ts); `npm run bench` keeps it. */
export const VSCODE_SECTION = '## Extension host responsiveness (code-server)';

/** Where the `## heading` section of a Markdown text's lines starts and ends (the next `## ` heading). */
function sectionBounds(lines: string[], heading: string): [number, number] | undefined {
  const start = lines.indexOf(heading);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return [start, end < 0 ? lines.length : end];
}

/** The `## heading` section of a Markdown text, or '' when it has none. */
export function sectionOf(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const bounds = sectionBounds(lines, heading);
  return bounds ? `${lines.slice(...bounds).join('\n').trimEnd()}\n` : '';
}

/** `markdown` with its `## heading` section replaced by `section`, or with `section` appended. */
export function withSection(markdown: string, heading: string, section: string): string {
  const lines = markdown.split('\n');
  const bounds = sectionBounds(lines, heading);
  if (!bounds) return `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
  const after = lines.slice(bounds[1]).join('\n');
  return `${[...lines.slice(0, bounds[0]), section.trimEnd()].join('\n')}\n${after ? `\n${after}` : ''}`;
}

/** What bench/quipu-child.ts prints: a cold index, a re-index with no changes, and what they cost. */
export interface QuipuRun {
  cold: IndexSummary;
  warm: IndexSummary;
  eventLoop: { p50: number; p99: number; max: number };
  peakRssMb: number;
}

/** The large benchmark corpus (made on first use by bench/make-corpus.mjs). */
export function largeCorpus(): string {
  const large = join(ROOT, 'bench', '.corpus', 'large');
  if (!existsSync(large)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  return large;
}

/**
 * Each candidate indexes the large corpus cold (bench/quipu-child.ts) once per round, the order
 * rotating from round to round so that no candidate always runs first or last: the machine is
 * shared, and a slow minute should hit a round, not a candidate. `child` gives a candidate's
 * settings arguments and the CPUs to pin it to. The raw runs go to bench/.cache/<name>-runs.json.
 */
export async function rotatingIndexRuns<C>(
  name: string,
  candidates: readonly C[],
  rounds: number,
  label: (candidate: C) => string,
  child: (candidate: C) => { settings: string[]; cpus?: string },
): Promise<{ runs: { round: number; candidate: C; run: QuipuRun }[]; loadAtStart: number; loadAtEnd: number }> {
  const large = largeCorpus();
  const work = mkdtempSync(join(tmpdir(), `quipu-${name}-`));
  const loadAtStart = loadavg()[0];
  const runs: { round: number; candidate: C; run: QuipuRun }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < candidates.length; k++) {
        const candidate = candidates[(k + round) % candidates.length];
        process.stderr.write(`[${name}] round ${round + 1}/${rounds}: ${label(candidate)}\n`);
        const { settings, cpus } = child(candidate);
        const run = await runChild<QuipuRun>('quipu-child.ts', [large, join(work, 'index'), ...settings], { cpus });
        runs.push({ round, candidate, run });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const loadAtEnd = loadavg()[0];
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', '.cache', `${name}-runs.json`), JSON.stringify({ loadAtStart, loadAtEnd, runs }, null, 1));
  return { runs, loadAtStart, loadAtEnd };
}
