/**
 * `npm run test:e2e`: Quipu in a real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3).
 *  1. packages the .vsix (`npm run package`) unless a fresh one exists;
 *  2. installs it into a throwaway code-server and drives the workbench with Playwright + Chromium
 *     through the scenarios in scenarios.ts (screenshots in test/.artifacts/e2e/);
 *  3. runs the integration suites (test/integration) in a second code-server's extension host, with
 *     the dev build loaded through the workbench URL's extensionDevelopmentPath/extensionTestsPath.
 * Ends with "N passed, N failed" on its own line; exits 1 when anything failed. code-server and
 * Chromium are stopped whatever happens (Ctrl-C included).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { IntegrationResult } from '../integration/index';
import { ensureCodeServer, installExtension, startCodeServer, workbenchUrl } from './codeServer';
import { scenarios } from './scenarios';
import { prepareTeamFixture, runTeamScenario } from './team-scenario';
import { launchBrowser, openWorkbench, screenshot } from './workbench';
import { makeTempRoot, makeTwoFolderWorkspace, makeUserDataDir, makeWorkspace, ROOT, waitForFile } from './workspace';

const ARTIFACTS = join(ROOT, 'test', '.artifacts', 'e2e');
const INTEGRATION_TIMEOUT_MS = 15 * 60_000;

interface Outcome {
  name: string;
  ok: boolean;
  error?: string;
}

const outcomes: Outcome[] = [];
const cleanups: (() => Promise<void>)[] = [];

function log(message: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  if (!(error instanceof Error)) return JSON.stringify(error);
  // Node's and tsx's own frames say nothing about the test.
  return (error.stack ?? error.message)
    .split('\n')
    .filter((line) => !/\(node:|node_modules\/tsx\//.test(line))
    .join('\n');
}

function record(name: string, error?: unknown): void {
  const text = error === undefined ? undefined : describe(error);
  outcomes.push({ name, ok: error === undefined, error: text });
  log(`${error === undefined ? 'PASS' : 'FAIL'} ${name}${text ? `\n    ${text.split('\n').slice(0, 6).join('\n    ')}` : ''}`);
}

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** The .vsix, packaged again unless it is newer than everything that goes into it. */
function ensureVsix(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(ROOT, `${pkg.name}-linux-x64-${pkg.version}.vsix`);
  const inputs = ['src', 'media', 'models', 'package.json', '.vscodeignore', 'scripts/build.mjs', 'scripts/bundle-deps.mjs'];
  const fresh = existsSync(vsix) && statSync(vsix).mtimeMs > Math.max(...inputs.map((input) => newestMtime(join(ROOT, input))));
  if (fresh && !process.env.QUIPU_E2E_REPACKAGE) {
    log(`using ${vsix} (newer than its sources)`);
    return vsix;
  }
  log('packaging: npm run package');
  const result = spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(vsix)) throw new Error(`npm run package failed (exit ${result.status ?? result.signal})`);
  return vsix;
}

function buildIntegrationSuites(): string {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-tests.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('bundling test/integration failed');
  // The dev extension loads dist/extension.js and dist/workers: `npm run package` built them.
  const entry = join(ROOT, 'dist', 'test', 'integration', 'index.js');
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build');
  return entry;
}

async function uiScenarios(vsix: string, tmp: string, browser: BrowserContext): Promise<void> {
  const userDataDir = makeUserDataDir(join(tmp, 'ui'));
  const options = { tmp: join(tmp, 'ui'), userDataDir, extensionsDir: join(tmp, 'ui', 'extensions') };
  log('installing the .vsix into code-server');
  installExtension(vsix, options);
  const server = await startCodeServer(options);
  cleanups.push(() => server.stop());
  log(`code-server (with the .vsix) on ${server.url}; log: ${server.logFile}`);
  const workspace = makeWorkspace(tmp, 'ui-workspace');
  const page = await browser.newPage();
  await withTimeout('opening the workbench', 120_000, openWorkbench(page, workbenchUrl(server, workspace)));
  const ctx = { page, workspace, artifacts: ARTIFACTS, machineSettingsFile: join(userDataDir, 'Machine', 'settings.json') };
  for (const scenario of scenarios) {
    log(`scenario: ${scenario.name}`);
    try {
      await withTimeout(scenario.name, scenario.timeoutMs, scenario.run(ctx));
      record(scenario.name);
    } catch (error) {
      record(scenario.name, error);
    } finally {
      await screenshot(page, ARTIFACTS, scenario.shot).catch((error: Error) => log(`screenshot failed: ${error.message}`));
      await scenario.after?.(ctx).catch((error: Error) => log(`tidying up after the scenario failed: ${error.message}`));
    }
  }
  await page.close();
  await server.stop();
}

