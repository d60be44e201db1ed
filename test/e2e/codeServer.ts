/**
 * code-server (VS Code 1.100's workbench and extension host, on Node 20) for the real-editor tests
 * and `npm run dev:web`: installed by scripts/install-code-server.sh into .vscode-test/code-server,
 * run with throwaway HOME/XDG/user-data/extensions folders on a free 127.0.0.1 port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './workspace';

export const CODE_SERVER_DIR = process.env.QUIPU_CODE_SERVER_DIR || join(ROOT, '.vscode-test', 'code-server');
const ENTRY = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export interface CodeServer {
  url: string;
  port: number;
  /** Where code-server's stdout and stderr go. */
  logFile: string;
  userDataDir: string;
  /** Ends code-server's process group (extension hosts included); safe to call twice. */
  stop: () => Promise<void>;
}

export interface CodeServerOptions {
  /** A temporary folder for home and XDG folders, the index cache and the log. */
  tmp: string;
  userDataDir: string;
  extensionsDir: string;
  /** Extra environment for the server and its extension hosts. */
  env?: Record<string, string>;
}

/** Installs code-server if it is missing (idempotent; 1–2 min the first time). */
export function ensureCodeServer(): void {
  if (existsSync(ENTRY)) return;
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-code-server.sh')], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(ENTRY)) throw new Error(`code-server is not installed in ${CODE_SERVER_DIR}; run scripts/install-code-server.sh`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isolatedEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = join(tmp, 'home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    // Quipu's index cache and anything else that honours these stay inside tmp.
    QUIPU_INDEX_HOME: join(tmp, 'indexes'),
    ...extra,
  };
  // A parent's code-server session (e.g. running inside code-server) must not leak in.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  for (const dir of [env.HOME, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME]) mkdirSync(dir as string, { recursive: true });
  return env;
}

/** `code-server --install-extension file.vsix` into the given extensions folder. */
export function installExtension(vsix: string, options: CodeServerOptions): void {
  const result = spawnSync(
    process.execPath,
    [ENTRY, '--user-data-dir', options.userDataDir, '--extensions-dir', options.extensionsDir, '--install-extension', vsix],
    { env: isolatedEnv(options.tmp, options.env), encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
}

/** Starts code-server and resolves once it answers on /healthz. */
export async function startCodeServer(options: CodeServerOptions, timeoutMs = 60_000): Promise<CodeServer> {
  const port = await freePort();
  const logFile = join(options.tmp, `code-server-${port}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ENTRY,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      options.userDataDir,
      '--extensions-dir',
      options.extensionsDir,
    ],
    // Its own process group, so stop() ends the extension hosts and watchers it forks as well.
    { env: isolatedEnv(options.tmp, options.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await gone;
      clearTimeout(timer);
    }
    log.end();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server ${exited} before it answered; see ${logFile}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url}/healthz within ${timeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, port, logFile, userDataDir: options.userDataDir, stop };
}

/**
 * The workbench URL for a folder, or for a multi-root workspace (a `.code-workspace` file). With `development`, the window loads the extension from
 * `extensionDevelopmentPath` and runs `extensionTestsPath`'s `run()` in its extension host: the web
 * workbench takes the desktop's CLI flags in its `payload` query parameter.
 */
export function workbenchUrl(server: CodeServer, folder: string, development?: { extensionPath: string; testsPath?: string }): string {
  const params = new URLSearchParams(folder.endsWith('.code-workspace') ? { workspace: folder } : { folder });
  if (development) {
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload: [string, string][] = [['extensionDevelopmentPath', remote(development.extensionPath)]];
    if (development.testsPath) payload.push(['extensionTestsPath', remote(development.testsPath)]);
    params.set('payload', JSON.stringify(payload));
  }
  return `${server.url}/?${params.toString()}`;
}
