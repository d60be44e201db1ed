/**
 * What a person does with Quipu in the editor, driven through the workbench's UI against the
 * installed .vsix. Scenarios run in order on one window: the first builds the index the others use.
 */
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import {
  activeTabTitle,
  cursorStatus,
  dismissOverlays,
  runCommand,
  screenshot,
  settledQuickPickRows,
  typeIntoQuickPick,
  visibleEditorText,
  waitForActiveTab,
  waitForStatusBar,
  webviewContent,
  webviewTextHolding,
} from './workbench';
import { defaultEmbedWorkers } from '../../src/core/config/config';
import { usableCores } from '../../src/core/config/cores';
import { remoteEmbedderScenario } from './remote-scenario';
import { WORKSPACE_FILES } from './workspace';

export interface ScenarioContext {
  page: Page;
  /** Absolute path of the workspace folder the window has open. */
  workspace: string;
  artifacts: string;
  /** The remote machine's settings.json (code-server's user-data folder): where machine-scoped settings live. */
  machineSettingsFile: string;
}

export interface Scenario {
  name: string;
  /** Screenshot file name (without .png) taken at the end, pass or fail. */
  shot: string;
  timeoutMs: number;
  run(ctx: ScenarioContext): Promise<void>;
  /** Tidies up after the screenshot, pass or fail, so the next scenario starts from a known window. */
  after?(ctx: ScenarioContext): Promise<void>;
}

/** A hit as the panel shows it: its file and, when the row says, its lines. */
interface PanelHit {
  path: string;
  startLine?: number;
  endLine?: number;
}

/** Every file indexed in both tiers: no "· deep N%" after the count (searches by meaning rank as they will stay). */
const IDLE_STATUS = new RegExp(`Quipu ${WORKSPACE_FILES.length} files(?! · deep)`);

/** Types a query into the panel and waits for its result rows. */
async function panelSearch(ctx: ScenarioContext, query: string): Promise<PanelHit[]> {
  const panel = webviewContent(ctx.page);
  const input = panel.locator('#query');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('');
  await input.pressSequentially(query, { delay: 5 });
  await input.press('Enter');
  const hits = panel.locator('.hit');
  await hits.first().waitFor({ state: 'visible', timeout: 30_000 });
  // The panel re-renders as typing settles: read the rows once they stop changing.
  let rows: { path: string | null; key: string | null; location: string }[] = [];
  let previous = '';
  for (let i = 0; i < 20; i++) {
    rows = [];
    for (const hit of await hits.all()) {
      const location = hit.locator('.location');
      rows.push({
        path: await hit.getAttribute('data-path'),
        key: await hit.getAttribute('data-key'),
        location: (await location.count()) > 0 ? ((await location.first().textContent()) ?? '') : '',
      });
    }
    const now = JSON.stringify(rows);
    if (now === previous) break;
    previous = now;
    await ctx.page.waitForTimeout(250);
  }
  const root = `file://${ctx.workspace}/`;
  return rows.map((row) => {
    // data-path (the contract) or data-key ("<file uri>#<start>-<end>", what the panel renders).
    const [uri, range] = (row.key ?? '').split('#');
    const path = row.path ?? decodeURIComponent(uri.startsWith(root) ? uri.slice(root.length) : uri);
    const lines = /^(\d+)-(\d+)$/.exec(range ?? '') ?? /(\d+)\s*[–-]\s*(\d+)/.exec(row.location);
    return { path, startLine: lines ? Number(lines[1]) : undefined, endLine: lines ? Number(lines[2]) : undefined };
  });
}

