/**
 * A team index in the editor, against a real Chroma server behind a door that wants the team token
 * (test/servers/token-proxy.ts): the fixture workspace is published as the team's base with the CLI;
 * the window opens a developer's copy that differs (a file edited, one added, one deleted), and the
 * machine's settings name the team index. The token goes into VS Code's secret storage ("Quipu: Set
 * Team Index Token"); Quipu asks once before using the server, naming it; searches return base hits
 * the folder's own (overlay) index lacks and overlay hits the base lacks; the status bar names the
 * team index and its commit; the server stopped, it warns and searches the local changes; started
 * again, the team index is back. Its own code-server window: the machine settings are set before the
 * window opens, as a user's would be.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startChroma, type RunningChroma } from '../servers/chroma';
import { startTokenProxy, type TokenProxy } from '../servers/token-proxy';
import { runCommand, screenshot, settledQuickPickRows, statusBarItem, typeIntoQuickPick, waitForStatusBar, webviewTextHolding } from './workbench';
import { makeWorkspace, ROOT } from './workspace';

export const TEAM_COLLECTION = 'e2e-team';
const TOKEN = 'e2e-team-token';
const COMMIT = 'c0ffee1234567';

export interface TeamFixture {
  chroma: RunningChroma;
  door: TokenProxy;
  /** The developer's folder the window opens. */
  workspace: string;
  /** What goes into <userDataDir>/Machine/settings.json. */
  machineSettings: Record<string, string>;
  dispose(): Promise<void>;
}

/** Chroma, the door, the published base and the developer's folder. */
export async function prepareTeamFixture(tmp: string): Promise<TeamFixture> {
  const chroma = await startChroma();
  const door = await startTokenProxy(chroma.port, TOKEN);
  const base = makeWorkspace(tmp, 'team-base');
  const indexDir = join(tmp, 'team-base-index');
  mkdirSync(indexDir, { recursive: true });
  // Not spawnSync: the door runs in this process and must answer the CLI meanwhile.
  await publish([join(ROOT, 'bin', 'quipu.js'), 'index', base, '--index-dir', indexDir, '--store', door.url, '--collection', TEAM_COLLECTION, '--commit', COMMIT], { ...process.env, QUIPU_TEAM_TOKEN: TOKEN, QUIPU_VECTOR_CACHE: 'off' });
  const workspace = makeWorkspace(tmp, 'team-dev');
  appendFileSync(join(workspace, 'src/net/retry.ts'), '\n/** Sends the quokka telemetry beacon to the lighthouse. */\nexport function sendQuokkaBeacon(): void {\n  console.log("beacon");\n}\n');
  writeFileSync(join(workspace, 'src/flasher.ts'), '/** Flashes zebra firmware onto the board over a serial line. */\nexport function flashZebraFirmware(port: string): void {\n  console.log(port);\n}\n');
  rmSync(join(workspace, 'notes/pasta.txt'));
  return {
    chroma,
    door,
    workspace,
    machineSettings: { 'quipu.teamIndex.url': door.url, 'quipu.teamIndex.collection': TEAM_COLLECTION },
    dispose: async () => {
      await door.close();
      await chroma.dispose();
    },
  };
}

function publish(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`publishing the team base failed (${code}): ${stderr}`))));
  });
}

async function quickSearch(page: Page, query: string, wanted: RegExp): Promise<string[]> {
  await runCommand(page, 'Quipu: Search');
  await typeIntoQuickPick(page, 'Quipu: Search', query);
  const rows = await settledQuickPickRows(page, wanted, 60_000);
  await page.keyboard.press('Escape');
  return rows;
}

async function tooltipOf(page: Page, item: ReturnType<typeof statusBarItem>): Promise<string> {
  await item.first().hover();
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Quipu' });
  await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
  const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
  await page.mouse.move(700, 300);
  return text;
}

