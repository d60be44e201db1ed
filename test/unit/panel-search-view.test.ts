// The fake must load before the provider, which imports 'vscode'.
import { calls, Emitter, Uri } from '../fake-vscode';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type * as vscode from 'vscode';
import type { OpenRequest, PanelHost } from '../../src/extension/panel/host';
import type { ExtensionToWebview, IndexState, PanelCommand, PanelFileGroup } from '../../src/shared/panel-protocol';
import type { SearchIntent } from '../../src/shared/search-intent';
import { SearchViewProvider } from '../../src/extension/panel/searchView';

const INTENT: SearchIntent = { query: 'hash passwords', include: '', exclude: '', types: '' };
const GROUP: PanelFileGroup = { folderName: 'w', uri: 'file:///w/a.ts', path: 'a.ts', kind: 'text', results: [{ startLine: 1, endLine: 3, score: 0.9, snippet: 'x', snippetStartLine: 1 }] };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface PendingSearch {
  intent: SearchIntent;
  token: vscode.CancellationToken;
  resolve: (groups: PanelFileGroup[]) => void;
  reject: (error: Error) => void;
}

function fakeHost() {
  const changes = new Emitter<IndexState>();
  const searches: PendingSearch[] = [];
  const opened: OpenRequest[] = [];
  const ran: PanelCommand[] = [];
  const host: PanelHost = {
    state: { phase: 'ready', files: 3, chunks: 9 },
    onDidChangeState: changes.event,
    searchMode: 'hybrid',
    search: (intent, token) => new Promise((resolve, reject) => searches.push({ intent, token, resolve, reject })),
    open: (request) => {
      opened.push(request);
      return request.uri.includes('missing') ? Promise.reject(new Error('file not found')) : Promise.resolve();
    },
    runCommand: (command) => {
      ran.push(command);
      return Promise.resolve();
    },
  };
  return { host, changes, searches, opened, ran };
}

function fakeView() {
  const received = new Emitter<unknown>();
  const visibility = new Emitter<void>();
  const disposed = new Emitter<void>();
  const posted: ExtensionToWebview[] = [];
  const shown: boolean[] = [];
  const view = {
    visible: true,
    webview: {
      options: {} as vscode.WebviewOptions,
      html: '',
      cspSource: 'https://csp.example',
      asWebviewUri: (uri: Uri) => uri,
      postMessage: (message: ExtensionToWebview) => {
        posted.push(message);
        return Promise.resolve(true);
      },
      onDidReceiveMessage: received.event,
    },
    show: (preserveFocus?: boolean) => shown.push(preserveFocus === true),
    onDidChangeVisibility: visibility.event,
    onDidDispose: disposed.event,
  };
  return {
    view: view as unknown as vscode.WebviewView,
    posted,
    shown,
    send: (message: unknown) => received.fire(message),
    setVisible: (visible: boolean) => {
      view.visible = visible;
      visibility.fire();
    },
    listeners: () => received.size + visibility.size + disposed.size,
  };
}

let host: ReturnType<typeof fakeHost>;
let provider: SearchViewProvider;

beforeEach(() => {
  calls.commands.length = 0;
  calls.errors.length = 0;
  host = fakeHost();
  provider = new SearchViewProvider(Uri.file('/ext') as unknown as vscode.Uri, host.host);
});

