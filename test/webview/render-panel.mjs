// Renders the search panel's webview for real, without VS Code: a static page with the same CSP as
// the extension's, a stub `acquireVsCodeApi` that answers searches with fake results, and VS Code's
// theme variables. Headless Chromium types, clicks and presses keys; the script asserts what the
// panel sends and shows, and saves screenshots to test/.artifacts/panel-*.png.
//
// Run: npm run test:webview (builds first). Needs /usr/bin/chromium (or CHROMIUM=/path/to/chrome).
/* global document, window, getComputedStyle, URLSearchParams, CSSTransition */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;
const ARTIFACTS = join(ROOT, 'test', '.artifacts');
const NONCE = 'stub-nonce';

// ---- Fake data ---------------------------------------------------------------------------------

const EVIL = '<img src=x onerror=alert(1)> <img src=x onerror="window.__xss=(window.__xss||0)+1"><script>window.__xss=(window.__xss||0)+1</script>';
const GROUPS = [
  {
    folderName: 'shop',
    uri: 'file:///work/shop/src/auth/password.ts',
    path: 'src/auth/password.ts',
    kind: 'text',
    results: [
      {
        startLine: 12,
        snippetStartLine: 12,
        endLine: 38,
        score: 0.8123,
        symbol: 'hashPassword',
        snippet: '  /** Hashes a password with a fresh salt before it is saved. */\n  export async function hashPassword(password: string): Promise<string> {\n    const salt = randomBytes(16);\n    const hash = await scrypt(password, salt, 64);\n    return `${salt.toString("hex")}:${hash.toString("hex")}`;\n  }\n…',
      },
      {
        startLine: 40,
        snippetStartLine: 40,
        endLine: 61,
        score: 0.7431,
        snippet: 'export async function verifyPassword(password: string, stored: string): Promise<boolean> {\n  const [salt, hash] = stored.split(":");\n  return timingSafeEqual(Buffer.from(hash, "hex"), await scrypt(password, salt, 64));\n}',
      },
    ],
  },
  {
    folderName: 'shop',
    uri: 'file:///work/shop/docs/security.md',
    path: 'docs/security.md',
    kind: 'text',
    results: [
      { startLine: 3, snippetStartLine: 3, endLine: 19, score: 0.7012, snippet: '## Storing credentials\n\nPasswords are never stored in clear text: we hash them with scrypt\nand a per-user salt, then compare hashes in constant time.' },
    ],
  },
  {
    folderName: 'shop',
    uri: 'file:///work/shop/test/fixtures/evil.html',
    path: 'test/fixtures/evil.html',
    kind: 'text',
    results: [{ startLine: 1, snippetStartLine: 1, endLine: 4, score: 0.6655, snippet: `<p>password reset page</p>\n${EVIL}\n<script>alert("hashed")</script>` }],
  },
  {
    folderName: 'shop',
    uri: 'file:///work/shop/docs/Threat%20Model.pdf',
    path: 'docs/Threat Model.pdf',
    kind: 'pdf',
    results: [{ startLine: 120, snippetStartLine: 120, endLine: 141, page: 3, score: 0.6234, snippet: 'T3. Credential theft. An attacker who reads the user table learns\nnothing: each password is hashed with its own salt.' }],
  },
  {
    folderName: 'shop',
    uri: 'file:///work/shop/notes/Onboarding.docx',
    path: 'notes/Onboarding.docx',
    kind: 'docx',
    results: [{ startLine: 55, snippetStartLine: 55, endLine: 70, score: 0.5512, snippet: 'Never log passwords or password hashes; the logger redacts fields named "password".' }],
  },
];

const STATES = {
  ready: { phase: 'ready', files: 412, chunks: 3904 },
  indexing: { phase: 'indexing', files: 120, chunks: 1310, progress: { filesDone: 120, filesTotal: 400, chunksPerSecond: 35.2, etaSeconds: 75, currentFile: 'src/orders/checkout.ts' } },
  paused: { phase: 'paused', files: 120, chunks: 1310, progress: { filesDone: 120, filesTotal: 400, chunksPerSecond: 0 } },
  error: { phase: 'error', files: 412, chunks: 3904, message: 'The index could not be written: the disk is full (ENOSPC).' },
  'not-indexed': { phase: 'not-indexed', files: 0, chunks: 0 },
  untrusted: { phase: 'untrusted', files: 0, chunks: 0 },
  'no-folder': { phase: 'no-folder', files: 0, chunks: 0 },
};