export async function runTeamScenario(page: Page, fixture: TeamFixture, artifacts: string): Promise<void> {
  const { door, chroma } = fixture;
  await waitForStatusBar(page, /Quipu/, 'the Quipu status bar item', 60_000);

  // The token into secret storage, before anything is asked of the server.
  await runCommand(page, 'Quipu: Set Team Index Token');
  const input = page.locator('.quick-input-widget input[type="password"]');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.pressSequentially(TOKEN, { delay: 5 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 15_000 });

  // First use: asked once, naming the server; then the overlay is indexed (only what differs).
  await runCommand(page, 'Quipu: Index Workspace');
  const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'Quipu will search the team index' });
  await dialog.waitFor({ state: 'visible', timeout: 120_000 });
  const asked = await dialog.innerText();
  assert.ok(asked.includes(door.url) && asked.includes(TEAM_COLLECTION), `the dialog says: ${asked}`);
  await screenshot(page, artifacts, '9a-team-index-asked');
  await dialog.getByRole('button', { name: 'Allow' }).click();
  const teamStatus = new RegExp(`Quipu team ${TEAM_COLLECTION} @ ${COMMIT.slice(0, 7)}`);
  await waitForStatusBar(page, teamStatus, 'the status bar to name the team index', 240_000);
  const tooltip = await tooltipOf(page, statusBarItem(page, teamStatus));
  assert.ok(tooltip.includes(`Searches use the team index ${TEAM_COLLECTION} at ${door.url}, commit ${COMMIT.slice(0, 12)}`), `the tooltip says: ${tooltip}`);
  assert.match(tooltip, /plus 2 file\(s\) changed here/);
  await screenshot(page, artifacts, '9b-team-status-bar');

  // A base hit the folder's own index does not hold (deploy.md is unchanged, so not in the overlay),
  // and an overlay hit the base lacks (flasher.ts was added here).
  const fromBase = await quickSearch(page, 'deploy the service to production', /deploy\.md/);
  assert.match(fromBase[0] ?? '', /docs\/deploy\.md/, `first row: ${fromBase[0]}`);
  const fromOverlay = await quickSearch(page, 'flash firmware onto a board', /flasher\.ts/);
  assert.match(fromOverlay[0] ?? '', /src\/flasher\.ts/, `first row: ${fromOverlay[0]}`);
  const deleted = await quickSearch(page, 'cook pasta al dente in salted water', /\S/);
  assert.ok(!deleted.some((row) => /pasta\.txt/.test(row)), `a file deleted here is not found: ${deleted.join(' | ')}`);

  // The report says which team index and how fresh.
  await runCommand(page, 'Quipu: Show Index Status');
  const report = (await webviewTextHolding(page, 'Team index')).replace(/\s+/g, ' ');
  assert.ok(report.includes(`Searches use the team index ${TEAM_COLLECTION} at ${door.url}`), `the report says: ${report.slice(0, 800)}`);
  assert.ok(report.includes(`Commit indexed ${COMMIT}`), `the report says: ${report.slice(0, 800)}`);
  assert.ok(!report.includes(TOKEN), 'the report shows the token');
  await runCommand(page, 'View: Close Editor').catch(() => undefined);

  // The server stops: a warning (once), the status bar says local only, the overlay still answers.
  await chroma.stop();
  const offline = await quickSearch(page, 'flash firmware onto a board', /flasher\.ts/);
  assert.match(offline[0] ?? '', /src\/flasher\.ts/);
  const warning = statusBarItem(page, new RegExp(`Quipu team ${TEAM_COLLECTION}: local only`));
  await warning.first().waitFor({ state: 'visible', timeout: 30_000 });
  const toast = page.locator('.notification-toast').filter({ hasText: 'does not answer' });
  await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
  const offlineTip = await tooltipOf(page, warning);
  assert.match(offlineTip, /does not answer.*local changes/, `the tooltip says: ${offlineTip}`);
  await screenshot(page, artifacts, '9c-team-server-down');
  const stillLocal = await quickSearch(page, 'deploy the service to production', /\S/);
  assert.ok(!stillLocal.some((row) => /deploy\.md/.test(row)), `base hits while the server is down: ${stillLocal.join(' | ')}`);

  // Back: the next search uses the team index again, and the status bar says so.
  await chroma.start();
  const back = await quickSearch(page, 'deploy the service to production', /deploy\.md/);
  assert.match(back[0] ?? '', /docs\/deploy\.md/);
  await waitForStatusBar(page, teamStatus, 'the status bar to name the team index again', 30_000);
  assert.equal(door.refused, 0, 'every request to the server carried the token');
}
