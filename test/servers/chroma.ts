/**
 * A real Chroma server for the tests and the bench: the chromadb wheel's Rust server, installed by
 * scripts/setup-chroma.sh into .venv-chroma. Started on a free loopback port with its data in a
 * fresh folder; ready when `GET /api/v2/heartbeat` answers. It can be stopped and started again on
 * the same port and data (the fault tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './infinity';

const ROOT = resolve(__dirname, '..', '..');
export const CHROMA_VENV = process.env.QUIPU_CHROMA_VENV || join(ROOT, '.venv-chroma');

export interface RunningChroma {
  /** e.g. chroma://127.0.0.1:40123 */
  url: string;
  host: string;
  port: number;
  /** Stops the server process (the data folder stays). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

export async function startChroma(): Promise<RunningChroma> {
  const bin = join(CHROMA_VENV, 'bin', 'chroma');
  if (!existsSync(bin)) throw new Error(`Chroma is not installed at ${CHROMA_VENV}: run \`bash scripts/setup-chroma.sh\` (what .ci/run does).`);
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'quipu-chroma-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(bin, ['run', '--path', data, '--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, ANONYMIZED_TELEMETRY: 'False', CHROMA_TELEMETRY: 'False', DO_NOT_TRACK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let log = '';
    const collect = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
    proc.stdout.on('data', collect);
    proc.stderr.on('data', collect);
    await waitUntilReady(proc, `http://127.0.0.1:${port}/api/v2/heartbeat`, () => log);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc) await stopChild(proc);
  };
  await start();
  return {
    url: `chroma://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(child: ChildProcess, url: string, log: () => string): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`Chroma exited (${exited}) before answering:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
