/** Shared set-up for the unit and system tests: the real model, temporary folders, a CLI runner (system tests only). */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { makeConfig, type QuipuConfig } from '../src/core/config/config';
import { defaultModelDir } from '../src/core/embed/model';
import { QuipuEngine } from '../src/core/engine/engine';

export const ROOT = resolve(__dirname, '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const DOCS = join(FIXTURES, 'docs');
export const MODEL_DIR = defaultModelDir();

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'quipu-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A fresh copy of a fixture folder that a test may change. */
export function copyFixture(name: string): string {
  const dir = tempDir();
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export function testConfig(overrides: Parameters<typeof makeConfig>[0] = {}): QuipuConfig {
  return makeConfig({ ...overrides, pipeline: { embedThreads: 2, ...overrides.pipeline } });
}

/** An engine closed after the test file's tests. */
export async function testEngine(overrides: Parameters<typeof makeConfig>[0] = {}): Promise<QuipuEngine> {
  const engine = await QuipuEngine.create(testConfig(overrides));
  after(() => engine.close());
  return engine;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/cli.js) as a user would. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; /** Polled every 20 ms: true kills the CLI (SIGKILL). */ killWhen?: () => boolean; onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'quipu.js'), ...args], {
      // Hermetic: no machine-wide vector cache, so counts of chunks embedded mean this run's work.
      env: { QUIPU_VECTOR_CACHE: 'off', ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(d.toString());
    });
    const killWhen = options.killWhen;
    const poll = killWhen && setInterval(() => killWhen() && child.kill('SIGKILL'), 20);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}
