/** Shared by the integration suites, which run inside the extension host. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { QuipuApi, WorkspaceSearchResult } from '../../src/extension/api';

export async function quipu(): Promise<QuipuApi> {
  const extension = vscode.extensions.getExtension<QuipuApi>('quipu.quipu');
  assert.ok(extension, 'the extension quipu.quipu is not loaded');
  return extension.isActive ? extension.exports : await extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return folder.uri;
}

export function fileUri(path: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...path.split('/'));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value that is not undefined; fails with `what` (and `detail()`,
 * what was seen last) after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}. ${detail()}`);
    }
    await sleep(250);
  }
}

/** Indexes the workspace through the command palette's command and waits until nothing is pending, the deep tier included (the searches rank by it). */
export async function indexWorkspace(api: QuipuApi): Promise<void> {
  await vscode.commands.executeCommand('quipu.indexWorkspace');
  await api.whenQuiet();
}

/** The result's lines in its (text) file hold the start of its snippet. */
export async function assertLinesMatchSnippet(result: WorkspaceSearchResult): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(result.uri));
  assert.ok(result.startLine >= 1 && result.startLine <= result.endLine, `bad line range ${result.startLine}-${result.endLine}`);
  assert.ok(result.endLine <= document.lineCount, `${result.path} has ${document.lineCount} lines, the hit ends at ${result.endLine}`);
  const lines = document.getText(new vscode.Range(result.startLine - 1, 0, result.endLine - 1, Number.MAX_SAFE_INTEGER));
  const firstLine = result.snippet.split('\n').map((line) => line.trim()).find(Boolean);
  assert.ok(firstLine, `empty snippet for ${result.path}`);
  assert.ok(lines.includes(firstLine), `${result.path}:${result.startLine}-${result.endLine} does not hold the snippet's first line "${firstLine}"`);
}

export function paths(results: WorkspaceSearchResult[]): string[] {
  return results.map((result) => result.path);
}

/** "path:start-end score" of the first results, for failure messages. */
export function describeResults(results: WorkspaceSearchResult[], count = 5): string {
  return results
    .slice(0, count)
    .map((result) => `${result.path}:${result.startLine}-${result.endLine} ${result.score.toFixed(2)}`)
    .join(', ');
}

/** Read-only documents holding a query, so selecting it leaves nothing unsaved behind. */
const QUERY_SCHEME = 'quipu-test-query';
let queryProvider: vscode.Disposable | undefined;

/**
 * Runs "Quipu: Search" with `query` as the selected text (how the command takes a query without
 * typing), then accepts the active item as Enter would. Resolves with the editor the accepted item
 * opened (not the preview shown while the pick is open: that one's tab is a preview tab).
 */
export async function searchAndOpenFirst(query: string, expectedPath: string): Promise<vscode.TextEditor> {
  queryProvider ??= vscode.workspace.registerTextDocumentContentProvider(QUERY_SCHEME, {
    provideTextDocumentContent: (uri) => decodeURIComponent(uri.query),
  });
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: QUERY_SCHEME, path: '/query.txt', query: encodeURIComponent(query) }));
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(0, 0, 0, query.length);
  await vscode.commands.executeCommand('quipu.search');
  // The items reach the workbench asynchronously: accept until the result's editor is active.
  return waitFor(`the quick pick to open ${expectedPath}`, async () => {
    const active = vscode.window.activeTextEditor;
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    if (active?.document.uri.path.endsWith(`/${expectedPath}`) && tab && !tab.isPreview) return active;
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await sleep(300);
    return undefined;
  });
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
