/**
 * `npm run bench:soak [-- --minutes N]` (not in CI): the extension in code-server under a stream of
 * file creates, edits, renames and deletes for N minutes (20 by default), live-indexed through its
 * file watcher. bench/soak-host.ts runs in the extension host and samples its RSS, threads and child
 * processes; afterwards this script stops code-server and checks the index against the folder with
 * `quipu verify`. The result goes to bench/.cache/soak.json and bench/RESULTS.md ("Soak").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ensureCodeServer, startCodeServer, workbenchUrl, type CodeServer } from '../test/e2e/codeServer';
import { launchBrowser, openWorkbench } from '../test/e2e/workbench';
import { makeTempRoot, makeUserDataDir, waitForFile } from '../test/e2e/workspace';
import { machineDescription, readJson, ROOT, withSection } from './lib';
import type { HostSample, SoakResult } from './soak-host';

const RESULT = join(ROOT, 'bench', '.cache', 'soak.json');
const RESULTS_MD = join(ROOT, 'bench', 'RESULTS.md');
const SECTION = '## Soak: live indexing in code-server (`npm run bench:soak`)';
const log = (text: string) => process.stderr.write(`[bench:soak ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

interface VerifyOutcome {
  ok: boolean;
  files: number;
  chunks: number;
  damaged: unknown[];
  stale: string[];
  gone: string[];
  missing: string[];
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--minutes');
  const minutes = flag > 0 ? Number(process.argv[flag + 1]) : 20;
  const small = join(ROOT, 'bench', '.corpus', 'small');
  if (!existsSync(small)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  const testsPath = join(ROOT, 'dist', 'bench', 'soak-host.js');
  if (!existsSync(testsPath)) throw new Error('run npm run build and node scripts/build-tests.mjs first (npm run bench:soak does)');
  ensureCodeServer();
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  rmSync(RESULT, { force: true });

  const tmp = makeTempRoot('quipu-soak-');
  const workspace = join(tmp, 'workspace');
  cpSync(small, workspace, { recursive: true });
  const userDataDir = makeUserDataDir(tmp);
  const loadBefore = loadavg();
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  const cleanUp = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    browser = server = undefined;
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const env = { QUIPU_SOAK_RESULT: RESULT, QUIPU_SOAK_MINUTES: String(minutes) };
    server = await startCodeServer({ tmp, userDataDir, extensionsDir: join(tmp, 'extensions'), env });
    log(`code-server on ${server.url}; ${minutes} min of file changes in a copy of ${small}`);
    browser = await launchBrowser(join(tmp, 'chromium-profile'));
    const page = await browser.newPage();
    await openWorkbench(page, workbenchUrl(server, workspace, { extensionPath: ROOT, testsPath }), 120_000);
    await waitForFile(RESULT, (minutes + 30) * 60_000, 'the extension host');
  } finally {
    await cleanUp();
  }
  const host = readJson<SoakResult | { error: string }>(RESULT);
  if ('error' in host) throw new Error(`the extension host failed: ${host.error}`);

  // The folder's index, in the extension's workspace storage, checked by the CLI with code-server gone.
  const indexDir = findIndexDir(userDataDir);
  if (!indexDir) throw new Error(`no index of the folder under ${userDataDir}`);
  const verify = spawnSync(process.execPath, [join(ROOT, 'bin', 'quipu.js'), 'verify', workspace, '--index-dir', indexDir, '--json'], { encoding: 'utf8' });
  const report = (JSON.parse(verify.stdout) as { report: VerifyOutcome }).report;
  const result = { ...host, date: new Date().toISOString(), machine: machineDescription(), loadBefore, verify: report, verifyExit: verify.status };
  writeFileSync(RESULT, JSON.stringify(result, null, 2) + '\n');
  const section = describe(result);
  console.log(section);
  writeFileSync(RESULTS_MD, withSection(readFileSync(RESULTS_MD, 'utf8'), SECTION, section));
  rmSync(tmp, { recursive: true, force: true });
  log('wrote bench/.cache/soak.json and bench/RESULTS.md');
}

/** The extension's index of the folder: `<storage>/indexes/<name>-<hash>/manifest.json`. */
function findIndexDir(dir: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const abs = join(dir, entry.name);
    if (dir.endsWith('indexes') && existsSync(join(abs, 'manifest.json'))) return abs;
    const found = findIndexDir(abs);
    if (found) return found;
  }
  return undefined;
}

