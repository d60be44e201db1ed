/**
 * `npm run bench:vscode`: how responsive VS Code's extension host stays while Quipu indexes, in a
 * real one (code-server, VS Code 1.100's extension host on Node 20). Not part of `npm run bench`.
 *  1. `npm run build` and scripts/build-tests.mjs (the npm script does both);
 *  2. copies the small benchmark corpus (bench/.corpus/small) to a temporary workspace;
 *  3. starts code-server with the dev build (extensionDevelopmentPath) and bench/vscode-host.ts as
 *     extensionTestsPath, opened in headless Chromium (test/e2e's helpers; `quipu.autoIndex` off);
 *  4. the host measures the event-loop delay idle, then during a full index (searching every 2 s),
 *     then times searches with nothing running and while the large corpus's other packages are
 *     being indexed; it writes bench/.cache/vscode.json;
 *  5. this prints the result and writes it into bench/RESULTS.md's section (replaced, or appended).
 * The idle period lasts as long as the previous run's index (100 s the first time), so both periods
 * are about equally long; `--idle-seconds N` sets it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CODE_SERVER_DIR, ensureCodeServer, startCodeServer, workbenchUrl, type CodeServer } from '../test/e2e/codeServer';
import { launchBrowser, openWorkbench } from '../test/e2e/workbench';
import { makeTempRoot, makeUserDataDir, waitForFile } from '../test/e2e/workspace';
import { folderStats, machineDescription, readJson, ROOT, VSCODE_SECTION, withSection } from './lib';
import type { SearchSeries, VscodeBenchResult } from './vscode-host';

interface Result extends VscodeBenchResult {
  date: string;
  machine: string;
  codeServer: string;
  corpus: ReturnType<typeof folderStats>;
  /** The files added for the searches' run. */
  more: ReturnType<typeof folderStats>;
  /** os.loadavg() before code-server starts. */
  loadBefore: number[];
  /** The commit measured, and files under src/ that differed from it. */
  git: { commit: string; changed: string[] };
}

