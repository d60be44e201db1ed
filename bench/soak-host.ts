/**
 * The extension-host side of `npm run bench:soak` (bench/soak.ts), loaded by code-server's extension
 * host as `extensionTestsPath` (bundled by scripts/build-tests.mjs into dist/bench). In the host:
 *  1. the extension host's RSS, threads and child processes before anything is indexed;
 *  2. a full index of the workspace (`indexWorkspace()`);
 *  3. for $QUIPU_SOAK_MINUTES, a seeded stream of file creates, edits, renames and deletes in the
 *     workspace (written with `fs`, as a checkout or another tool writes them: Quipu sees them through
 *     its file watcher), a search now and then, and a sample of RSS and threads every 30 s;
 *  4. waits until Quipu is idle, then until its worker pools have closed (their idle timeouts),
 *     sampling RSS as it falls;
 * then writes a SoakResult as JSON to $QUIPU_SOAK_RESULT. The runner checks the index with
 * `quipu verify` after code-server stops.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { quipu, sleep, workspaceRoot } from '../test/integration/helpers';
import { seededRandom } from './lib';

export interface HostSample {
  /** Seconds since the soak started (negative: before it). */
  at: number;
  phase: 'before' | 'indexed' | 'stream' | 'settling';
  rssMb: number;
  heapMb: number;
  threads: number;
  children: number;
  load: number;
}

export interface SoakResult {
  vscodeVersion: string;
  hostNode: string;
  minutes: number;
  operations: Record<'create' | 'edit' | 'rename' | 'delete' | 'renameFolder', number>;
  searches: { count: number; failed: number; maxMs: number; errors: string[] };
  samples: HostSample[];
  /** Seconds from the end of the stream until Quipu was idle (every change indexed). */
  idleAfterSeconds: number;
}

const SAMPLE_EVERY_MS = 30_000;
const QUERIES = ['parse command line arguments', 'compare two version numbers', 'read a file line by line', 'retry a failed request'];
/** How long the pools may take to close once idle: the query lane's 5 minutes, and a margin. */
const SETTLE_LIMIT_MS = 6.5 * 60_000;

export async function run(): Promise<void> {
  const out = process.env.QUIPU_SOAK_RESULT;
  if (!out) throw new Error('QUIPU_SOAK_RESULT is not set');
  let result: SoakResult | { error: string };
  try {
    result = await soak(Number(process.env.QUIPU_SOAK_MINUTES) || 20);
  } catch (error) {
    result = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2));
  renameSync(`${out}.tmp`, out);
}

async function soak(minutes: number): Promise<SoakResult> {
  const api = await quipu();
  const root = workspaceRoot().fsPath;
  await sleep(5_000); // the window's start-up settles
  const samples: HostSample[] = [];
  let start = performance.now();
  const sample = (phase: HostSample['phase']) => samples.push({ at: (performance.now() - start) / 1000, phase, ...hostMemory(), load: loadavg()[0] });
  sample('before');
  await api.indexWorkspace();
  sample('indexed');

  const random = seededRandom(20261202);
  const operations: SoakResult['operations'] = { create: 0, edit: 0, rename: 0, delete: 0, renameFolder: 0 };
  const searches = { count: 0, failed: 0, maxMs: 0, errors: [] as string[] };
  const sources = listFiles(root).filter((p) => /\.(ts|js|md|py|txt)$/.test(p)).map((p) => readFileSync(join(root, p), 'utf8'));
  start = performance.now();
  const end = start + minutes * 60_000;
  let nextSample = start + SAMPLE_EVERY_MS;
  let made = 0;
  while (performance.now() < end) {
    const files = listFiles(root);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const roll = random();
    if (roll < 0.3 || files.length < 20) {
      const target = join(root, 'soak', `d${Math.floor(random() * 8)}`, `new-${made++}.${pick(['ts', 'md', 'py'])}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, pick(sources).slice(0, 4000 + Math.floor(random() * 8000)));
      operations.create++;
    } else if (roll < 0.65) {
      const target = join(root, pick(files));
      const lines = readFileSync(target, 'utf8').split('\n');
      lines.splice(Math.floor(random() * lines.length), Math.floor(random() * 5), `// edited ${made++}: ${pick(QUERIES)}`);
      writeFileSync(target, lines.join('\n'));
      operations.edit++;
    } else if (roll < 0.8) {
      const from = join(root, pick(files));
      const to = join(dirname(from), `renamed-${made++}-${from.slice(from.lastIndexOf('/') + 1)}`);
      renameSync(from, to);
      operations.rename++;
    } else if (roll < 0.97) {
      rmSync(join(root, pick(files)));
      operations.delete++;
    } else {
      const soakDir = join(root, 'soak');
      const dirs = existsSync(soakDir) ? readdirSync(soakDir) : [];
      if (dirs.length) {
        renameSync(join(soakDir, pick(dirs)), join(soakDir, `moved-${made++}`));
        operations.renameFolder++;
      }
    }
    if (random() < 0.05) {
      const at = performance.now();
      searches.count++;
      await api.search(pick(QUERIES), { topK: 10 }).catch((error: unknown) => {
        searches.failed++;
        if (searches.errors.length < 3) searches.errors.push(error instanceof Error ? error.message : String(error));
      });
      searches.maxMs = Math.max(searches.maxMs, performance.now() - at);
    }
    if (performance.now() >= nextSample) {
      sample('stream');
      nextSample += SAMPLE_EVERY_MS;
    }
    await sleep(500 + random() * 1500);
  }
  const streamEnded = performance.now();
  await api.whenIdle();
  const idleAfterSeconds = (performance.now() - streamEnded) / 1000;
  sample('settling');
  // The pools close on their own idle timeouts: sample until threads and child processes are back
  // where they were before indexing (other extensions' own included), or the limit.
  const before = samples[0];
  const settleEnd = performance.now() + SETTLE_LIMIT_MS;
  while (performance.now() < settleEnd) {
    await sleep(15_000);
    sample('settling');
    const last = samples[samples.length - 1];
    if (last.threads <= before.threads && last.children <= before.children) break;
  }
  // A reconciling pass (core/keeper/scheduler.ts) may have started meanwhile: verify only what is finished.
  await api.whenIdle();
  return {
    vscodeVersion: vscode.version,
    hostNode: process.version,
    minutes,
    operations,
    searches,
    samples,
    idleAfterSeconds,
  };
}

/** The extension host's own memory, its threads (worker threads among them) and child processes. */
function hostMemory(): Pick<HostSample, 'rssMb' | 'heapMb' | 'threads' | 'children'> {
  const memory = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  let children = 0;
  for (const task of readdirSync('/proc/self/task')) {
    const list = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
    if (list) children += list.split(/\s+/).length;
  }
  return { rssMb: Math.round(memory.rss / 1048576), heapMb: Math.round(memory.heapUsed / 1048576), threads, children };
}

/** Workspace files, relative, Quipu's own folders and the .git folder left out. */
function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) listFiles(root, abs, out);
    else out.push(relative(root, abs));
  }
  return out;
}
