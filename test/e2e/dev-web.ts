/**
 * `npm run dev:web [folder]`: try the dev build in a browser. Starts code-server with the extension
 * loaded from this repository (extensionDevelopmentPath in the workbench URL) and prints the URL.
 * Settings and the index persist in .vscode-test/dev-web; without a folder, a copy of the fixture
 * workspace is opened. Ctrl-C stops it. Run `npm run build` again after changing the sources, then
 * reload the browser tab.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureCodeServer, startCodeServer, workbenchUrl } from './codeServer';
import { makeUserDataDir, makeWorkspace, ROOT, USER_SETTINGS } from './workspace';

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  ensureCodeServer();
  const home = join(ROOT, '.vscode-test', 'dev-web');
  mkdirSync(home, { recursive: true });
  const folder = process.argv[2] ? resolve(process.argv[2]) : existsSync(join(home, 'workspace')) ? join(home, 'workspace') : makeWorkspace(home);
  const userDataDir = existsSync(join(home, 'user-data')) ? join(home, 'user-data') : makeUserDataDir(home, { ...USER_SETTINGS, 'quipu.autoIndex': true });
  const server = await startCodeServer({ tmp: home, userDataDir, extensionsDir: join(home, 'extensions') });
  console.log(`code-server is up (log: ${server.logFile}). Open:\n\n  ${workbenchUrl(server, folder, { extensionPath: ROOT })}\n\nCtrl-C stops it.`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
