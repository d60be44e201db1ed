/**
 * "Quipu: Show Index Status": a read-only Markdown document with, per folder, what is indexed,
 * where, with which model, when, and which files were skipped and why.
 */
import * as vscode from 'vscode';
import { describeChunkKey } from '../core/config/config';
import { usableCores } from '../core/config/cores';
import { describeRuntime } from '../core/embed/runtime';
import { formatBytes } from '../core/files/discover';
import type { QuipuController } from './controller';
import type { IndexState, TierState } from '../shared/panel-protocol';
import { describeTierCounts } from '../shared/tiers';

export const STATUS_SCHEME = 'quipu-status';
export const STATUS_URI = vscode.Uri.from({ scheme: STATUS_SCHEME, path: '/Quipu Index Status.md' });

/** What each plan means, after its name. */
const PLAN_WORDS: Record<TierState['plan'], string> = {
  fast: 'words and static vectors only, computed at tokenizer speed (no transformer)',
  'fast-deep': "words and static vectors first, searchable at once; the transformer's vectors replace them in the background",
  deep: "the transformer's vectors only: a file is searchable once they are computed",
};

/** The report is made again when the phase or the tiers' progress changes. */
function reportKey(state: IndexState): string {
  const t = state.tiers;
  return `${state.phase}|${t ? `${t.plan}:${t.fast}:${t.deep}:${t.deepRunning}:${t.deepPending}` : ''}`;
}

export class StatusReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: QuipuController) {
    // Follow the index while the report is open (phase and tier changes, not every progress tick).
    let last = reportKey(controller.state);
    this.subscription = controller.onDidChangeState((state) => {
      const key = reportKey(state);
      if (key === last) return;
      last = key;
      this.changed.fire(STATUS_URI);
    });
  }

  async provideTextDocumentContent(): Promise<string> {
    await this.controller.refreshStatuses(true);
    const state = this.controller.state;
    const lines = ['# Quipu index status', '', `State: **${state.phase}**${state.message ? ` — ${state.message}` : ''}`, ''];
    const pipeline = this.controller.pipelineSettings;
    const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    if (state.remoteEmbedder) {
      // The local pool does not embed: say where the text goes instead (settings `quipu.embedder.*`).
      lines.push(`Embeddings are computed at ${state.remoteEmbedder}: the files' text is sent there (settings \`quipu.embedder.*\`).`, '');
    } else {
      lines.push(
        `Indexing with ${plural(pipeline.embedWorkers, 'embedding worker')} × ${plural(pipeline.embedThreads, 'ONNX thread')}, ` +
          `${plural(pipeline.batchSize, 'chunk')} per model call, with ${plural(usableCores(), 'core')} to use ` +
          '(settings `quipu.embedWorkers`, `quipu.embedThreads`, `quipu.batchSize`; 0 is the measured default).',
        '',
      );
      const runtime = await this.controller.embeddingRuntime();
      if (runtime) lines.push(`Embedding with the ${describeRuntime(runtime)}.`, '');
    }
    if (state.tiers) {
      lines.push(`Search tiers (setting \`quipu.tiers\`): **${state.tiers.plan}**, ${PLAN_WORDS[state.tiers.plan]}.`, '');
      if (state.tiers.note) lines.push(`Note: ${state.tiers.note}.`, '');
    }
    const team = await this.controller.teamStatus();
    const teamState = state.team;
    if (teamState) {
      lines.push('## Team index', '');
      lines.push(`Searches use the team index **${teamState.collection}** at \`${teamState.url}\` for ${teamState.folderName}, plus a local overlay of the files that differ here (settings \`quipu.teamIndex.*\`).`, '');
      lines.push('| | |', '|---|---|');
      const answering = team?.available ?? teamState.available;
      lines.push(`| Server | ${teamState.error ? `cannot be used: ${teamState.error}` : answering === true ? 'answers' : answering === false ? `does not answer: searches show local changes only (${team?.notice ?? teamState.notice ?? ''})` : 'not asked yet'} |`);
      const commit = team?.commit ?? teamState.commit;
      lines.push(`| Commit indexed | ${commit ?? 'not named by the publisher'} |`);
      if (team?.generation !== undefined) lines.push(`| Generation | ${team.generation} |`);
      const updated = team?.updatedAt ?? teamState.updatedAt;
      if (updated) lines.push(`| Published | ${new Date(updated).toLocaleString()} |`);
      if (team?.baseFiles !== undefined) lines.push(`| Files in the base | ${team.baseFiles} |`);
      lines.push(`| Changed or added here (overlay) | ${team?.overlayFiles ?? teamState.overlayFiles ?? 0} |`);
      if (team) lines.push(`| Base files replaced or deleted here | ${team.replacedFiles} |`);
      lines.push('');
    }
    for (const entry of this.controller.allFolders()) {
      const s = entry.status;
      lines.push(`## ${entry.folder.name}`, '');
      lines.push('| | |', '|---|---|');
      lines.push(`| Files | ${s?.files ?? 0} |`);
      lines.push(`| Chunks | ${s?.chunks ?? 0} |`);
      lines.push(`| Size on disk | ${formatBytes(s?.diskBytes ?? 0)} |`);
      lines.push(`| Model | ${s?.modelId ?? 'not loaded'} |`);
      lines.push(`| Embeddings computed | ${s?.embeddedBy ?? 'not known yet'} |`);
      if (s?.tiers && !s.staleReason) {
        const { fast } = s.tierCounts;
        lines.push(`| Search tiers | ${describeTierCounts(s.tierCounts)} |`);
        if (s.tiers !== 'fast' && fast > 0) {
          const where = entry.deepRunning ? 'computed in the background now' : entry.deepPending ? 'waiting behind other indexing' : 'incomplete (the next update continues it)';
          lines.push(`| Deep tier | ${where}; searching works meanwhile |`);
        }
      }
      lines.push(`| Chunks made | ${s?.chunkSettings ? describeChunkKey(s.chunkSettings) : ''} |`);
      lines.push(`| Last update | ${s?.updatedAt ? new Date(s.updatedAt).toLocaleString() : 'never'} |`);
      lines.push(`| Index folder | \`${entry.indexDir}\` |`);
      const run = entry.lastSummary;
      if (run) {
        lines.push(
          `| Last run | ${run.cancelled ? 'stopped' : 'completed'}: ${run.filesIndexed} indexed, ${run.filesUnchanged} unchanged, ${run.filesRemoved} removed, ` +
            `${run.chunksEmbedded} chunks embedded in ${run.seconds.toFixed(1)} s |`,
        );
      }
      if (s?.staleReason) lines.push(`| Needs a rebuild | ${s.staleReason} |`);
      if (entry.problem) lines.push(`| Problem | ${entry.problem} |`);
      lines.push('');
      if (entry.skipped.length > 0) {
        lines.push(`### Skipped files (${entry.skipped.length})`, '');
        for (const skipped of entry.skipped.slice(0, 500)) lines.push(`- \`${skipped.path}\`: ${skipped.reason}`);
        if (entry.skipped.length > 500) lines.push(`- … and ${entry.skipped.length - 500} more (see the Quipu output channel)`);
        lines.push('');
      }
    }
    if (this.controller.allFolders().length === 0) lines.push('No folder is open.');
    return lines.join('\n');
  }

  dispose(): void {
    this.changed.dispose();
    this.subscription.dispose();
  }
}
