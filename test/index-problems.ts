/**
 * What `verifyIndex` (the check `quipu verify` runs) finds wrong with an index in itself: why it must
 * be rebuilt, and each damaged file with its problem; none when it is whole. The index is judged
 * against an empty folder, and the folder's part of the report is left out: a store test has no
 * folder, and a run killed midway leaves an index behind its folder by design.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FILE_SETTINGS } from '../src/core/config/config';
import { nodeFileHost } from '../src/core/files/host';
import { readManifest } from '../src/core/store/manifest';
import type { StoreIdentity } from '../src/core/store/types';
import { verifyIndex } from '../src/core/maintenance/verify';

/** `identity`: the one to check the index against (by default its own, from its manifest). */
export async function indexProblems(indexDir: string, identity?: StoreIdentity): Promise<string[]> {
  const folder = mkdtempSync(join(tmpdir(), 'quipu-verify-'));
  try {
    const report = await verifyIndex({ folder, indexDir, identity: identity ?? (await ownIdentity(indexDir)), host: nodeFileHost, files: DEFAULT_FILE_SETTINGS });
    return [...(report.rebuildReason ? [report.rebuildReason] : []), ...report.damaged.map((part) => `${part.file}: ${part.problem}`)];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The identity the index's manifest names (none when it cannot be read: `verifyIndex` says why). */
async function ownIdentity(indexDir: string): Promise<StoreIdentity> {
  const manifest = await readManifest(indexDir).catch(() => undefined);
  return { modelId: manifest?.modelId ?? '', chunkKey: manifest?.chunkKey ?? '', dimensions: manifest?.dimensions ?? 0 };
}
