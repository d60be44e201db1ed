/**
 * The one `IndexState` the status bar, the panel and the status report render, computed from what
 * the engine host, the folder keeper and the folders' index statuses say.
 */
import type { IndexStatus } from '../core/engine/engine';
import type { IndexProgress } from '../core/pipeline/events';
import type { TeamSessionState } from '../core/team/team-session';
import type { IndexState, TierState } from '../shared/panel-protocol';
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
  /** The deep tier in the background (any folder): computed now, or waiting; the run's progress while it runs. */
  deep?: { running: boolean; pending: boolean; progress?: IndexProgress };
  /** Why the engine runs fewer tiers than the setting asks (a remote embedder); the engine's own reason comes with the statuses. */
  tierNote?: string;
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
  const tiers = tierStateOf(inputs);
  if (tiers) state.tiers = tiers;
  return state;
}

/** The tiers of every folder's index as one, once a status was read (the engine's plan is the same for all). */
function tierStateOf(inputs: StateInputs): TierState | undefined {
  const statuses = inputs.folders.flatMap((f) => (f.status?.tiers ? [f.status] : []));
  if (statuses.length === 0) return undefined;
  const fast = statuses.reduce((n, s) => n + (s.tierCounts?.fast ?? 0), 0);
  const deep = statuses.reduce((n, s) => n + (s.tierCounts?.deep ?? 0), 0);
  const plan = statuses[0].tiers;
  const p = inputs.deep?.running && inputs.deep.progress?.tier === 'deep' ? inputs.deep.progress : undefined;
  const note = inputs.tierNote ?? statuses.find((s) => s.tierNote)?.tierNote;
  return {
    plan,
    fast,
    deep,
    deepPercent: fast + deep === 0 ? 100 : Math.floor((100 * deep) / (fast + deep)),
    deepIncomplete: plan !== 'fast' && fast > 0,
    deepRunning: inputs.deep?.running ?? false,
    deepPending: inputs.deep?.pending ?? false,
    ...(p
      ? {
          deepProgress: {
            filesDone: p.filesIndexed,
            ...(p.discoveryDone ? { filesTotal: p.filesToIndex } : {}),
            chunksPerSecond: p.chunksPerSecond,
            ...(p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? { etaSeconds: p.etaSeconds } : {}),
          },
        }
      : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * One line per tier, for the status bar's tooltip and the status report: "Fast tier (words and static
 * vectors): 740 chunks", "Deep tier (the transformer's vectors): 494 of 1,234 chunks (40%), computed
 * in the background now: 12 / 40 files · about 2 min left", then what that means for searching.
 */
export function tierLines(t: TierState): string[] {
  const n = (count: number) => count.toLocaleString('en-US');
  const total = t.fast + t.deep;
  const lines: string[] = [];
  if (t.plan !== 'deep') lines.push(`Fast tier (words and static vectors): ${n(t.fast)} chunk${t.fast === 1 ? '' : 's'}`);
  if (t.plan === 'fast') lines.push('Deep tier: off (setting "quipu.tiers" is fast)');
  else if (!t.deepIncomplete) lines.push(`Deep tier (the transformer's vectors): ${t.plan === 'deep' ? 'all' : 'complete,'} ${n(t.deep)} chunk${t.deep === 1 ? '' : 's'}`);
  else {
    const where = t.deepRunning ? `, computed in the background now${t.deepProgress ? `: ${deepProgressText(t.deepProgress)}` : ''}` : t.deepPending ? ', waiting behind other indexing' : '';
    lines.push(`Deep tier (the transformer's vectors): ${n(t.deep)} of ${n(total)} chunks (${t.deepPercent}%)${where}`);
    lines.push('Searching works meanwhile; chunks without deep vectors are ranked by their fast ones.');
  }
  if (t.note) lines.push(`Note: ${t.note}`);
  return lines;
}

/** "12 / 40 files · about 2 min left". */
function deepProgressText(p: NonNullable<TierState['deepProgress']>): string {
  const parts = [p.filesTotal !== undefined ? `${p.filesDone} / ${p.filesTotal} files` : `${p.filesDone} files`];
  if (p.etaSeconds !== undefined) parts.push(p.etaSeconds < 60 ? 'less than a minute left' : `about ${Math.round(p.etaSeconds / 60)} min left`);
  return parts.join(' · ');
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