// ---- Themes: VS Code's Dark Modern, Light Modern and High Contrast colors --------------------------

const COMMON = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '13px',
  'editor-font-weight': 'normal',
};
const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    colors: {
      foreground: '#cccccc', 'sideBar-background': '#181818', descriptionForeground: '#9d9d9d', 'icon-foreground': '#cccccc', focusBorder: '#0078d4',
      'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
      'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)', 'inputOption-activeBorder': '#2488db', 'inputOption-activeForeground': '#ffffff',
      'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
      'button-border': 'rgba(255, 255, 255, 0.07)', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
      'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'progressBar-background': '#0078d4', errorForeground: '#f85149',
      'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-inactiveSelectionBackground': '#37373d',
      'list-focusOutline': '#0078d4', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'tree-indentGuidesStroke': '#585858',
      'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)', 'scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)', 'scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    colors: {
      foreground: '#3b3b3b', 'sideBar-background': '#f8f8f8', descriptionForeground: '#717171', 'icon-foreground': '#3b3b3b', focusBorder: '#005fb8',
      'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
      'inputOption-activeBackground': '#bed6ed', 'inputOption-activeBorder': '#005fb8', 'inputOption-activeForeground': '#000000',
      'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
      'button-border': 'rgba(0, 0, 0, 0.1)', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
      'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8', 'progressBar-background': '#005fb8', errorForeground: '#f85149',
      'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-inactiveSelectionBackground': '#e4e6f1',
      'list-focusOutline': '#005fb8', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'tree-indentGuidesStroke': '#a9a9a9',
      'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)', 'scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)', 'scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    colors: {
      foreground: '#ffffff', 'sideBar-background': '#000000', descriptionForeground: 'rgba(255, 255, 255, 0.7)', 'icon-foreground': '#ffffff', focusBorder: '#f38518',
      contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', 'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
      'input-placeholderForeground': 'rgba(255, 255, 255, 0.7)', 'inputOption-activeBorder': '#6fc3df', 'inputOption-activeForeground': '#ffffff',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff',
      'progressBar-background': '#6fc3df', errorForeground: '#f48771', 'list-focusOutline': '#f38518', 'badge-background': '#000000', 'badge-foreground': '#ffffff',
      'tree-indentGuidesStroke': '#a9a9a9', 'editor-findMatchHighlightBorder': '#f38518', 'scrollbarSlider-background': 'rgba(111, 195, 223, 0.6)',
    },
  },
};

function themeCss(theme) {
  const vars = Object.entries({ ...COMMON, ...THEMES[theme].colors })
    .map(([name, value]) => `  --vscode-${name}: ${value};`)
    .join('\n');
  // What VS Code puts in every webview: the theme variables and a few default styles.
  return `:root {\n${vars}\n}
html { background: var(--vscode-sideBar-background); scrollbar-color: var(--vscode-scrollbarSlider-background) transparent; }
body { background-color: transparent; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-weight: var(--vscode-font-weight); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }
a, a code { color: var(--vscode-textLink-foreground); }
::-webkit-scrollbar { width: 10px; height: 10px; }
::-webkit-scrollbar-thumb { background-color: var(--vscode-scrollbarSlider-background); }
::-webkit-scrollbar-thumb:hover { background-color: var(--vscode-scrollbarSlider-hoverBackground); }
`;
}

// ---- The stub of VS Code's webview API -------------------------------------------------------------

