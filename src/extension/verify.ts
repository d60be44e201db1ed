/**
 * "Quipu: Verify Index": `engine.verify` for every folder (core/maintenance/verify.ts), off the extension host's
 * thread for its heavy parts (shards are read as a search reads them; documents are never extracted).
 * Problems are listed in the log; "Repair" re-indexes only what is wrong.
 */
import * as vscode from 'vscode';
import type { VerifyReport } from '../core/maintenance/verify';
import { engineConfig } from './settings';
import type { QuipuController } from './controller';

function summaryOf(r: VerifyReport): string {
  if (r.notIndexedYet) return 'not indexed yet';
  if (r.rebuildReason) return `must be rebuilt: ${r.rebuildReason}`;
  if (r.ok) return `consistent (${r.files} files, ${r.chunks} chunks)`;
  const parts = [
    r.damaged.length && `${r.damaged.length} damaged index files`,
    r.stale.length && `${r.stale.length} changed on disk`,
    r.gone.length && `${r.gone.length} gone from disk`,
    r.missing.length && `${r.missing.length} not indexed`,
  ].filter(Boolean);
  return parts.join(', ');
}

export async function verifyWorkspace(ctl: QuipuController): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Quipu indexes trusted workspaces only.');
    return;
  }
  const engine = await ctl.getEngine();
  const run = async (repair: boolean) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: repair ? 'Quipu: repairing the index' : 'Quipu: verifying the index' }, async () => {
      const results: { name: string; report: VerifyReport }[] = [];
      for (const entry of ctl.allFolders()) {
        const files = engineConfig(ctl.settingsSnapshot, entry.folder).files;
        const { report } = await engine.verify(entry.folder.uri.fsPath, { indexDir: entry.indexDir, files, repair });
        results.push({ name: entry.folder.name, report });
        ctl.log.info(`${entry.folder.name}: verify${repair ? ' --repair' : ''}: ${summaryOf(report)}`);
        for (const d of report.damaged) ctl.log.warn(`  damaged ${d.file}: ${d.problem}`);
        for (const [label, paths] of [['changed on disk', report.stale], ['gone from disk', report.gone], ['not indexed', report.missing]] as const) {
          for (const path of paths) ctl.log.info(`  ${label}: ${path}`);
        }
      }
      return results;
    });
  const results = await run(false);
  const bad = results.filter((r) => !r.report.ok && !r.report.notIndexedYet);
  if (bad.length === 0) {
    void vscode.window.showInformationMessage(`Quipu: ${results.map((r) => `${r.name}: ${summaryOf(r.report)}`).join('; ') || 'no folder to verify'}.`);
    return;
  }
  const choice = await vscode.window.showWarningMessage(`Quipu: ${bad.map((r) => `${r.name}: ${summaryOf(r.report)}`).join('; ')}.`, 'Repair', 'Show Log');
  if (choice === 'Show Log') ctl.log.show();
  if (choice !== 'Repair') return;
  await ctl.keeper.cancelRunning();
  const repaired = await run(true);
  const still = repaired.filter((r) => !r.report.ok && !r.report.notIndexedYet);
  if (still.length === 0) void vscode.window.showInformationMessage('Quipu: the index is repaired and consistent.');
  else void vscode.window.showWarningMessage(`Quipu: still inconsistent after repair (${still.map((r) => r.name).join(', ')}): run "Quipu: Rebuild Index".`);
  await ctl.refreshStatuses();
}
