/**
 * The sidebar search panel: a webview view that renders what the PanelHost knows and forwards what the
 * user does. It holds no search logic of its own; the webview's code is src/webview/panel.ts.
 *
 * The webview's document is thrown away whenever the view is hidden (no retainContextWhenHidden): it
 * says "ready" each time it loads, gets the index state, and asks for its saved query again.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PanelHost } from './host';
import type { ExtensionToWebview, PanelCommand, WebviewToExtension } from '../../shared/panel-protocol';
import type { SearchIntent } from '../../shared/search-intent';

/** Commands the webview may ask for: anything else is ignored, whatever the webview sends. */
const PANEL_COMMANDS: ReadonlySet<string> = new Set<PanelCommand>([
  'quipu.indexWorkspace',
  'quipu.rebuildIndex',
  'quipu.showStatus',
  'quipu.resumeIndexing',
  'workbench.trust.manage',
]);

export class SearchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'quipu.searchView';

  private view: vscode.WebviewView | undefined;
  /** True between the webview's "ready" and its document going away: before, messages would be lost. */
  private ready = false;
  /** Asked for before the webview could hear it; sent on "ready". */
  private pendingQuery: string | undefined;
  private pendingFocus = false;
  private searchCts: vscode.CancellationTokenSource | undefined;
  /** The newest search the webview asked for: answers to older ones are dropped. */
  private latestRequestId: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Listeners of the current view, replaced if VS Code resolves the view again. */
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
  ) {
    this.disposables.push(host.onDidChangeState((state) => this.post({ type: 'state', state })));
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.disposeView();
    this.view = webviewView;
    this.ready = false;
    const webview = webviewView.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
    webview.html = this.html(webview);
    this.viewDisposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      webviewView.onDidChangeVisibility(() => {
        if (webviewView.visible) return;
        // The document is gone: nothing can receive an answer until the next "ready".
        this.ready = false;
        this.cancelSearch();
      }),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) this.view = undefined;
        this.disposeView();
      }),
    );
  }

  /** Fills the query box and runs the search, revealing the view first if needed. */
  setQuery(query: string): void {
    if (this.view && this.ready) {
      this.view.show(true);
      this.post({ type: 'setQuery', query });
    } else {
      this.pendingQuery = query;
      this.reveal(true);
    }
  }

  /** Reveals the view and puts the cursor in the query box. */
  focus(): void {
    if (this.view && this.ready) {
      this.view.show(false);
      this.post({ type: 'focus' });
    } else {
      this.pendingFocus = true;
      this.reveal(false);
    }
  }

  dispose(): void {
    this.disposeView();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private reveal(preserveFocus: boolean): void {
    if (this.view) this.view.show(preserveFocus);
    // Never resolved yet: VS Code's "<viewId>.focus" command opens the container and resolves it.
    else void vscode.commands.executeCommand(`${SearchViewProvider.viewId}.focus`);
  }

  private disposeView(): void {
    this.cancelSearch();
    this.ready = false;
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  private post(message: ExtensionToWebview): void {
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(message);
  }

  private onMessage(message: unknown): void {
    if (!isWebviewMessage(message)) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.latestRequestId = undefined;
        this.post({ type: 'state', state: this.host.state });
        if (this.pendingQuery !== undefined) this.post({ type: 'setQuery', query: this.pendingQuery });
        if (this.pendingFocus) this.post({ type: 'focus' });
        this.pendingQuery = undefined;
        this.pendingFocus = false;
        break;
      case 'search':
        void this.search(message.requestId, message.intent);
        break;
      case 'open': {
        const { uri, kind, startLine, endLine, page, preview } = message;
        this.host.open({ uri, kind, startLine, endLine, ...(page !== undefined ? { page } : {}), preview }).catch((error: unknown) => showError('Quipu could not open the result', error));
        break;
      }
      case 'command':
        if (PANEL_COMMANDS.has(message.command)) this.host.runCommand(message.command).catch((error: unknown) => showError('Quipu', error));
        break;
    }
  }

  private async search(requestId: number, intent: SearchIntent): Promise<void> {
    this.cancelSearch();
    const cts = new vscode.CancellationTokenSource();
    this.searchCts = cts;
    this.latestRequestId = requestId;
    const started = Date.now();
    const stale = (): boolean => cts.token.isCancellationRequested || this.latestRequestId !== requestId;
    try {
      const groups = await this.host.search(intent, cts.token);
      if (!stale()) this.post({ type: 'results', requestId, query: intent.query, groups, elapsedMs: Date.now() - started, mode: intent.mode || this.host.searchMode });
    } catch (error) {
      if (!stale()) this.post({ type: 'results', requestId, query: intent.query, groups: [], elapsedMs: Date.now() - started, error: errorMessage(error) });
    } finally {
      if (this.searchCts === cts) this.searchCts = undefined;
      cts.dispose();
    }
  }

  private cancelSearch(): void {
    this.searchCts?.cancel();
    this.searchCts = undefined;
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const media = (...path: string[]): vscode.Uri => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...path));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('media', 'codicons', 'codicon.css').toString()}">
<link rel="stylesheet" href="${media('media', 'panel.css').toString()}">
<title>Quipu Search</title>
</head>
<body>
<script nonce="${nonce}" src="${media('dist', 'webview', 'panel.js').toString()}"></script>
</body>
</html>`;
  }
}

/** Checks the shape of what the webview sent: it is our code, but a message is only data. */
function isWebviewMessage(value: unknown): value is WebviewToExtension {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'search': {
      const intent = m.intent as Record<string, unknown> | null | undefined;
      return (
        typeof m.requestId === 'number' &&
        typeof intent === 'object' &&
        intent !== null &&
        (['query', 'include', 'exclude', 'types'] as const).every((k) => typeof intent[k] === 'string')
      );
    }
    case 'open':
      return (
        typeof m.uri === 'string' &&
        (m.kind === 'text' || m.kind === 'pdf' || m.kind === 'docx') &&
        typeof m.startLine === 'number' &&
        typeof m.endLine === 'number' &&
        (m.page === undefined || typeof m.page === 'number') &&
        typeof m.preview === 'boolean'
      );
    case 'command':
      return typeof m.command === 'string';
    default:
      return false;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function showError(prefix: string, error: unknown): void {
  void vscode.window.showErrorMessage(`${prefix}: ${errorMessage(error)}`);
}
