/**
 * VS Code entry point: registers commands, the search panel, the status bar, the virtual documents
 * and the workspace listeners, then returns. Activation stays cheap: the model and the worker pools
 * start on first use (or when auto-index runs, after start-up has finished).
 */
import * as vscode from 'vscode';
import type { QuipuApi } from './api';
import { QuipuController } from './controller';
import { EMBEDDER_API_KEY_SECRET, TEAM_TOKEN_SECRET } from './engine-host';
import { DOCUMENT_SCHEME, openOriginal } from './documents';
import { registerLanguageModelTools } from './lmTools';
import { showSimilarQuickPick } from './similar';
import { verifyWorkspace } from './verify';
import { SearchViewProvider } from './panel/searchView';
import { showSearchQuickPick } from './quickPick';
import { classifyChange } from './settings';
import { IndexStatusBar } from './statusBar';
import { STATUS_SCHEME, STATUS_URI, StatusReportProvider } from './statusReport';
import { watchWorkspace } from './watcher';

let controller: QuipuController | undefined;

export function activate(context: vscode.ExtensionContext): QuipuApi {
  const log = vscode.window.createOutputChannel('Quipu', { log: true });
  context.subscriptions.push(log);
  try {
    return activateWith(context, log);
  } catch (error) {
    // Never fail silently: the user sees why Quipu is not there.
    log.error(`Activation failed: ${(error as Error).stack ?? String(error)}`);
    void vscode.window.showErrorMessage(`Quipu could not start: ${(error as Error).message}`, 'Show Log').then((choice) => {
      if (choice) log.show();
    });
    throw error;
  }
}

function activateWith(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): QuipuApi {
  const ctl = new QuipuController(context, log);
  controller = ctl;
  const statusBar = new IndexStatusBar();
  const panel = new SearchViewProvider(context.extensionUri, ctl);
  const statusReport = new StatusReportProvider(ctl);
  statusBar.update(ctl.state);

  const command = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        log.error(`${id} failed: ${(error as Error).stack ?? String(error)}`);
        void vscode.window.showErrorMessage(`Quipu: ${(error as Error).message}`);
      }
    });

  context.subscriptions.push(
    statusBar,
    panel,
    statusReport,
    ctl.onDidChangeState((state) => {
      statusBar.update(state);
      void vscode.commands.executeCommand('setContext', 'quipu.paused', state.phase === 'paused');
    }),
    vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, ctl.documents),
    vscode.workspace.registerTextDocumentContentProvider(STATUS_SCHEME, statusReport),
    vscode.window.registerWebviewViewProvider(SearchViewProvider.viewId, panel),
    registerLanguageModelTools(ctl),

    command('quipu.indexWorkspace', () => ctl.indexAll()),
    command('quipu.rebuildIndex', () => ctl.indexAll(true)),
    command('quipu.search', () => showSearchQuickPick(ctl, selectedText(), ctl.searchMode)),
    command('quipu.searchInPanel', async () => {
      await vscode.commands.executeCommand(`${SearchViewProvider.viewId}.focus`);
      const text = selectedText();
      if (text) panel.setQuery(text);
      else panel.focus();
    }),
    vscode.commands.registerCommand('quipu.findSimilar', async () => {
      try {
        return await showSimilarQuickPick(ctl);
      } catch (error) {
        void vscode.window.showErrorMessage(`Quipu: ${(error as Error).message}`);
        return undefined;
      }
    }),
    command('quipu.pauseIndexing', () => ctl.keeper.pause()),
    command('quipu.resumeIndexing', () => ctl.keeper.resume()),
    command('quipu.clearIndex', async () => {
      const choice = await vscode.window.showWarningMessage(
        'Delete the Quipu index of this workspace? Searching needs a new index afterwards.',
        { modal: true },
        'Clear Index',
      );
      if (choice !== 'Clear Index') return;
      await ctl.clearAll();
      void vscode.window.showInformationMessage('Quipu: the index was cleared. Run "Quipu: Index Workspace" to build it again.');
    }),
    command('quipu.showStatus', async () => {
      const document = await vscode.workspace.openTextDocument(STATUS_URI);
      await vscode.languages.setTextDocumentLanguage(document, 'markdown');
      // Rendered, so its tables read as tables; the built-in Markdown extension may be disabled,
      // and then the text itself is shown.
      try {
        await vscode.commands.executeCommand('markdown.showPreview', STATUS_URI);
      } catch {
        await vscode.window.showTextDocument(document, { preview: true });
      }
    }),
    command('quipu.verifyIndex', () => verifyWorkspace(ctl)),
    command('quipu.openOriginal', (uri) => openOriginal(uri instanceof vscode.Uri ? uri : undefined)),
    command('quipu.setEmbedderApiKey', async () => {
      if (!(await askSecret(context, EMBEDDER_API_KEY_SECRET, 'Quipu: API key of the embedding endpoint'))) return;
      await ctl.resetEngine();
      // A run the endpoint refused goes on with the new key (only what is missing is embedded).
      if (ctl.settingsUseRemoteEmbedder) ctl.indexAll();
    }),

    command('quipu.setTeamIndexToken', async () => {
      if (!(await askSecret(context, TEAM_TOKEN_SECRET, 'Quipu: token of the team index server'))) return;
      await ctl.resetTeam();
    }),
    command('quipu.clearTeamIndexToken', async () => {
      await context.secrets.delete(TEAM_TOKEN_SECRET);
      await ctl.resetTeam();
      void vscode.window.showInformationMessage(`Quipu: the team index token was removed from secret storage${process.env.QUIPU_TEAM_TOKEN ? '; QUIPU_TEAM_TOKEN from the environment is used instead' : ''}.`);
    }),

    watchWorkspace((uris) => ctl.filesChanged(uris)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctl.start()),
    vscode.workspace.onDidChangeWorkspaceFolders((event) => {
      ctl.syncFolders();
      if (event.added.length > 0) void ctl.start();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => void onSettingsChanged(ctl, event)),
  );

  // Auto-index once the window has settled; activation itself returns at once.
  const startTimer = setTimeout(() => void ctl.start().catch((error: Error) => log.error(`Start-up failed: ${error.stack ?? error.message}`)), 1500);
  context.subscriptions.push({ dispose: () => clearTimeout(startTimer) });
  log.info(`Quipu activated (${vscode.workspace.workspaceFolders?.length ?? 0} folder(s), trusted: ${vscode.workspace.isTrusted}).`);
  return ctl.api();
}

