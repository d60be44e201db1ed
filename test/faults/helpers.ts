/** Shared by the fault corpus: the CLI run as a user would, its peak RSS, and `quipu verify` as the oracle. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { IndexSummary } from '../../src/core/pipeline/events';
import type { VerifyReport } from '../../src/core/maintenance/verify';
import { ROOT } from '../helpers';

export interface FaultRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the process (VmHWM, MB), read until it exited. */
  peakRssMb: number;
}

/** Runs the CLI, optionally as another user (`runuser`), sampling its VmHWM (a peak: monotonic). */
export function runQuipu(args: string[], options: { env?: NodeJS.ProcessEnv; asUser?: string } = {}): Promise<FaultRun> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, join(ROOT, 'bin', 'quipu.js'), ...args];
    const [command, ...rest] = options.asUser ? ['setpriv', `--reuid=${options.asUser}`, `--regid=${options.asUser}`, '--clear-groups', ...cli] : cli;
    const child = spawn(command, rest, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // exited
      }
    };
    const timer = setInterval(sample, 25);
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr, peakRssMb: Math.round(peak) });
    });
  });
}

export async function indexJson(folder: string, indexDir: string, extra: string[] = [], options: Parameters<typeof runQuipu>[1] = {}): Promise<{ run: FaultRun; summary: IndexSummary }> {
  const run = await runQuipu(['index', folder, '--index-dir', indexDir, '--json', ...extra], options);
  assert.equal(run.code, 0, `index failed: ${run.stderr}`);
  return { run, summary: JSON.parse(run.stdout) as IndexSummary };
}

export async function verify(folder: string, indexDir: string, repair = false, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; report: VerifyReport; before?: VerifyReport }> {
  const run = await runQuipu(['verify', folder, '--index-dir', indexDir, '--json', ...(repair ? ['--repair'] : [])], { env });
  assert.ok(run.stdout, `verify printed nothing: ${run.stderr}`);
  const parsed = JSON.parse(run.stdout) as { report: VerifyReport; before?: VerifyReport };
  return { code: run.code, ...parsed };
}

/** The oracle: the index agrees with itself and the folder. */
export async function assertConsistent(folder: string, indexDir: string, env?: NodeJS.ProcessEnv): Promise<VerifyReport> {
  const { code, report } = await verify(folder, indexDir, false, env);
  assert.equal(report.damaged.length, 0, JSON.stringify(report.damaged));
  assert.deepEqual([report.stale, report.gone, report.missing], [[], [], []]);
  assert.equal(report.ok, true);
  assert.equal(code, 0);
  return report;
}

export function reasonOf(summary: IndexSummary, path: string): string | undefined {
  return summary.skipped.find((s) => s.path === path)?.reason;
}

/**
 * Lets others (the unprivileged user a case runs Quipu as) pass through this checkout's parent folders
 * while the test runs: a clone may sit under a folder only root may enter (`mktemp -d`). Traverse
 * only, no listing; restored after the test.
 */
export function openParents(t: TestContext): void {
  const opened: [string, number][] = [];
  for (let dir = ROOT; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      opened.push([dir, mode]);
    }
  }
  t.after(() => {
    for (const [dir, mode] of opened) chmodSync(dir, mode);
  });
}