const RESULT = join(ROOT, 'bench', '.cache', 'vscode.json');
const RESULTS_MD = join(ROOT, 'bench', 'RESULTS.md');
const TIMEOUT_MS = 30 * 60_000;
const log = (text: string) => process.stderr.write(`[bench:vscode ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const f1 = (n: number) => n.toFixed(1);
const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  const small = join(ROOT, 'bench', '.corpus', 'small');
  const large = join(ROOT, 'bench', '.corpus', 'large');
  if (!existsSync(small) || !existsSync(large)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  const testsPath = join(ROOT, 'dist', 'bench', 'vscode-host.js');
  if (!existsSync(testsPath) || !existsSync(join(ROOT, 'dist', 'extension.js'))) throw new Error('run npm run build and node scripts/build-tests.mjs first (npm run bench:vscode does)');
  ensureCodeServer();

  const flag = process.argv.indexOf('--idle-seconds');
  const previous = existsSync(RESULT) ? readJson<Partial<Result>>(RESULT) : undefined;
  const idleSeconds = flag > 0 ? Number(process.argv[flag + 1]) : Math.round(previous?.index?.seconds ?? 100);
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  rmSync(RESULT, { force: true });

  const tmp = makeTempRoot('quipu-bench-vscode-');
  const workspace = join(tmp, 'workspace');
  cpSync(small, workspace, { recursive: true });
  // For the searches' run: the large corpus's packages that the small one lacks.
  const more = join(tmp, 'more');
  for (const name of readdirSync(join(large, 'packages'))) {
    if (!existsSync(join(small, 'packages', name))) cpSync(join(large, 'packages', name), join(more, name), { recursive: true });
  }
  const moreStats = folderStats(more);
  const loadBefore = loadavg();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const source = { commit: git('rev-parse', '--short', 'HEAD')[0], changed: git('status', '--porcelain', '--', 'src').map((line) => line.slice(3)) };
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  const consoleLog: string[] = [];
  const cleanUp = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const env = { QUIPU_BENCH_RESULT: RESULT, QUIPU_BENCH_IDLE_MS: String(idleSeconds * 1000), QUIPU_BENCH_MORE: more };
    server = await startCodeServer({ tmp, userDataDir: makeUserDataDir(tmp), extensionsDir: join(tmp, 'extensions'), env });
    log(`code-server on ${server.url}; load average ${loads(loadBefore)}; idle ${idleSeconds} s, then a full index of ${small}`);
    browser = await launchBrowser(join(tmp, 'chromium-profile'));
    const page: Page = await browser.newPage();
    page.on('console', (message) => consoleLog.push(message.text()));
    await openWorkbench(page, workbenchUrl(server, workspace, { extensionPath: ROOT, testsPath }), 120_000);
    await waitForFile(RESULT, TIMEOUT_MS, 'the extension host');
  } catch (error) {
    console.error(consoleLog.slice(-30).join('\n'));
    throw error;
  } finally {
    await cleanUp();
  }

  const hostResult = readJson<VscodeBenchResult | { error: string }>(RESULT);
  if ('error' in hostResult) throw new Error(`the extension host failed: ${hostResult.error}`);
  const codeServer = readJson<{ version: string }>(join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'package.json')).version;
  const result: Result = { ...hostResult, date: new Date().toISOString(), machine: machineDescription(), codeServer, corpus: folderStats(small), more: moreStats, loadBefore, git: source };
  writeFileSync(RESULT, JSON.stringify(result, null, 2) + '\n');
  const section = report(result);
  console.log(section);
  writeFileSync(RESULTS_MD, withSection(existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '# Quipu benchmark results\n', VSCODE_SECTION, section));
  log(`wrote ${RESULT} and bench/RESULTS.md`);
}

function report(r: Result): string {
  const s = r.index.summaries;
  const sum = (key: 'filesIndexed' | 'chunksEmbedded' | 'chunksTotal') => s.reduce((n, x) => n + x[key], 0);
  const engineSeconds = s.reduce((n, x) => n + x.seconds, 0);
  const searchRow = (what: string, series: SearchSeries) => {
    const ms = series.timings.filter((x) => x.error === undefined).map((x) => x.ms);
    const sorted = [...ms].sort((x, y) => x - y);
    const failed = series.timings.find((x) => x.error !== undefined);
    const cell = (n: number | undefined) => (n === undefined ? '–' : `${Math.round(n)} ms`);
    return `| ${what} | ${ms.map((x) => Math.round(x)).join(', ') || 'none'} | ${cell(sorted[Math.floor((sorted.length - 1) / 2)])} | ${cell(sorted.at(-1))} |${failed ? ` failed: ${failed.error}` : ''}`;
  };
  const { cold, idle, more } = r.searches;
  const span = (x: SearchSeries) => (x.timings.length ? `${f1(x.timings[0].at)}–${f1(x.timings.at(-1)?.at ?? 0)} s` : '');
  const lines = [
    VSCODE_SECTION,
    '',
    `Measured by \`npm run bench:vscode\` (a separate command: \`npm run bench\` does not run it and keeps this section) on ${r.date.slice(0, 10)}:`,
    `code-server ${r.codeServer} (VS Code ${r.vscodeVersion}, extension host on Node ${r.hostNode}), the dev build loaded through \`extensionDevelopmentPath\`,`,
    `measured by bench/vscode-host.ts running in that extension host (\`extensionTestsPath\`), headless Chromium showing the window.`,
    `Code: commit ${r.git.commit}${r.git.changed.length ? ` plus uncommitted changes to ${r.git.changed.join(', ')}` : ''}.`,
    `Machine: ${r.machine}. Load average (1 / 5 / 15 min): ${loads(r.loadBefore)} before the run, ${loads(r.load.indexStart)} when indexing started, ${loads(r.load.indexEnd)} when it ended (the run's own work included).`,
    '',
    `Corpus: the small benchmark corpus (${r.corpus.files} files, ${f1(r.corpus.bytes / 1024)} KB), indexed cold with \`indexWorkspace()\` (the API behind "Quipu: Index Workspace").`,
    `Event-loop delay: \`perf_hooks.monitorEventLoopDelay({ resolution: 5 })\` in the extension host, first with nothing to do for as long as the previous run's index took, then during the full index (and its searches, below).`,
    'The 5 ms sampling timer counts in every sample: a free event loop reads about 5 ms, and what lies above that is delay.',
    '',
    '| extension host | seconds | event-loop delay p50 | p99 | max |',
    '|---|---|---|---|---|',
    `| idle, before the run | ${f1(r.idle.seconds)} | ${r.idle.p50} ms | ${r.idle.p99} ms | ${r.idle.max} ms |`,
    `| during the full index, both tiers | ${f1(r.index.seconds)} | ${r.index.p50} ms | **${r.index.p99} ms** | ${r.index.max} ms |`,
    '',
    `- Indexed: ${sum('filesIndexed')} files, ${sum('chunksTotal')} chunks, searchable (the fast tier: words and static vectors) after ${f1(engineSeconds)} s; the deep tier (the transformer's vectors, in the background) done ${f1(r.index.seconds)} s after the start.`,
    '',
    `Search latency: \`search()\` with the top 10, one every ${r.searchGapMs / 1000} s, up to 5 per row. During the cold index (both tiers) the searches start with the run:`,
    `until its first commit the index answers none (${cold.notReady} such tries), ${cold.timings.length ? `the first answer came ${f1(cold.timings[0].at)} s into the ${f1(r.index.seconds)} s run` : `and none came before the ${f1(r.index.seconds)} s run ended`}.`,
    `Then the same queries against the finished index with nothing running, and again while the large corpus's other packages (${r.more.files} files,`,
    `${f1(r.more.bytes / 1024)} KB, copied into the workspace) are being indexed.`,
    '',
    '| searches | each, in order (ms) | median | max |',
    '|---|---|---|---|',
    searchRow(`during the cold index, once it answers${cold.timings.length ? ` (${span(cold)} into the run)` : ''}`, cold),
    searchRow('after it, nothing running (the first opens the index as last committed)', idle),
    searchRow(`while indexing ${r.more.files} more files${more.timings.length ? ` (${span(more)} into that run)` : ''}`, more),
    '',
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
