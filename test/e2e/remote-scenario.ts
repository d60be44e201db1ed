/**
 * The user points Quipu at an embedding server of their own (Infinity, a real one, started here
 * with an API key): Quipu asks once before sending code there, naming the endpoint; the status bar
 * shows a cloud and the status report says where embeddings are computed; the key comes from VS
 * Code's secret storage ("Quipu: Set Embedding API Key"), and without it the run stops with the
 * endpoint's refusal. Runs last: it changes the user's settings and rebuilds the index.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startInfinity, type RunningServer } from '../servers/infinity';
import type { Scenario } from './scenarios';
import { runCommand, screenshot, settledQuickPickRows, statusBarItem, typeIntoQuickPick, waitForStatusBar, webviewTextHolding } from './workbench';
import { WORKSPACE_FILES } from './workspace';

let server: RunningServer | undefined;
let settingsBefore: string | undefined;

export const remoteEmbedderScenario: Scenario = {
  name: 'Remote embeddings: Quipu asks before sending code to the endpoint, names it in the status bar and report, takes the API key from secret storage, and search works',
  shot: '8-remote-embeddings',
  timeoutMs: 600_000,
  async run(ctx) {
    const { page } = ctx;
    const apiKey = `quipu-e2e-${randomBytes(8).toString('hex')}`;
    server = await startInfinity({ apiKey });

    // The machine's settings (never the workspace's): the endpoint and its model, no key. They are
    // machine-scoped, so in a remote window (code-server, Remote-SSH, WSL) they are the remote's.
    settingsBefore = existsSync(ctx.machineSettingsFile) ? readFileSync(ctx.machineSettingsFile, 'utf8') : '{}';
    const settings = JSON.parse(settingsBefore) as Record<string, unknown>;
    mkdirSync(dirname(ctx.machineSettingsFile), { recursive: true });
    writeFileSync(ctx.machineSettingsFile, JSON.stringify({ ...settings, 'quipu.embedder.url': server.url, 'quipu.embedder.model': server.model }, null, 2));

    // Asked once, naming the endpoint, before any text is sent there; and told the index must be
    // rebuilt for the new model. Which comes first depends on what touches the engine first.
    const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'Quipu will send the text' });
    const rebuild = page.locator('.notification-toast').filter({ hasText: 'must be rebuilt' }).getByRole('button', { name: 'Rebuild Now' });
    let allowed = false;
    let rebuilt = false;
    const deadline = Date.now() + 120_000;
    while (!allowed || !rebuilt) {
      if (Date.now() > deadline) throw new Error(`Timed out: the endpoint was ${allowed ? '' : 'not '}asked about, the rebuild ${rebuilt ? '' : 'not '}offered`);
      if (!allowed && (await dialog.isVisible())) {
        assert.ok((await dialog.innerText()).includes(server.url), `the dialog says: ${await dialog.innerText()}`);
        await screenshot(page, ctx.artifacts, '8a-remote-endpoint-asked');
        await dialog.getByRole('button', { name: 'Allow' }).click();
        allowed = true;
      } else if (!rebuilt && !(await dialog.isVisible()) && (await rebuild.isVisible())) {
        await rebuild.click();
        rebuilt = true;
      } else await page.waitForTimeout(250);
    }

    // No key yet: the endpoint refuses, the run stops and says so; the cloud shows where it went.
    const warning = statusBarItem(page, /Quipu/).filter({ has: page.locator('.codicon-warning') }).filter({ has: page.locator('.codicon-cloud') });
    await warning.first().waitFor({ state: 'visible', timeout: 120_000 });

    // The key, typed into VS Code's password box, kept in its secret storage; the run goes on with it.
    await runCommand(page, 'Quipu: Set Embedding API Key');
    const input = page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.pressSequentially(apiKey, { delay: 5 });
    await page.keyboard.press('Enter');
    const ready = statusBarItem(page, new RegExp(`Quipu ${WORKSPACE_FILES.length} files`)).filter({ has: page.locator('.codicon-cloud') });
    await ready.first().waitFor({ state: 'visible', timeout: 240_000 });
    await waitForStatusBar(page, new RegExp(`Quipu ${WORKSPACE_FILES.length} files`), 'the remote index to settle', 30_000);

    // Search with vectors from the server: the same file first as with the bundled model.
    await runCommand(page, 'Quipu: Search');
    await typeIntoQuickPick(page, 'Quipu: Search', 'keep user credentials safe before saving them');
    const rows = await settledQuickPickRows(page, /password\.ts/);
    assert.match(rows[0] ?? '', /src\/auth\/password\.ts/, `first row: ${rows[0]}`);
    await page.keyboard.press('Escape');

    // The report names the endpoint and the model, never the key.
    await runCommand(page, 'Quipu: Show Index Status');
    const report = (await webviewTextHolding(page, 'Quipu index status')).replace(/\s+/g, ' ');
    assert.ok(report.includes(`Embeddings computed at ${server.url}`), `the report says: ${report.slice(0, 800)}`);
    assert.ok(report.includes(`Embeddings are computed at ${server.url} (model ${server.model})`), `the report says: ${report.slice(0, 800)}`);
    assert.ok(!/embedding workers? ×/.test(report), 'the report describes the local workers, which do not embed');
    assert.ok(!report.includes(apiKey), 'the report shows the API key');
  },
  async after(ctx) {
    await runCommand(ctx.page, 'View: Close Editor').catch(() => undefined);
    if (settingsBefore !== undefined) writeFileSync(ctx.machineSettingsFile, settingsBefore);
    await server?.stop();
  },
};
