/**
 * What opening an index folder finds: the committed index, when it is whole and of the caller's
 * identity; otherwise an empty one and the reason the old one must be rebuilt (a writer clears the
 * folder and writes a fresh manifest; a reader leaves the disk alone).
 */
import type { WriteHost } from '../files/host';
import { readCatalog } from './catalog';
import { clearIndexFiles, removeUncommittedFiles } from './housekeeping';
import { damageReason, FORMAT_VERSION, freshManifest, missingManifestProblem, readManifest, rebuildReason, writeManifest } from './manifest';
import { IndexCorruptError, type CatalogEntry, type IndexState, type Manifest, type StoreIdentity } from './types';

export async function openIndexState(
  dir: string,
  identity: StoreIdentity,
  options: { write: boolean; forceRebuild?: boolean; /** For a new index only. */ shards?: number },
  writeHost: WriteHost,
): Promise<{ state: IndexState; rebuildReason?: string }> {
  const empty = async (reason: string | undefined, clear: boolean) => {
    if (clear) await clearIndexFiles(dir);
    const manifest = freshManifest(identity, options.shards);
    if (options.write) await writeManifest(dir, manifest, writeHost);
    return { state: { dir, manifest, catalog: new Map<string, CatalogEntry>(), writeHost }, rebuildReason: reason };
  };
  let existing: Manifest | undefined;
  let catalog: Map<string, CatalogEntry> | undefined;
  try {
    existing = await readManifest(dir);
    if (existing && existing.formatVersion === FORMAT_VERSION) catalog = await readCatalog(dir, existing);
  } catch (error) {
    // Damaged index files: a reader says so (never a silent empty index) and sees an empty index
    // that says why it must be rebuilt; a writer rebuilds.
    if (!(error instanceof IndexCorruptError)) throw error;
    return empty(damageReason(error, options.write), options.write);
  }
  // No manifest, but index files: it was deleted or lost, and what remains cannot be trusted.
  const orphaned = existing ? undefined : await missingManifestProblem(dir);
  const reason = orphaned ?? (existing ? rebuildReason(existing, identity, { forced: options.forceRebuild }) : undefined);
  if (existing && catalog && !reason) {
    const state: IndexState = { dir, manifest: existing, catalog, writeHost };
    if (options.write) await removeUncommittedFiles(state);
    return { state };
  }
  // A reader cannot rebuild; it sees an empty index of the right identity.
  return empty(reason, options.write && (existing !== undefined || orphaned !== undefined));
}
