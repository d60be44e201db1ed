/**
 * The status bar item: always there while a folder is open, showing what the index is doing.
 * Clicking it shows the index status.
 */
import * as vscode from 'vscode';
import { progressText } from './controller';
import type { IndexState } from './panel/protocol';

export class IndexStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('quipu.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Quipu Index';
    this.item.command = 'quipu.showStatus';
  }

  update(state: IndexState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state.phase) {
      case 'no-folder':
        item.hide();
        return;
      case 'untrusted':
        item.text = '$(shield) Quipu';
        item.tooltip = 'Quipu indexes trusted workspaces only.';
        break;
      case 'indexing': {
        const p = state.progress;
        item.text = `$(sync~spin) Quipu ${p?.filesTotal !== undefined ? `${p.filesDone}/${p.filesTotal}` : `${p?.filesDone ?? 0}…`}`;
        item.tooltip = `Quipu is indexing: ${progressText(state)}${p?.currentFile ? `\n${p.currentFile}` : ''}`;
        break;
      }
      case 'paused':
        item.text = '$(debug-pause) Quipu paused';
        item.tooltip = 'Quipu indexing is paused. Run "Quipu: Resume Indexing" to continue.';
        break;
      case 'error':
        item.text = '$(warning) Quipu';
        item.tooltip = state.message ?? 'Quipu could not index the workspace.';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'not-indexed':
        item.text = '$(database) Quipu: not indexed';
        item.tooltip = state.message ?? 'Run "Quipu: Index Workspace" to index this workspace.';
        break;
      case 'ready':
        item.text = `$(database) Quipu ${state.files} files`;
        item.tooltip = `Quipu: ${state.files} files, ${state.chunks} chunks indexed.${state.message ? `\n${state.message}` : ''}`;
        break;
    }
    // Where the code goes to be embedded is always in view: another machine shows a cloud.
    if (state.remoteEmbedder) {
      item.text = item.text.replace(/^\$\([\w~-]+\)/, (icon) => `${icon} $(cloud)`);
      item.tooltip = `${item.tooltip}\nEmbeddings computed at ${state.remoteEmbedder}.`;
    } else if (state.phase !== 'untrusted') item.tooltip = `${item.tooltip}\nEmbeddings computed on this machine.`;
    item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
