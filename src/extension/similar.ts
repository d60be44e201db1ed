/**
 * "More like this" in the workspace: the chunks most like some lines of an indexed file, from the
 * vectors its index already holds (engine.similar). Used by "Quipu: Find Similar Code" on a selection
 * and by the `quipu_similar` language-model tool.
 */
import * as vscode from 'vscode';
import { FolderPaths, nodeFileHost } from '../core/files/host';
import type { SimilarAnswer } from '../core/search/similar';
import type { WorkspaceSearchResult } from './api';
import type { QuipuController } from './controller';
import { preview, toItem, type ResultItem } from './quickPick';

export interface WorkspaceSimilar {
  source: SimilarAnswer['source'];
  results: WorkspaceSearchResult[];
}

export async function findSimilar(ctl: QuipuController, uri: vscode.Uri, lines: { startLine?: number; endLine?: number }, topK = 10): Promise<WorkspaceSimilar> {
  const entry = ctl.folderOf(uri);
  if (!entry || uri.scheme !== 'file') throw new Error(`${uri.fsPath} is not inside a workspace folder; Quipu only reads the workspace.`);
  const relPath = FolderPaths.of(entry.folder.uri.fsPath, nodeFileHost).rel(uri.fsPath);
  if (!relPath) throw new Error(`${uri.fsPath} is not inside a workspace folder; Quipu only reads the workspace.`);
  const engine = await ctl.getEngine();
  const found = await engine.similar(entry.folder.uri.fsPath, { path: relPath, ...lines }, { indexDir: entry.indexDir, topK });
  return {
    source: found.source,
    results: found.results.map((r) => ({ ...r, uri: vscode.Uri.joinPath(entry.folder.uri, r.path).toString(), folderName: entry.folder.name })),
  };
}

/** "Quipu: Find Similar Code": the selection's lines (or the cursor's), results in a quick pick. Returns what it shows. */
export async function showSimilarQuickPick(ctl: QuipuController): Promise<WorkspaceSimilar | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Quipu: open a file and select the code to find code like it.');
    return undefined;
  }
  const { start, end } = editor.selection;
  const lastLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
  const found = await findSimilar(ctl, editor.document.uri, { startLine: start.line + 1, endLine: lastLine });
  const multiFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const pick = vscode.window.createQuickPick<ResultItem>();
  pick.title = `Quipu: code like ${found.source.path}:${found.source.startLine}–${found.source.endLine}${found.source.symbol ? ` (${found.source.symbol})` : ''}`;
  pick.matchOnDescription = true;
  pick.items = found.results.length ? found.results.map((r) => toItem(r, multiFolder)) : [{ label: 'Nothing similar elsewhere in the index.', alwaysShow: true }];
  let accepted = false;
  const disposables = [
    pick.onDidChangeActive(([item]) => {
      if (item?.result && !accepted) void preview(item.result, true);
    }),
    pick.onDidAccept(() => {
      const item = pick.activeItems[0];
      if (!item?.result) return;
      accepted = true;
      pick.hide();
      void preview(item.result, false);
    }),
    pick.onDidHide(() => {
      for (const d of disposables) d.dispose();
      pick.dispose();
    }),
  ];
  pick.show();
  return found;
}
