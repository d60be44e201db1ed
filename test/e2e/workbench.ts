/**
 * Driving VS Code's web workbench (code-server) with Playwright, as a person would: the command
 * palette, the quick pick, the status bar, editor tabs, and the search panel's webview. Selectors are
 * the workbench's own DOM (VS Code 1.100); they are gathered here so a workbench update touches one file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.QUIPU_CHROMIUM || '/usr/bin/chromium';

/** Headless Chromium with a fresh profile in `profileDir`. */
export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the workbench and waits until it has drawn its status bar and the workspace's explorer. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

export async function dismissOverlays(page: Page): Promise<void> {
  for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
}

function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/** The quick input's visible rows. */
export function quickPickRows(page: Page): Locator {
  return quickInput(page).locator('.monaco-list-row');
}

/** F1, the command's exact title, then a click on the row whose title is exactly that. */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  const input = quickInput(page).locator('input');
  // The palette's input can still be settling after a quick pick just closed (seen once in CI: fill
  // never took): open the palette again once before giving up.
  for (let attempt = 0; ; attempt++) {
    await dismissOverlays(page);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    try {
      await input.fill(`>${title}`, { timeout: timeoutMs });
      break;
    } catch (error) {
      if (attempt > 0) throw error;
      await page.keyboard.press('Escape');
    }
  }
  // "Quipu: Search" also matches "Quipu: Search Selection in Panel" and "Quipu: Focus on Search View".
  const row = quickPickRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await row.first().click();
}

/** Waits for an extension's quick pick (its title) to replace the palette, then types into it. */
export async function typeIntoQuickPick(page: Page, title: string, text: string, timeoutMs = 15_000): Promise<void> {
  const widget = quickInput(page);
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('input');
  await input.focus();
  await input.pressSequentially(text, { delay: 10 });
}

/**
 * The quick pick's rows once they contain a row matching `wanted` and stopped changing (results
 * follow the typing, debounced). Throws with the rows last seen after `timeoutMs`.
 */
export async function settledQuickPickRows(page: Page, wanted: RegExp, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let previous: string[] = [];
  for (;;) {
    const rows = (await quickPickRows(page).allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
    // Busy: the pick's progress bar runs while the extension searches.
    const busy = (await quickInput(page).locator('.monaco-progress-container.active').count()) > 0;
    if (!busy && rows.some((row) => wanted.test(row)) && rows.join('\n') === previous.join('\n')) return rows;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for a quick pick row matching ${wanted}; rows:\n  ${rows.slice(0, 5).join('\n  ')}`);
    previous = rows;
    await page.waitForTimeout(500);
  }
}

/** The status bar entry whose text matches (the extension's item shows "Quipu …"). */
export function statusBarItem(page: Page, text: RegExp): Locator {
  return page.locator('.part.statusbar .statusbar-item').filter({ hasText: text });
}

export async function waitForStatusBar(page: Page, text: RegExp, what: string, timeoutMs: number): Promise<string> {
  const item = statusBarItem(page, text);
  try {
    await item.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const now = (await page.locator('.part.statusbar .statusbar-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what} (status bar ${text}); it shows: ${now.join(' | ')}`);
  }
  return (await item.first().innerText()).trim();
}

/** The active editor tab's label (file name). */
export async function activeTabTitle(page: Page): Promise<string> {
  const tab = page.locator('.part.editor .tabs-container .tab.active');
  await tab.first().waitFor({ state: 'visible', timeout: 15_000 });
  return (await tab.first().locator('.label-name').first().innerText()).trim();
}

export async function waitForActiveTab(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  const tab = page.locator('.part.editor .tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
  try {
    await tab.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for the editor tab "${name}"; the active tab is "${await activeTabTitle(page).catch(() => 'none')}"`);
  }
}

export interface CursorStatus {
  line: number;
  column: number;
  /** Characters selected, when there is a selection. */
  selected?: number;
}

/** The status bar's "Ln 12, Col 1 (240 selected)" entry, parsed. */
export async function cursorStatus(page: Page): Promise<CursorStatus> {
  const text = (await page.locator('.part.statusbar [id="status.editor.selection"]').first().innerText({ timeout: 10_000 })).trim();
  const match = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(text);
  if (!match) throw new Error(`unexpected cursor status "${text}"`);
  return { line: Number(match[1]), column: Number(match[2]), selected: match[3] ? Number(match[3]) : undefined };
}

/** The text of the active editor's rendered lines (what is on screen). */
export async function visibleEditorText(page: Page): Promise<string> {
  const lines = page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines').first();
  await lines.waitFor({ state: 'visible', timeout: 15_000 });
  // Monaco renders spaces as non-breaking spaces.
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/**
 * The content of the (only) webview view, two iframes deep: the workbench's webview host frame, then
 * the frame that holds the extension's HTML.
 */
export function webviewContent(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/**
 * The rendered text of the webview (a Markdown preview, say) whose page holds `marker`. Webviews
 * live in frames two deep, and the sidebar's panel is one too, so every frame is looked at.
 */
export async function webviewTextHolding(page: Page, marker: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
      if (text.includes(marker)) return text;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for a webview that shows "${marker}"`);
    await page.waitForTimeout(250);
  }
}

export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