function stubScript() {
  return `'use strict';
(() => {
  const params = new URLSearchParams(location.search);
  const GROUPS = ${JSON.stringify(GROUPS)};
  const STATES = ${JSON.stringify(STATES)};
  window.__posted = [];
  window.__csp = [];
  window.__savedState = params.has('saved') ? JSON.parse(params.get('saved')) : undefined;
  window.__indexState = STATES[params.get('phase') || 'ready'];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  // VS Code delivers messages asynchronously.
  const send = (data, delay = 0) => setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data })), delay);
  window.__send = send;
  // Answers to queries starting "slow" wait here until the test releases them: an answer that comes
  // after a newer one, whatever the machine's speed.
  window.__held = [];
  window.__releaseHeld = () => {
    const held = window.__held.splice(0);
    for (const data of held) window.dispatchEvent(new MessageEvent('message', { data }));
    return held.length;
  };
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage(message) {
        window.__posted.push(JSON.parse(JSON.stringify(message)));
        if (message.type === 'ready') send({ type: 'state', state: window.__indexState });
        if (message.type === 'search') {
          const { query, types } = message.intent;
          const base = { type: 'results', requestId: message.requestId, query, elapsedMs: 42, mode: 'hybrid' };
          const wanted = types.split(/[\\s,;]+/).filter(Boolean);
          if (query.includes('nothing')) send({ ...base, groups: [] }, 20);
          else if (query.includes('fail')) send({ ...base, groups: [], error: 'Searching needs the embedding model, which failed to load: model.onnx is missing. Run "Quipu: Rebuild Index".' }, 20);
          else {
            const answer = { ...base, groups: wanted.length ? GROUPS.filter((g) => wanted.some((t) => g.path.endsWith('.' + t))) : GROUPS };
            if (query.startsWith('slow')) window.__held.push(answer);
            else send(answer, 20);
          }
        }
      },
      getState: () => window.__savedState,
      setState: (state) => { window.__savedState = JSON.parse(JSON.stringify(state)); },
    };
  };
})();
`;
}

function page(theme) {
  const csp = `default-src 'none'; style-src 'self'; font-src 'self'; script-src 'nonce-${NONCE}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/stub/theme-${theme}.css">
<link rel="stylesheet" href="/media/codicons/codicon.css">
<link rel="stylesheet" href="/media/panel.css">
<title>Quipu Search</title>
</head>
<body class="${THEMES[theme].bodyClass}">
<script nonce="${NONCE}" src="/stub/vscode.js"></script>
<script nonce="${NONCE}" src="/dist/webview/panel.js"></script>
</body>
</html>`;
}

