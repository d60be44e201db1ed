/** What `quipu mcp` adds to the shared text form (core/search/agent-text.ts): notes on freshness and on the tiers. */
import type { TierPlan } from '../core/config/config';
import type { KeptFolderState } from '../core/keeper/folder-keeper';
import type { ServedFolder } from './folders';

/** One line on how fresh a folder's index is, or nothing to say when it is up to date. */
export function freshnessNote(folder: ServedFolder, state: KeptFolderState): string | undefined {
  if (state.lockedBy) return `${folder.name}: another Quipu process is writing this index; these results are what it has committed so far.`;
  if (state.fullPass && state.progress) {
    const p = state.progress;
    return `${folder.name}: an update is running (${p.filesIndexed} of ${p.filesToIndex} changed files done, ${p.filesSeen} seen${p.discoveryDone ? '' : ' so far'}); results may miss recent changes.`;
  }
  if (state.fullPass) return `${folder.name}: a full update is waiting to run; results may miss recent changes.`;
  if (state.pendingFiles > 0) return `${folder.name}: ${state.pendingFiles} changed file(s) not indexed yet (updating in the background); results may not reflect them.`;
  return undefined;
}

/**
 * One line while the deep tier is incomplete: how many chunks are ranked by their fast (static)
 * vectors, and whether the transformer's are being computed; nothing once every chunk is deep, or
 * when the plan has no deep tier (the server was started with `--tiers fast`).
 */
export function tierNote(folder: ServedFolder, state: Pick<KeptFolderState, 'deepRunning' | 'deepPending'>, plan: TierPlan, counts: { fast: number; deep: number } | undefined): string | undefined {
  if (plan === 'fast' || !counts || counts.fast === 0) return undefined;
  const total = counts.fast + counts.deep;
  // Never "0%" or "100%" while some chunks are of each tier.
  const share = counts.deep === 0 ? 100 : Math.min(99, Math.max(1, Math.round((100 * counts.fast) / total)));
  const deep = state.deepRunning
    ? "the deep tier (the transformer's vectors) is being computed in the background"
    : state.deepPending
      ? 'the deep tier waits for other updates to finish'
      : 'the deep tier is incomplete (the next update continues it)';
  return `${folder.name}: ranked with fast-tier (static) vectors for ${share}% of chunks; ${deep}, and results improve as it completes.`;
}
