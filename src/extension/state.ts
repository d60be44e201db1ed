/**
 * The one `IndexState` the status bar, the panel and the status report render, computed from what
 * the engine host, the folder keeper and the folders' index statuses say.
 */
import type { IndexStatus } from '../core/engine/engine';
import type { IndexProgress } from '../core/pipeline/events';
import type { TeamSessionState } from '../core/team/team-session';
import type { IndexState } from '../shared/panel-protocol';
import type { QuipuSettings } from './settings';

export interface StateInputs {
  settings: QuipuSettings;
  trusted: boolean;
  /** Every workspace folder's index status (undefined until read) and problem (the first one found is shown). */
  folders: { status?: IndexStatus; problem?: string }[];
  /** The folder a team index serves, when one is set. */
  teamFolder?: { name: string; status?: IndexStatus };
  paused: boolean;
  busy: boolean;
  progress?: IndexProgress;
  engineProblem?: string;
  teamProblem?: string;
  teamState?: TeamSessionState;
}

export function indexStateOf(inputs: StateInputs): IndexState {
  const { folders, teamFolder, teamState } = inputs;
  const files = folders.reduce((n, f) => n + (f.status?.files ?? 0), 0);
  const chunks = folders.reduce((n, f) => n + (f.status?.chunks ?? 0), 0);
  const refused = teamState?.error?.includes('QUIPU_TEAM_TOKEN') ? ' (or run "Quipu: Set Team Index Token")' : '';
  const teamError = inputs.teamProblem ?? (teamState?.error ? `${teamState.error}${refused}` : undefined);
  const problem = inputs.engineProblem ?? teamError ?? folders.find((f) => f.problem)?.problem;
  let state: IndexState;
  if (folders.length === 0) state = { phase: 'no-folder', files, chunks };
  else if (!inputs.trusted) state = { phase: 'untrusted', files, chunks, message: 'Quipu indexes trusted workspaces only.' };
  else if (inputs.paused) state = { phase: 'paused', files, chunks, message: 'Indexing is paused; search uses what is indexed.' };
  else if (inputs.busy) {
    const p = inputs.progress;
    state = {
      phase: 'indexing',
      files,
      chunks,
      progress: {
        filesDone: p ? p.filesIndexed + p.filesUnchanged : 0,
        filesTotal: p?.discoveryDone ? p.filesToIndex + p.filesUnchanged : undefined,
        chunksPerSecond: p?.chunksPerSecond ?? 0,
        etaSeconds: p?.etaSeconds,
        currentFile: p?.currentFile,
      },
    };
  } else if (problem && !inputs.engineProblem && files > 0) state = { phase: 'ready', files, chunks, message: problem };
  else if (problem) state = { phase: 'error', files, chunks, message: problem };
  else if (files === 0 && teamFolder && teamState?.available !== undefined) state = { phase: 'ready', files, chunks };
  else if (files === 0) {
    const stale = folders.find((f) => f.status?.staleReason)?.status?.staleReason;
    state = { phase: 'not-indexed', files, chunks, message: stale ? `The index must be rebuilt: ${stale}.` : undefined };
  } else state = { phase: 'ready', files, chunks };
  const remote = inputs.settings.embedder;
  if (remote) state.remoteEmbedder = `${remote.url} (model ${remote.model || 'unnamed'})`;
  const target = inputs.settings.teamIndex;
  if (target && teamFolder) {
    state.team = {
      url: target.url,
      collection: target.collection,
      folderName: teamFolder.name,
      ...(teamState?.commit ? { commit: teamState.commit } : {}),
      ...(teamState?.updatedAt ? { updatedAt: teamState.updatedAt } : {}),
      ...(teamState?.available !== undefined ? { available: teamState.available } : {}),
      ...(teamState?.notice ? { notice: teamState.notice } : {}),
      ...(teamError ? { error: teamError } : {}),
      overlayFiles: teamFolder.status?.files ?? 0,
    };
  }
  return state;
}

/** "120 / 400 files · 35 chunks/s · about 1 min left". */
export function progressText(state: IndexState): string {
  const p = state.progress;
  if (!p) return '';
  const parts = [p.filesTotal !== undefined ? `${p.filesDone} / ${p.filesTotal} files` : `${p.filesDone} files`];
  if (p.chunksPerSecond > 0) parts.push(`${p.chunksPerSecond.toFixed(0)} chunks/s`);
  if (p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds)) {
    parts.push(p.etaSeconds < 60 ? 'less than a minute left' : `about ${Math.round(p.etaSeconds / 60)} min left`);
  }
  return parts.join(' · ');
}
