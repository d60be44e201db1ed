/**
 * Publishing a local index to another store (a team index): the files whose content the target's
 * catalog does not have are staged with their chunks, texts and vectors as the local index holds
 * them (nothing is embedded again), the files it has that the folder no longer does are removed, and
 * everything goes in as one generation.
 */
import type { IndexStore } from './store';
import type { VectorStore } from './vector-store';

export interface PublishSummary {
  filesUploaded: number;
  filesRemoved: number;
  filesUnchanged: number;
  chunksUploaded: number;
  generation: number;
  commit?: string;
  ms: number;
}

export async function publishIndex(local: IndexStore, target: VectorStore, options: { commit?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<PublishSummary> {
  const started = performance.now();
  await target.refresh();
  const remote = await target.catalog();
  const summary = { filesUploaded: 0, filesRemoved: 0, filesUnchanged: 0, chunksUploaded: 0 };
  const changed = [...local.catalog].filter(([path, entry]) => remote.get(path)?.hash !== entry.hash).map(([path]) => path);
  summary.filesUnchanged = local.catalog.size - changed.length;
  for (const [index, path] of changed.entries()) {
    const update = await local.fileUpdateOf(path);
    if (!update) continue;
    // A team index holds the transformer's vectors only: a file still in the fast tier waits for its deep pass.
    if (update.chunks.some((chunk) => chunk.tier === 'fast')) throw new Error(`${path} has no deep vectors yet (its index run was stopped before the deep tier reached it): index the folder to the end, then publish`);
    target.stageFile(update);
    summary.filesUploaded++;
    summary.chunksUploaded += update.chunks.length;
    options.onProgress?.(index + 1, changed.length);
  }
  for (const path of remote.keys()) {
    if (local.catalog.has(path)) continue;
    target.stageRemoval(path);
    summary.filesRemoved++;
  }
  await target.commit({ commit: options.commit });
  return { ...summary, generation: target.generation(), ...(target.indexedCommit() ? { commit: target.indexedCommit() } : {}), ms: performance.now() - started };
}
