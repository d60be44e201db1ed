/**
 * The status bar item: always there while a folder is open, showing what the index is doing.
 * Clicking it shows the index status.
 */
import * as vscode from 'vscode';
import { progressText, tierLines } from './state';
import type { IndexState, TeamIndexState } from '../shared/panel-protocol';

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
        // The deep tier fills in behind, in the background: a share, not a spinner (searching works throughout).
        item.text = `$(database) Quipu ${state.files} files${state.tiers?.deepIncomplete ? ` · deep ${state.tiers.deepPercent}%` : ''}`;
        item.tooltip = `Quipu: ${state.files} files, ${state.chunks} chunks indexed.${state.message ? `\n${state.message}` : ''}`;
        break;
    }
    if (state.team) this.showTeam(state.team, state.phase);
    if (state.tiers && state.tiers.fast + state.tiers.deep > 0 && state.phase !== 'untrusted') item.tooltip = [item.tooltip, ...tierLines(state.tiers)].join('\n');
    // Where the code goes to be embedded is always in view: another machine shows a cloud.
    if (state.remoteEmbedder) {
      item.text = item.text.replace(/^\$\([\w~-]+\)/, (icon) => `${icon} $(cloud)`);
      item.tooltip = `${item.tooltip}\nEmbeddings computed at ${state.remoteEmbedder}.`;
    } else if (state.phase !== 'untrusted') item.tooltip = `${item.tooltip}\nEmbeddings computed on this machine.`;
    item.show();
  }

  /** Searches use a team index: which one, the commit it indexed, and whether it answers now. */
  private showTeam(team: TeamIndexState, phase: IndexState['phase']): void {
    const item = this.item;
    const where = `the team index ${team.collection} at ${team.url}`;
    const fresh = team.commit ? `, commit ${team.commit.slice(0, 12)}` : '';
    const published = team.updatedAt ? ` (published ${new Date(team.updatedAt).toLocaleString()})` : '';
    if (team.error) {
      item.text = `$(warning) Quipu team ${team.collection}`;
      item.tooltip = `Quipu cannot use ${where}: ${team.error}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    if (team.available === false) {
      item.text = `$(warning) Quipu team ${team.collection}: local only`;
      item.tooltip = `Quipu: ${team.notice ?? `${where} does not answer`}.\nSearches show the local changes of ${team.folderName} only, until the server answers again.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    const line = `Searches use ${where}${fresh}${published}, plus ${team.overlayFiles ?? 0} file(s) changed here in ${team.folderName}.`;
    if (phase === 'ready' || phase === 'not-indexed') {
      item.text = `$(database) Quipu team ${team.collection}${team.commit ? ` @ ${team.commit.slice(0, 7)}` : ''}`;
      item.tooltip = team.available === undefined ? `Quipu: searches will use ${where} (not asked yet).` : `Quipu: ${line}`;
    } else item.tooltip = `${typeof item.tooltip === 'string' ? item.tooltip : ''}\n${line}`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