async function onSettingsChanged(ctl: QuipuController, event: vscode.ConfigurationChangeEvent): Promise<void> {
  const change = classifyChange(event);
  if (change === 'none') return;
  if (change === 'search') {
    ctl.reloadSettings();
    return;
  }
  if (change === 'team') {
    // Another server, collection or none: a new session (asked about first), the folder's other index.
    await ctl.resetTeam();
    await ctl.refreshStatuses();
    if (vscode.workspace.getConfiguration('quipu').get('autoIndex', true)) ctl.indexAll();
    return;
  }
  if (change === 'pools') {
    await ctl.resetEngine();
    return;
  }
  if (change === 'tiers') {
    // A new engine with the new plan, then an incremental pass in the background: a fast tier added
    // is computed at tokenizer speed, a deep tier follows it; a change to or from deep alone rebuilds
    // (the log says why). No notification: searching goes on meanwhile.
    await ctl.resetEngine();
    await ctl.refreshStatuses();
    if (vscode.workspace.getConfiguration('quipu').get('autoIndex', true)) ctl.updateAll();
    return;
  }
  if (change === 'rebuild') {
    await ctl.resetEngine();
    await ctl.refreshStatuses();
    const choice = await vscode.window.showInformationMessage(
      'Quipu: the embedding model, its endpoint or the chunk size changed, so the index must be rebuilt to search with it.',
      'Rebuild Now',
      'Later',
    );
    if (choice === 'Rebuild Now') ctl.indexAll(true);
    return;
  }
  ctl.reloadSettings();
  if (vscode.workspace.getConfiguration('quipu').get('autoIndex', true)) ctl.indexAll();
  else {
    const choice = await vscode.window.showInformationMessage('Quipu: the file rules changed. Update the index to follow them?', 'Update Index');
    if (choice) ctl.indexAll();
  }
}

function selectedText(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return '';
  return editor.document.getText(editor.selection).trim().slice(0, 500);
}

export async function deactivate(): Promise<void> {
  // Waits for the running commit and stops the worker threads.
  await controller?.dispose();
  controller = undefined;
}

/** Asks for a secret and keeps it in secret storage (empty removes it); false when the user cancelled. */
async function askSecret(context: vscode.ExtensionContext, key: string, title: string): Promise<boolean> {
  const value = await vscode.window.showInputBox({ title, prompt: "Kept in VS Code's secret storage; empty removes it.", password: true, ignoreFocusOut: true });
  if (value === undefined) return false;
  if (value) await context.secrets.store(key, value);
  else await context.secrets.delete(key);
  return true;
}
