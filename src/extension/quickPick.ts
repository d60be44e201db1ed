/**
 * "Quipu: Search" as a quick pick: results follow the typing (debounced), each row shows the file,
 * its line range and the start of the snippet; the active row previews its location without closing
 * the pick; Enter opens it for good.
 */
import * as vscode from 'vscode';
import type { SearchMode } from '../core/search/search';
import type { WorkspaceSearchResult } from './api';
import type { QuipuController } from './controller';
import { openLocation } from './documents';

const DEBOUNCE_MS = 200;

export interface ResultItem extends vscode.QuickPickItem {
  result?: WorkspaceSearchResult;
}

/** The ranking the quick pick uses, cycled by its title-bar button; starts from the setting. */
const MODES: { mode: SearchMode; label: string; icon: string }[] = [
  { mode: 'hybrid', label: 'meaning + words', icon: 'combine' },
  { mode: 'vector', label: 'meaning only', icon: 'sparkle' },
  { mode: 'lexical', label: 'words only', icon: 'whole-word' },
];

export async function showSearchQuickPick(controller: QuipuController, initialQuery = '', initialMode: SearchMode = 'hybrid'): Promise<void> {
  const pick = vscode.window.createQuickPick<ResultItem>();
  let modeIndex = Math.max(0, MODES.findIndex((m) => m.mode === initialMode));
  const showMode = () => {
    const current = MODES[modeIndex];
    const next = MODES[(modeIndex + 1) % MODES.length];
    pick.title = `Quipu: Search (${current.label})`;
    pick.buttons = [{ iconPath: new vscode.ThemeIcon(current.icon), tooltip: `Ranking: ${current.label}. Switch to ${next.label}` }];
  };
  showMode();
  pick.placeholder = 'Describe what you are looking for (e.g. "retry with exponential backoff")';
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  // Semantic hits need not share a word with the query: keep VS Code from filtering them out.
  (pick as { sortByLabel?: boolean }).sortByLabel = false;
  const multiFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let accepted = false;

  const run = async (query: string) => {
    const mine = ++generation;
    if (!query.trim()) {
      pick.busy = false;
      pick.items = [];
      return;
    }
    pick.busy = true;
    try {
      const results = await controller.searchWorkspace(query, { mode: MODES[modeIndex].mode });
      if (mine !== generation) return;
      pick.items = results.length
        ? results.map((result) => toItem(result, multiFolder))
        : [{ label: `No results for "${query}"`, detail: 'Try other words, or check that the workspace is indexed ("Quipu: Show Index Status").', alwaysShow: true }];
    } catch (error) {
      if (mine !== generation) return;
      pick.items = [{ label: '$(warning) ' + (error as Error).message, alwaysShow: true }];
    } finally {
      if (mine === generation) pick.busy = false;
    }
  };

  const disposables: vscode.Disposable[] = [
    pick.onDidChangeValue((value) => {
      if (timer) clearTimeout(timer);
      // The rows shown answer an older value from now on: drop a search still in flight for it, and
      // stay busy until the value's own results arrive (so "not busy" means the rows are current).
      generation++;
      pick.busy = value.trim() !== '';
      timer = setTimeout(() => void run(value), DEBOUNCE_MS);
    }),
    pick.onDidTriggerButton(() => {
      modeIndex = (modeIndex + 1) % MODES.length;
      showMode();
      void run(pick.value);
    }),
    pick.onDidChangeActive(([item]) => {
      if (item?.result && !accepted) void preview(item.result, true);
    }),
    pick.onDidAccept(() => {
      const item = pick.activeItems[0] ?? pick.selectedItems[0];
      if (!item?.result) return;
      accepted = true;
      pick.hide();
      void preview(item.result, false);
    }),
    pick.onDidHide(() => {
      if (timer) clearTimeout(timer);
      generation++;
      for (const disposable of disposables) disposable.dispose();
      pick.dispose();
    }),
  ];
  pick.value = initialQuery;
  pick.show();
  if (initialQuery) await run(initialQuery);
}

export function toItem(result: WorkspaceSearchResult, multiFolder: boolean): ResultItem {
  const name = result.path.slice(result.path.lastIndexOf('/') + 1);
  const lines = result.startLine === result.endLine ? `line ${result.startLine}` : `lines ${result.startLine}–${result.endLine}`;
  const where = result.page ? `${lines}, page ${result.page}` : lines;
  // The lines that matched, numbered as in the file.
  const firstLines = result.snippet
    .split('\n')
    .map((line, i) => ({ number: result.snippetStartLine + i, text: line.trim() }))
    .filter(({ text }) => text && text !== '…')
    .slice(0, 2)
    .map(({ number, text }) => `${number}: ${text}`)
    .join(' ⏎ ');
  return {
    label: `$(${iconOf(result.language)}) ${name}${result.symbol ? ` · ${result.symbol}` : ''}`,
    description: `${multiFolder ? result.folderName + ' · ' : ''}${result.path} · ${where} · ${result.score.toFixed(2)}`,
    detail: firstLines,
    alwaysShow: true,
    result,
  };
}

function iconOf(language: string): string {
  if (language === 'pdf' || language === 'docx') return 'file-text';
  if (language === 'markdown' || language === 'plaintext') return 'book';
  return 'file-code';
}

export async function preview(result: WorkspaceSearchResult, asPreview: boolean): Promise<void> {
  try {
    await openLocation(
      { uri: vscode.Uri.parse(result.uri), startLine: result.startLine, endLine: result.endLine, page: result.page },
      { preview: asPreview, preserveFocus: asPreview },
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Quipu could not open ${result.path}: ${(error as Error).message}`);
  }
}