// ---- Server ------------------------------------------------------------------------------------

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.html': 'text/html' };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/panel.html') return send(200, 'text/html', page(url.searchParams.get('theme') ?? 'dark'));
    if (url.pathname === '/stub/vscode.js') return send(200, 'text/javascript', stubScript());
    const theme = /^\/stub\/theme-(\w+)\.css$/.exec(url.pathname);
    if (theme && THEMES[theme[1]]) return send(200, 'text/css', themeCss(theme[1]));
    // Only what the extension's localResourceRoots allow: media/ and dist/webview/.
    const file = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!file.startsWith('media/') && !file.startsWith('dist/webview/')) return send(404, 'text/plain', 'not found');
    try {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(join(ROOT, file)));
    } catch {
      send(404, 'text/plain', 'not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- Browser -----------------------------------------------------------------------------------

const problems = [];

async function openPanel(context, base, { phase = 'ready', theme = 'dark', saved } = {}) {
  const tab = await context.newPage();
  tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  tab.on('dialog', (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const query = new URLSearchParams({ phase, theme, ...(saved ? { saved: JSON.stringify(saved) } : {}) });
  await tab.goto(`${base}/panel.html?${query.toString()}`);
  await tab.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  await tab.evaluate(() => document.fonts.ready);
  return tab;
}

const posted = (tab, type) => tab.evaluate((t) => window.__posted.filter((m) => m.type === t), type);
const send = (tab, message) => tab.evaluate((m) => window.__send(m), message);
const shot = (tab, name) => tab.screenshot({ path: join(ARTIFACTS, `panel-${name}.png`) });
/** Closes a tab, keeping any CSP violation it saw. */
async function close(tab) {
  problems.push(...(await tab.evaluate(() => window.__csp)).map((v) => `CSP violation: ${v}`));
  await tab.close();
}
/** Waits until no CSS transition is running (a screenshot then shows where things end up). */
const transitionsDone = (tab) => tab.waitForFunction(() => !document.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running'));
const activeLabel = (tab) => tab.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? '');

async function step(name, run) {
  try {
    await run();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}`);
    throw error;
  }
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  readFileSync(join(ROOT, 'dist', 'webview', 'panel.js')); // built? (npm run test:webview builds first)
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(tmpdir(), 'quipu-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
  });
  try {
    let tab = await openPanel(context, base);

    await step('ready state: a hint, no search before the user types', async () => {
      await tab.waitForSelector('.message-block.hint');
      assert.equal((await posted(tab, 'search')).length, 0);
      await shot(tab, 'hint');
    });

    await step('typing searches once, after the debounce', async () => {
      await tab.click('#query');
      await tab.keyboard.type('where are passwords hashed', { delay: 15 });
      await tab.waitForSelector('.row.hit');
      const searches = await posted(tab, 'search');
      assert.equal(searches.length, 1, `one search for one burst of typing, got ${searches.length}`);
      assert.deepEqual(searches[0].intent, { query: 'where are passwords hashed', include: '', exclude: '', types: '', mode: '' });
      assert.equal(await tab.textContent('.summary .ellipsis'), '6 results in 5 files · 42 ms');
    });

    await step('results: grouped by file, with locations, pages, scores and marked query words', async () => {
      const files = await tab.$$eval('.row.file', (rows) => rows.map((r) => [r.querySelector('.name').textContent, r.querySelector('.folder')?.textContent, r.querySelector('.badge').textContent, r.querySelector('.file-icon').className]));
      assert.deepEqual(files[0], ['password.ts', 'src/auth', '2', 'codicon codicon-file-code file-icon']);
      assert.deepEqual(files[3], ['Threat Model.pdf', 'docs', '1', 'codicon codicon-file-pdf file-icon']);
      const heads = await tab.$$eval('.row.hit .hit-head', (els) => els.map((e) => e.textContent));
      assert.equal(heads[0], 'lines 12–38hashPassword0.81');
      assert.ok(heads.includes('lines 120–141 · page 30.62'), heads.join(' | '));
      // The score's label says what it means in the ranking shown (hybrid here), not "cosine" everywhere.
      assert.match(await tab.$eval('.row.hit .score', (e) => e.title), /^Meaning and words: fused score \(0\.65 × cosine/);
      const marks = await tab.$$eval('.row.hit mark', (els) => els.map((e) => e.textContent));
      assert.ok(marks.includes('password') && marks.includes('Passwords') && marks.includes('hashed'), marks.join(', '));
      assert.equal(await tab.evaluate(() => getComputedStyle(document.querySelector('.row.file')).height), '22px');
    });

    await step('file content is shown as text and never runs', async () => {
      const evil = await tab.$$eval('.row.hit .snippet', (els) => els.map((e) => e.textContent).find((t) => t.includes('onerror')));
      assert.ok(evil?.includes('<img src=x onerror=alert(1)>'), 'the snippet shows the markup as text');
      assert.ok(evil.includes('<script>window.__xss='), 'the script tag is shown as text');
      const injected = await tab.evaluate(() => document.querySelectorAll('.main img, .main script, .main [onerror]').length);
      assert.equal(injected, 0, 'no element was made from file content');
      assert.equal(await tab.evaluate(() => window.__xss), undefined, 'no script from a snippet ran');
      await shot(tab, 'results');
    });

    await step('saved state holds the intent only', async () => {
      const state = await tab.evaluate(() => window.__savedState);
      assert.deepEqual(state, { intent: { query: 'where are passwords hashed', include: '', exclude: '', types: '', mode: '' }, filtersShown: false });
    });

    await step('keyboard: arrows move between rows, Enter opens, Space previews, Left/Right fold', async () => {
      await tab.focus('#query');
      await tab.keyboard.press('ArrowDown');
      assert.equal(await activeLabel(tab), 'src/auth/password.ts, 2 results');
      await tab.keyboard.press('ArrowDown');
      assert.match(await activeLabel(tab), /^lines 12–38, score 0\.81: /);
      await tab.keyboard.press('Enter');
      await tab.keyboard.press('ArrowDown');
      await tab.keyboard.press(' ');
      const opens = await posted(tab, 'open');
      assert.deepEqual(opens, [
        { type: 'open', uri: 'file:///work/shop/src/auth/password.ts', kind: 'text', startLine: 12, endLine: 38, preview: false },
        { type: 'open', uri: 'file:///work/shop/src/auth/password.ts', kind: 'text', startLine: 40, endLine: 61, preview: true },
      ]);
      await tab.keyboard.press('ArrowLeft');
      assert.equal(await activeLabel(tab), 'src/auth/password.ts, 2 results');
      await tab.keyboard.press('ArrowLeft');
      assert.equal(await tab.getAttribute('.row.file >> nth=0', 'aria-expanded'), 'false');
      assert.equal(await tab.$$eval('.row.hit', (els) => els.filter((e) => !e.hidden).length), 4);
      await tab.keyboard.press('ArrowDown');
      assert.equal(await activeLabel(tab), 'docs/security.md, 1 result');
      await tab.keyboard.press('ArrowUp');
      await tab.keyboard.press('ArrowRight');
      assert.equal(await tab.getAttribute('.row.file >> nth=0', 'aria-expanded'), 'true');
      // Only one row takes Tab.
      assert.equal(await tab.$$eval('.row[tabindex="0"]', (els) => els.length), 1);
    });

    await step('a click opens a hit for good (no preview)', async () => {
      await tab.click('.row.hit >> nth=2');
      const opens = await posted(tab, 'open');
      assert.deepEqual(opens.at(-1), { type: 'open', uri: 'file:///work/shop/docs/security.md', kind: 'text', startLine: 3, endLine: 19, preview: false });
      await tab.click('.row.hit >> nth=4');
      assert.deepEqual((await posted(tab, 'open')).at(-1).page, 3);
    });

    await step('indexing: results stay, with a progress line and bar', async () => {
      await send(tab, { type: 'state', state: STATES.indexing });
      await tab.waitForSelector('.status.indexing');
      assert.equal(await tab.textContent('.status-line'), 'Indexing 120 / 400 files · 35 chunks/s · ~1 min left');
      assert.equal(await tab.getAttribute('.status [role=progressbar]', 'aria-valuenow'), '30');
      assert.ok(await tab.isVisible('.row.hit'));
      await transitionsDone(tab); // the bar's width
      await shot(tab, 'indexing');
      // Later progress updates in place; the results are not rebuilt.
      const before = await tab.evaluate(() => document.querySelector('.tree').dataset.stamp = 'kept');
      await send(tab, { type: 'state', state: { ...STATES.indexing, progress: { ...STATES.indexing.progress, filesDone: 200, etaSeconds: 50 } } });
      await tab.waitForFunction(() => document.querySelector('.status-line').textContent.startsWith('Indexing 200 / 400'));
      assert.equal(await tab.evaluate(() => document.querySelector('.tree')?.dataset.stamp), before);
    });

    await step('indexing finished: the query runs again', async () => {
      const count = (await posted(tab, 'search')).length;
      await send(tab, { type: 'state', state: STATES.ready });
      await tab.waitForFunction((n) => window.__posted.filter((m) => m.type === 'search').length === n + 1, count);
      await tab.waitForSelector('.status:empty', { state: 'attached' });
    });

    await step('the deep tier in the background: a quiet line, no bar, no new search; gone once complete', async () => {
      const count = (await posted(tab, 'search')).length;
      const tiers = { plan: 'fast-deep', fast: 2343, deep: 1561, deepPercent: 40, deepIncomplete: true, deepRunning: true, deepPending: true };
      await send(tab, { type: 'state', state: { ...STATES.ready, tiers } });
      await tab.waitForFunction(() => document.querySelector('.status-line')?.textContent === 'Deep tier 40% · computing in the background');
      assert.equal(await tab.$('.status [role=progressbar]'), null);
      assert.equal(await tab.$('.status.indexing'), null);
      assert.ok(await tab.isVisible('.row.hit'));
      await shot(tab, 'deep-tier');
      await send(tab, { type: 'state', state: { ...STATES.ready, tiers: { ...tiers, fast: 0, deep: 3904, deepPercent: 100, deepIncomplete: false, deepRunning: false, deepPending: false } } });
      await tab.waitForSelector('.status:empty', { state: 'attached' });
      assert.equal((await posted(tab, 'search')).length, count, 'the results stay: nobody waited for the deep tier');
    });

    await step('paused: a Resume link', async () => {
      await send(tab, { type: 'state', state: STATES.paused });
      await tab.waitForSelector('.status.paused');
      assert.equal(await tab.textContent('.status-line'), 'Paused at 120 / 400 filesResume');
      await shot(tab, 'paused');
      await tab.click('.status.paused button');
      assert.deepEqual((await posted(tab, 'command')).at(-1), { type: 'command', command: 'quipu.resumeIndexing' });
    });

    await step('index error: the message and Show Status', async () => {
      await send(tab, { type: 'state', state: STATES.error });
      await tab.waitForSelector('.status.error');
      await shot(tab, 'index-error');
      await tab.click('.status.error button');
      assert.deepEqual((await posted(tab, 'command')).at(-1), { type: 'command', command: 'quipu.showStatus' });
      await send(tab, { type: 'state', state: STATES.ready });
    });

    await step('Enter searches at once; stale answers are dropped', async () => {
      const count = (await posted(tab, 'search')).length;
      await tab.fill('#query', 'slow search');
      await tab.press('#query', 'Enter');
      await tab.fill('#query', 'fast search');
      await tab.press('#query', 'Enter');
      assert.deepEqual((await posted(tab, 'search')).slice(count).map((m) => m.intent.query), ['slow search', 'fast search'], 'each Enter searched at once');
      await tab.waitForFunction(() => document.querySelector('.tree')?.getAttribute('aria-label') === 'Results for fast search');
      // The older search's answer comes last; the panel handles a message as it is dispatched.
      assert.equal(await tab.evaluate(() => window.__releaseHeld()), 1, 'the slow answer was held until now');
      assert.equal(await tab.getAttribute('.tree', 'aria-label'), 'Results for fast search');
      assert.equal(await tab.textContent('.summary .ellipsis'), '6 results in 5 files · 42 ms');
    });

    await step('filters: shown, sent, kept in state', async () => {
      await tab.click('.query-box .toggle');
      await tab.waitForSelector('#filters', { state: 'visible' });
      assert.equal(await activeLabel(tab), 'Files to include');
      await tab.fill('#types', 'ts, md');
      await tab.fill('#include', 'src/**, docs/**');
      await tab.waitForFunction(() => window.__posted.at(-1).intent?.include === 'src/**, docs/**');
      // The stub keeps .ts and .md files only.
      await tab.waitForFunction(() => document.querySelectorAll('.row.file').length === 2);
      await shot(tab, 'filters');
      assert.deepEqual(await tab.evaluate(() => window.__savedState.filtersShown), true);
      // Hidden filters still apply, and the panel says so.
      await tab.click('.query-box .toggle');
      assert.equal(await tab.textContent('.filter-summary'), 'types ts, md · include src/**, docs/**');
    });

    await step('no results: what to try', async () => {
      await tab.fill('#query', 'nothing at all');
      await tab.press('#query', 'Enter');
      await tab.waitForSelector('.main .message-block[role=status]');
      assert.match(await tab.textContent('.main'), /No results for “nothing at all”\.Try other words, or clear filters\./);
      await shot(tab, 'no-results');
      await tab.click('.main .button.link');
      await tab.waitForFunction(() => window.__posted.at(-1).intent?.types === '');
      assert.equal(await tab.isVisible('.filter-summary'), false);
    });

    await step('a failed search says what to do', async () => {
      await tab.fill('#query', 'fail please');
      await tab.press('#query', 'Enter');
      await tab.waitForSelector('.message-block.error');
      assert.match(await tab.textContent('.message-block.error'), /model\.onnx is missing/);
      await shot(tab, 'search-error');
    });

    await step('setQuery and focus from the extension', async () => {
      await send(tab, { type: 'setQuery', query: 'session cookies' });
      await tab.waitForFunction(() => window.__posted.at(-1).intent?.query === 'session cookies');
      assert.equal(await tab.inputValue('#query'), 'session cookies');
      await tab.click('.row.hit >> nth=0');
      await send(tab, { type: 'focus' });
      await tab.waitForFunction(() => document.activeElement?.id === 'query');
    });
    await close(tab);

    await step('restored: the saved query runs again right after "ready"', async () => {
      const saved = { intent: { query: 'hash', include: '', exclude: '', types: 'ts', mode: 'lexical' }, filtersShown: true };
      tab = await openPanel(context, base, { saved });
      await tab.waitForSelector('.row.hit');
      const messages = await tab.evaluate(() => window.__posted.map((m) => m.type));
      assert.deepEqual(messages, ['ready', 'search']);
      assert.deepEqual((await posted(tab, 'search'))[0].intent, saved.intent);
      assert.equal(await tab.inputValue('#types'), 'ts');
      assert.equal(await tab.inputValue('#mode'), 'lexical', 'the ranking is part of the saved intent');
      assert.ok(await tab.isVisible('#filters'));
      await close(tab);
    });

    for (const [phase, button, command] of [
      ['not-indexed', 'Index Workspace', 'quipu.indexWorkspace'],
      ['untrusted', 'Manage Workspace Trust', 'workbench.trust.manage'],
      ['no-folder', undefined, undefined],
    ]) {
      await step(`empty state: ${phase}`, async () => {
        tab = await openPanel(context, base, { phase, saved: { intent: { query: 'hash', include: '', exclude: '', types: '' }, filtersShown: false } });
        await tab.waitForSelector('.welcome');
        await shot(tab, `empty-${phase}`);
        if (button) {
          await tab.click(`.welcome button:has-text("${button}")`);
          assert.deepEqual((await posted(tab, 'command')).at(-1), { type: 'command', command });
        } else {
          assert.match(await tab.textContent('.welcome'), /Open a folder to search it/);
        }
        // Once the index is there, the saved query runs.
        await send(tab, { type: 'state', state: STATES.ready });
        await tab.waitForSelector('.row.hit');
        await close(tab);
      });
    }

    for (const theme of ['light', 'hc']) {
      await step(`${theme} theme`, async () => {
        tab = await openPanel(context, base, { theme, phase: 'indexing', saved: { intent: { query: 'where are passwords hashed', include: '', exclude: '', types: '' }, filtersShown: false } });
        await tab.waitForSelector('.row.hit');
        await tab.focus('#query');
        await tab.keyboard.press('ArrowDown');
        await tab.keyboard.press('ArrowDown');
        await tab.waitForFunction(() => document.activeElement?.classList.contains('hit'));
        await transitionsDone(tab);
        await shot(tab, `results-${theme}`);
        await close(tab);
      });
    }

    await step('a narrow sidebar: names and snippets cut with an ellipsis, nothing overflows', async () => {
      tab = await openPanel(context, base, { saved: { intent: { query: 'where are passwords hashed', include: '', exclude: '', types: '' }, filtersShown: false } });
      await tab.setViewportSize({ width: 220, height: 480 });
      await tab.waitForSelector('.row.hit');
      assert.equal(await tab.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.querySelector('.main').scrollWidth <= document.querySelector('.main').clientWidth), true);
      await shot(tab, 'narrow');
      await close(tab);
    });

    await step('no CSP violations, page errors or dialogs', () => {
      assert.deepEqual(problems, []);
    });
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`screenshots: ${ARTIFACTS}/panel-*.png`);
}

await main();