test('the page has a strict CSP, a fresh nonce on its script, and sees only media/ and dist/webview/', () => {
  const a = fakeView();
  provider.resolveWebviewView(a.view);
  const { html, options } = a.view.webview;
  const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
  assert.ok(nonce && nonce.length >= 16);
  assert.ok(html.includes(`content="default-src 'none'; style-src https://csp.example; font-src https://csp.example; script-src 'nonce-${nonce}'"`));
  assert.ok(html.includes(`<script nonce="${nonce}" src="file:///ext/dist/webview/panel.js"></script>`));
  assert.ok(html.includes('href="file:///ext/media/codicons/codicon.css"') && html.includes('href="file:///ext/media/panel.css"'));
  assert.equal(options.enableScripts, true);
  assert.deepEqual(options.localResourceRoots?.map((u) => u.path), ['/ext/media', '/ext/dist/webview']);

  const b = fakeView();
  provider.resolveWebviewView(b.view);
  assert.notEqual(/nonce-([^']+)/.exec(b.view.webview.html)?.[1], nonce, 'a new nonce each time');
});

test('nothing is posted before "ready"; then the state, and every change after it', () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  host.changes.fire({ phase: 'indexing', files: 1, chunks: 2 });
  assert.deepEqual(v.posted, []);
  v.send({ type: 'ready' });
  assert.deepEqual(v.posted, [{ type: 'state', state: host.host.state }]);
  const indexing: IndexState = { phase: 'indexing', files: 1, chunks: 2, progress: { filesDone: 1, filesTotal: 4, chunksPerSecond: 3 } };
  host.changes.fire(indexing);
  assert.deepEqual(v.posted[1], { type: 'state', state: indexing });
});

test('a new search cancels the one before, whose late answer is dropped', async () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  v.send({ type: 'ready' });
  v.send({ type: 'search', requestId: 1, intent: INTENT });
  v.send({ type: 'search', requestId: 2, intent: { ...INTENT, query: 'salt' } });
  const [first, second] = host.searches;
  assert.equal(first.token.isCancellationRequested, true);
  assert.equal(second.token.isCancellationRequested, false);
  second.resolve([GROUP]);
  first.resolve([GROUP, GROUP]);
  await settle();
  const results = v.posted.filter((m) => m.type === 'results');
  assert.equal(results.length, 1);
  assert.deepEqual({ ...results[0], elapsedMs: 0 }, { type: 'results', requestId: 2, query: 'salt', groups: [GROUP], elapsedMs: 0, mode: 'hybrid' });
});

test('a failed search answers with the error message', async () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  v.send({ type: 'ready' });
  v.send({ type: 'search', requestId: 7, intent: INTENT });
  host.searches[0].reject(new Error('The index is being rebuilt; try again in a minute.'));
  await settle();
  const result = v.posted.at(-1);
  assert.ok(result?.type === 'results');
  assert.equal(result.requestId, 7);
  assert.deepEqual(result.groups, []);
  assert.equal(result.error, 'The index is being rebuilt; try again in a minute.');
});

test('open and allowed commands go to the host; anything else is ignored', async () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  v.send({ type: 'ready' });
  v.send({ type: 'open', uri: 'file:///w/a.pdf', kind: 'pdf', startLine: 4, endLine: 9, page: 2, preview: false });
  v.send({ type: 'open', uri: 'file:///w/missing.ts', kind: 'text', startLine: 1, endLine: 1, preview: true });
  v.send({ type: 'command', command: 'quipu.showStatus' });
  v.send({ type: 'command', command: 'workbench.action.terminal.new' });
  v.send({ type: 'open', uri: 42 });
  v.send({ type: 'search', requestId: 'x', intent: INTENT });
  v.send('ready');
  v.send(null);
  await settle();
  assert.deepEqual(host.opened, [
    { uri: 'file:///w/a.pdf', kind: 'pdf', startLine: 4, endLine: 9, page: 2, preview: false },
    { uri: 'file:///w/missing.ts', kind: 'text', startLine: 1, endLine: 1, preview: true },
  ]);
  assert.deepEqual(host.ran, ['quipu.showStatus']);
  assert.deepEqual(host.searches, []);
  assert.deepEqual(calls.errors, ['Quipu could not open the result: file not found']);
});

test('setQuery and focus wait for the webview, revealing the view first', () => {
  provider.setQuery('where is the cache');
  provider.focus();
  assert.deepEqual(calls.commands, ['quipu.searchView.focus', 'quipu.searchView.focus']);
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  v.send({ type: 'ready' });
  assert.deepEqual(
    v.posted.map((m) => m.type),
    ['state', 'setQuery', 'focus'],
  );
  assert.deepEqual(v.posted[1], { type: 'setQuery', query: 'where is the cache' });
  // Once ready, straight through; focus takes the focus, setQuery leaves it where it is.
  provider.setQuery('tokens');
  provider.focus();
  assert.deepEqual(v.posted.slice(3), [{ type: 'setQuery', query: 'tokens' }, { type: 'focus' }]);
  assert.deepEqual(v.shown, [true, false]);
});

test('hiding the view cancels its search and mutes it until the next "ready"', async () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  v.send({ type: 'ready' });
  v.send({ type: 'search', requestId: 1, intent: INTENT });
  v.setVisible(false);
  assert.equal(host.searches[0].token.isCancellationRequested, true);
  host.searches[0].resolve([GROUP]);
  host.changes.fire({ phase: 'paused', files: 1, chunks: 1 });
  await settle();
  assert.deepEqual(v.posted.map((m) => m.type), ['state']);
  // Shown again: the document reloads and says "ready"; its request ids start over.
  v.setVisible(true);
  v.send({ type: 'ready' });
  v.send({ type: 'search', requestId: 1, intent: INTENT });
  host.searches[1].resolve([GROUP]);
  await settle();
  assert.deepEqual(v.posted.map((m) => m.type), ['state', 'state', 'results']);
});

test('dispose removes every listener', () => {
  const v = fakeView();
  provider.resolveWebviewView(v.view);
  assert.equal(host.changes.size, 1);
  assert.ok(v.listeners() > 0);
  provider.dispose();
  assert.equal(host.changes.size, 0);
  assert.equal(v.listeners(), 0);
});
