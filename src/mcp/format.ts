/** What `quipu mcp` adds to the shared text form (core/search/agent-text.ts): notes on freshness. */
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