/** Least-squares slope of RSS over time, MB per minute. */
function slopeMbPerMinute(samples: HostSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((s, x) => s + x.at, 0) / n;
  const my = samples.reduce((s, x) => s + x.rssMb, 0) / n;
  const num = samples.reduce((s, x) => s + (x.at - mx) * (x.rssMb - my), 0);
  const den = samples.reduce((s, x) => s + (x.at - mx) ** 2, 0);
  return den ? (num / den) * 60 : 0;
}

function describe(r: SoakResult & { date: string; machine: string; loadBefore: number[]; verify: VerifyOutcome; verifyExit: number | null }): string {
  const byPhase = (phase: HostSample['phase']) => r.samples.filter((s) => s.phase === phase);
  const [before] = byPhase('before');
  const [indexed] = byPhase('indexed');
  const stream = byPhase('stream');
  const settled = byPhase('settling').at(-1) ?? indexed;
  const late = stream.filter((s) => s.at >= 300); // after the first 5 minutes
  const rss = (xs: HostSample[]) => (xs.length ? `${Math.min(...xs.map((s) => s.rssMb))}–${Math.max(...xs.map((s) => s.rssMb))} MB` : '–');
  const ops = r.operations;
  const v = r.verify;
  return [
    SECTION,
    '',
    `Measured on ${r.date.slice(0, 10)}: code-server (VS Code ${r.vscodeVersion}, extension host on Node ${r.hostNode}), the dev build, ${r.minutes} minutes.`,
    `Machine: ${r.machine}; load average before the run ${r.loadBefore.map((x) => x.toFixed(2)).join(' / ')}, during the stream ${stream.length ? `${Math.min(...stream.map((s) => s.load)).toFixed(1)}–${Math.max(...stream.map((s) => s.load)).toFixed(1)}` : '–'} (1 min).`,
    `Workspace: a copy of the small benchmark corpus, indexed once, then a seeded stream written with \`fs\` (Quipu sees it through its watcher), one change every 0.5–2 s:`,
    `${ops.create} creates, ${ops.edit} edits, ${ops.rename} renames, ${ops.delete} deletes and ${ops.renameFolder} folder renames; ${r.searches.count} searches meanwhile (${r.searches.failed} failed${r.searches.errors?.length ? `: ${r.searches.errors.join('; ')}` : ''}, slowest ${Math.round(r.searches.maxMs)} ms).`,
    '',
    '| extension host | RSS | V8 heap | threads | child processes |',
    '|---|---|---|---|---|',
    `| before indexing | ${before.rssMb} MB | ${before.heapMb} MB | ${before.threads} | ${before.children} |`,
    `| after the first full index | ${indexed.rssMb} MB | ${indexed.heapMb} MB | ${indexed.threads} | ${indexed.children} |`,
    `| during the stream (${stream.length} samples, every 30 s) | ${rss(stream)} | ${stream.length ? `${Math.min(...stream.map((s) => s.heapMb))}–${Math.max(...stream.map((s) => s.heapMb))} MB` : '–'} | ${stream.length ? `${Math.min(...stream.map((s) => s.threads))}–${Math.max(...stream.map((s) => s.threads))}` : '–'} | |`,
    `| idle again, pools closed (${Math.round(settled.at - (stream.at(-1)?.at ?? 0))} s after the stream) | **${settled.rssMb} MB** | ${settled.heapMb} MB | ${settled.threads} | ${settled.children} |`,
    '',
    `- RSS trend during the stream after its first 5 minutes: ${late.length > 1 ? `${slopeMbPerMinute(late).toFixed(1)} MB/min (${rss(late)})` : 'too short to tell'}.`,
    `- Idle RSS against before indexing: ${settled.rssMb - before.rssMb >= 0 ? '+' : ''}${settled.rssMb - before.rssMb} MB (goal: within 100 MB); threads ${settled.threads} against ${before.threads}, child processes ${settled.children} against ${before.children}.`,
    `- Every change indexed ${r.idleAfterSeconds.toFixed(1)} s after the stream ended. \`quipu verify\` afterwards: ${v.ok ? `consistent, ${v.files} files, ${v.chunks} chunks` : `NOT consistent: ${v.damaged.length} damaged, ${v.stale.length} stale, ${v.gone.length} gone, ${v.missing.length} missing (${[...v.stale, ...v.gone, ...v.missing].slice(0, 5).join(', ')})`} (exit ${r.verifyExit}).`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