/** The team index scenario, in a window of its own whose machine settings name the team index. */
async function teamWindow(vsix: string, tmp: string, browser: BrowserContext): Promise<void> {
  const name = 'Team index: asked once, base and overlay hits in one search, the status bar and report name the team index and its commit, the server stopped falls back with a warning and comes back';
  const dir = join(tmp, 'team');
  const fixture = await prepareTeamFixture(dir);
  cleanups.push(() => fixture.dispose());
  const userDataDir = makeUserDataDir(dir);
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(fixture.machineSettings, null, 2));
  const options = { tmp: dir, userDataDir, extensionsDir: join(dir, 'extensions') };
  installExtension(vsix, options);
  const server = await startCodeServer(options);
  cleanups.push(() => server.stop());
  log(`code-server (team index) on ${server.url}; log: ${server.logFile}`);
  const page = await browser.newPage();
  try {
    await withTimeout('opening the workbench (team index)', 120_000, openWorkbench(page, workbenchUrl(server, fixture.workspace)));
    log(`scenario: ${name}`);
    await withTimeout(name, 600_000, runTeamScenario(page, fixture, ARTIFACTS));
    record(name);
  } catch (error) {
    record(name, error);
  } finally {
    await screenshot(page, ARTIFACTS, '9-team-index').catch(() => undefined);
    await page.close();
    await server.stop();
  }
}

async function integrationSuites(testsEntry: string, tmp: string, browser: BrowserContext): Promise<void> {
  const dir = join(tmp, 'integration');
  const resultFile = join(dir, 'result.json');
  // No .vsix in this one: the window loads the dev build from the repository.
  const options = { tmp: dir, userDataDir: makeUserDataDir(dir), extensionsDir: join(dir, 'extensions'), env: { QUIPU_TEST_RESULT: resultFile } };
  const server = await startCodeServer(options);
  cleanups.push(() => server.stop());
  log(`code-server (dev build, integration suites) on ${server.url}; log: ${server.logFile}`);
  try {
    // One window per kind of workspace; test/integration/index.ts picks the suites for each.
    const windows = [
      { label: 'one folder', workspace: makeWorkspace(tmp, 'integration-workspace'), shot: '7-integration-window' },
      { label: 'two folders', workspace: makeTwoFolderWorkspace(join(tmp, 'integration-folders')), shot: '7b-integration-two-folders' },
    ];
    for (const window of windows) {
      // A window that came up without its workspace (seen once under load) is opened once more.
      for (let attempt = 1; ; attempt++) {
        rmSync(resultFile, { force: true });
        const page: Page = await browser.newPage();
        // The extension host's console (mocha's spec output) is forwarded to the page's console.
        const consoleLog: string[] = [];
        page.on('console', (message) => consoleLog.push(message.text()));
        let result: IntegrationResult;
        try {
          await withTimeout(
            `opening the workbench for the integration suites (${window.label})`,
            120_000,
            openWorkbench(page, workbenchUrl(server, window.workspace, { extensionPath: ROOT, testsPath: testsEntry })),
          );
          await waitForFile(resultFile, INTEGRATION_TIMEOUT_MS, `the integration suites (${window.label})`);
          result = JSON.parse(readFileSync(resultFile, 'utf8')) as IntegrationResult;
        } finally {
          writeFileSync(join(ARTIFACTS, `integration-console-${window.label.replace(/\W+/g, '-')}.log`), consoleLog.join('\n'));
          await screenshot(page, ARTIFACTS, window.shot).catch(() => undefined);
          await page.close();
        }
        if (result.noWorkspace && attempt === 1) {
          log(`the ${window.label} window opened without its workspace; opening it again`);
          continue;
        }
        for (const title of result.passed) record(`integration: ${title}`);
        for (const failure of result.failed) record(`integration: ${failure.title}`, failure.error);
        break;
      }
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const tmp = makeTempRoot();
  cleanups.push(() => Promise.resolve(rmSync(tmp, { recursive: true, force: true })));
  let browser: BrowserContext | undefined;
  try {
    // QUIPU_E2E_ONLY=integration: only the integration suites (no packaging, no UI scenarios);
    // QUIPU_E2E_ONLY=team: only the team index window.
    const only = process.env.QUIPU_E2E_ONLY;
    const uiToo = only !== 'integration';
    const vsix = uiToo ? ensureVsix() : undefined;
    ensureCodeServer();
    const testsEntry = only === 'team' ? '' : buildIntegrationSuites();
    browser = await launchBrowser(join(tmp, 'chromium-profile'));
    const opened = browser;
    cleanups.push(() => opened.close());
    if (only !== 'team') {
      try {
        if (vsix) await uiScenarios(vsix, tmp, browser);
      } catch (error) {
        record('UI scenarios: set-up', error);
      }
      try {
        await integrationSuites(testsEntry, tmp, browser);
      } catch (error) {
        record('integration suites: set-up', error);
      }
    }
    try {
      if (vsix) await teamWindow(vsix, tmp, browser);
    } catch (error) {
      record('team index window: set-up', error);
    }
  } catch (error) {
    record('e2e set-up', error);
  } finally {
    await cleanUp();
  }
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (failed.length > 0) {
    console.log(`\nFailures:`);
    for (const failure of failed) console.log(`- ${failure.name}\n    ${(failure.error ?? '').split('\n').join('\n    ')}`);
  }
  console.log(`\nScreenshots: ${ARTIFACTS}`);
  console.log(`${outcomes.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length > 0 || outcomes.length === 0 ? 1 : 0;
}

async function cleanUp(): Promise<void> {
  // Last registered first: browser, then servers, then the temp folder.
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop() as () => Promise<void>;
    await cleanup().catch((error: Error) => log(`clean-up: ${error.message}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping code-server and Chromium`);
    void cleanUp().finally(() => process.exit(130));
  });
}

void main();