/** The editor shows `name` with a selection starting on `startLine` (status bar "Ln x, Col y (n selected)"). */
async function assertEditorAt(page: Page, name: string, startLine: number | undefined, expectText: RegExp): Promise<void> {
  await waitForActiveTab(page, name);
  const cursor = await cursorStatus(page);
  assert.ok(cursor.selected !== undefined && cursor.selected > 0, `expected the hit's lines selected, status bar says Ln ${cursor.line}, Col ${cursor.column}`);
  // The selection runs from the hit's first line to its last; the cursor sits at its end.
  if (startLine !== undefined) assert.ok(cursor.line >= startLine, `cursor on line ${cursor.line}, before the hit's first line ${startLine}`);
  const text = await visibleEditorText(page);
  assert.match(text, expectText, `the editor does not show the hit; it shows:\n${text.slice(0, 400)}`);
}

export const scenarios: Scenario[] = [
  {
    name: 'Command Palette → "Quipu: Index Workspace" indexes the workspace; the status bar counts its files',
    shot: '1-indexed',
    timeoutMs: 300_000,
    async run({ page }) {
      await waitForStatusBar(page, /Quipu/, 'the Quipu status bar item', 60_000);
      await runCommand(page, 'Quipu: Index Workspace');
      const text = await waitForStatusBar(page, IDLE_STATUS, 'indexing to finish, the deep tier included', 240_000);
      assert.match(text, IDLE_STATUS);
    },
  },
  {
    name: 'Search panel: a query with no shared keyword finds password.ts; clicking the hit opens it at its lines',
    shot: '2-panel-hit-opened',
    timeoutMs: 120_000,
    async run(ctx) {
      const { page } = ctx;
      await dismissOverlays(page);
      await page.locator('.part.activitybar .action-item a[aria-label^="Quipu"]').first().click();
      const hits = await panelSearch(ctx, 'keep user credentials safe before saving them');
      assert.equal(hits[0]?.path, 'src/auth/password.ts', `panel hits: ${hits.map((h) => h.path).join(', ')}`);
      await screenshot(page, ctx.artifacts, '2-panel-results');
      await webviewContent(page).locator('.hit').first().click();
      await assertEditorAt(page, 'password.ts', hits[0].startLine, /scrypt|salt|password/i);
    },
  },
  {
    name: 'Quick pick: "Quipu: Search", type, results appear, Enter opens retry.ts at the hit',
    shot: '3-quick-pick-opened',
    timeoutMs: 120_000,
    async run(ctx) {
      const { page } = ctx;
      await runCommand(page, 'Quipu: Search');
      await typeIntoQuickPick(page, 'Quipu: Search', 'wait longer after each failed attempt');
      const rows = await settledQuickPickRows(page, /retry\.ts/);
      assert.match(rows[0] ?? '', /src\/net\/retry\.ts/, `first row: ${rows[0]}`);
      await screenshot(page, ctx.artifacts, '3-quick-pick-results');
      const lines = /lines? (\d+)(?:\s*[–-]\s*(\d+))?/.exec(rows[0]);
      await page.keyboard.press('Enter');
      await assertEditorAt(page, 'retry.ts', lines ? Number(lines[1]) : undefined, /retry|attempt|delay/i);
      assert.equal(await activeTabTitle(page), 'retry.ts');
    },
  },
  {
    name: 'A PDF hit opens as readable text, not bytes',
    shot: '4-pdf-as-text',
    timeoutMs: 120_000,
    async run(ctx) {
      const { page } = ctx;
      await runCommand(page, 'Quipu: Search');
      await typeIntoQuickPick(page, 'Quipu: Search', 'electricity from sunlight on the roof');
      const rows = await settledQuickPickRows(page, /solar-guide\.pdf/);
      assert.match(rows[0] ?? '', /docs\/solar-guide\.pdf/, `first row: ${rows[0]}`);
      await page.keyboard.press('Enter');
      await waitForActiveTab(page, 'solar-guide.pdf');
      const text = await visibleEditorText(page);
      assert.match(text, /photovoltaic|sunlight|solar/i, `the PDF tab shows:\n${text.slice(0, 300)}`);
      assert.doesNotMatch(text, /%PDF-|endobj|\bstream\b/, 'the PDF opened as raw bytes');
    },
  },
  {
    name: '"Quipu: Show Index Status" shows a rendered report of the folder\'s files, chunks and model, and the workers indexing uses',
    shot: '5-index-status',
    timeoutMs: 60_000,
    async run(ctx) {
      const { page } = ctx;
      await runCommand(page, 'Quipu: Show Index Status');
      await waitForActiveTab(page, 'Preview Quipu Index Status.md');
      // The Markdown preview renders the report: headings and table cells, no pipes or asterisks.
      const text = await webviewTextHolding(page, 'Quipu index status');
      assert.doesNotMatch(text, /\|---|\*\*ready\*\*/, `the report is not rendered:\n${text.slice(0, 600)}`);
      assert.match(text, new RegExp(`Files\\s+${WORKSPACE_FILES.length}\\n`), `the report says:\n${text.slice(0, 600)}`);
      assert.match(text, /Chunks\s+[1-9]\d*\n/);
      assert.match(text, /all-MiniLM-L6-v2/);
      // The default follows the cores the extension host may use (defaultEmbedWorkers).
      const cores = usableCores();
      const workers = defaultEmbedWorkers(cores);
      const sentence = `Indexing with ${workers} embedding worker${workers === 1 ? '' : 's'} × 1 ONNX thread, 1 chunk per model call, with ${cores} core${cores === 1 ? '' : 's'} to use`;
      assert.ok(text.replace(/\s+/g, ' ').includes(sentence), `the report says:\n${text.slice(0, 600)}`);
    },
    // Later scenarios find the search panel as the only webview.
    async after(ctx) {
      await runCommand(ctx.page, 'View: Close Editor');
    },
  },
  {
    name: 'Typing new content into a file and saving makes it findable',
    shot: '6-edited-and-found',
    timeoutMs: 240_000,
    async run(ctx) {
      const { page } = ctx;
      await dismissOverlays(page);
      // Quick Open the file, replace its text by typing, save.
      await page.keyboard.press('Control+P');
      const quickOpen = page.locator('.quick-input-widget input');
      await quickOpen.waitFor({ state: 'visible', timeout: 15_000 });
      await quickOpen.fill('pasta.txt');
      await settledQuickPickRows(page, /pasta\.txt/, 15_000);
      await page.keyboard.press('Enter');
      await waitForActiveTab(page, 'pasta.txt');
      await page.locator('.part.editor .editor-group-container.active .monaco-editor textarea').first().focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(
        'The lighthouse keeper trimmed the wick and polished the great lens every evening, so that ships far out at sea could see the beam and steer clear of the reef.',
        { delay: 2 },
      );
      await page.keyboard.press('Control+S');
      await page.locator('.part.editor .tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 15_000 });

      // The watcher re-indexes the saved file: search (no keyword shared with the new text) until a
      // top-3 row shows it, then pick that row with the arrow keys and Enter.
      const query = 'warning sailors away from dangerous rocks at night';
      const deadline = Date.now() + 150_000;
      let rows: string[] = [];
      let index = -1;
      for (;;) {
        await runCommand(page, 'Quipu: Search');
        await typeIntoQuickPick(page, 'Quipu: Search', query);
        rows = await settledQuickPickRows(page, /./);
        index = rows.slice(0, 3).findIndex((row) => /notes\/pasta\.txt/.test(row) && /lighthouse/i.test(row));
        if (index >= 0) break;
        if (Date.now() > deadline) throw new Error(`the edited file's new text is not in the top 3 results; rows:\n  ${rows.slice(0, 5).join('\n  ')}`);
        await dismissOverlays(page);
        await page.waitForTimeout(2_000);
      }
      await screenshot(page, ctx.artifacts, '6-edited-found-in-quick-pick');
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await assertEditorAt(page, 'pasta.txt', 1, /lighthouse/i);
      await waitForStatusBar(page, IDLE_STATUS, 'the index to settle', 60_000);
    },
  },
  remoteEmbedderScenario,
];
