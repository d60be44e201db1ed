/**
 * A real OpenAI-compatible embedding server for the tests: Infinity (infinity-emb, PyPI) serving the
 * bundled model's fp32 weights, installed by scripts/setup-infinity.sh into .venv-infinity. Started on
 * a free loopback port; ready when `GET /v1/models` answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The repository (not imported from ../helpers, so the benchmark can use this without node:test). */
const ROOT = resolve(__dirname, '..', '..');

export const INFINITY_VENV = process.env.QUIPU_INFINITY_VENV || join(ROOT, '.venv-infinity');
/** The name Infinity serves the model under: its folder's path, as given to --model-id. */
export const INFINITY_MODEL_DIR = join(INFINITY_VENV, 'model');

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:40123/v1 */
  url: string;
  port: number;
  model: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `apiKey`: the server refuses requests without `Authorization: Bearer <apiKey>` (Infinity's --api-key). */
export async function startInfinity(options: { batchSize?: number; apiKey?: string } = {}): Promise<RunningServer> {
  const bin = join(INFINITY_VENV, 'bin', 'infinity_emb');
  if (!existsSync(bin) || !existsSync(join(INFINITY_MODEL_DIR, 'config.json'))) {
    throw new Error(`Infinity is not installed at ${INFINITY_VENV}: run \`bash scripts/setup-infinity.sh\` (what .ci/run does).`);
  }
  const port = await freePort();
  const args = ['v2', '--model-id', INFINITY_MODEL_DIR, '--served-model-name', 'all-MiniLM-L6-v2', '--host', '127.0.0.1', '--port', String(port), '--engine', 'torch', '--device', 'cpu', '--url-prefix', '/v1', '--no-model-warmup', '--batch-size', String(options.batchSize ?? 32), ...(options.apiKey ? ['--api-key', options.apiKey] : [])];
  const child = spawn(bin, args, { env: { ...process.env, HF_HUB_OFFLINE: '1', INFINITY_ANONYMOUS_USAGE_STATS: '0', DO_NOT_TRACK: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}/v1`;
  await waitUntilReady(child, `${url}/models`, () => log, options.apiKey);
  return { url, port, model: 'all-MiniLM-L6-v2', stop: () => stopChild(child) };
}

/** Polls the URL until it answers 200; fails at once if the server exits first. */
async function waitUntilReady(child: ChildProcess, url: string, log: () => string, apiKey?: string): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`Infinity exited (${exited}) before answering:\n${log()}`);
    try {
      const response = await fetch(url, apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : undefined);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
