/**
 * `npm run test:vscode`: the integration suites in a real VS Code downloaded by @vscode/test-electron
 * (needs a network and a display, or xvfb-run). Where VS Code cannot be downloaded, `npm run test:e2e`
 * runs the same suites in code-server's extension host.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeTempRoot, makeUserDataDir, makeWorkspace, ROOT } from '../e2e/workspace';

async function main(): Promise<void> {
  const tmp = makeTempRoot('quipu-vscode-');
  try {
    const workspace = makeWorkspace(tmp);
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(ROOT, 'dist', 'test', 'integration', 'index.js'),
      launchArgs: [
        workspace,
        '--user-data-dir',
        makeUserDataDir(tmp),
        '--extensions-dir',
        join(tmp, 'extensions'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
