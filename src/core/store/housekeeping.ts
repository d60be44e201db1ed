/**
 * Keeping the index folder to what the manifest names: the files a commit made obsolete, the
 * leftovers of a commit a killed process never finished, a whole index cleared before a rebuild; and
 * the cheap checks and counts of what is there (sizes against the recorded sums, disk use).
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeObsoleteFile } from './atomic';
import { sizeProblem, type FileSum } from './file-sums';
import { catalogName, catalogPath, LOCK_FILE, lexicalFile, lexicalFileName, manifestPath, SHARDS_DIR, shardDirOf, vectorFile, vectorFileName } from './layout';
import { shardSumsOf } from './manifest';
import type { TextFiles } from './texts';
import type { IndexState, Manifest } from './types';

/** After a commit: the previous catalog, the shard generations it replaced, and texts no file uses any more. */
export async function removeObsolete(state: IndexState, previous: Manifest, obsoleteTextKeys: Set<string>, texts: TextFiles): Promise<void> {
  await removeObsoleteFile(catalogPath(state.dir, previous.catalogGeneration), state.writeHost);
  for (let shard = 0; shard < previous.shards; shard++) {
    const old = previous.shardGenerations[shard];
    if (old && old !== state.manifest.shardGenerations[shard]) {
      const dir = shardDirOf(state.dir, shard);
      await removeObsoleteFile(vectorFile(dir, old), state.writeHost);
      await removeObsoleteFile(lexicalFile(dir, old), state.writeHost);
    }
  }
  for (const key of obsoleteTextKeys) {
    texts.forget(key);
    await removeObsoleteFile(texts.path(key), state.writeHost);
  }
}

/** Leftovers of a commit that a killed process never finished: files the manifest does not name. */
export async function removeUncommittedFiles(state: IndexState): Promise<void> {
  const { dir, manifest } = state;
  const current = catalogName(manifest.catalogGeneration);
  for (const name of await readdir(dir)) {
    if ((name.startsWith('catalog.g') && name !== current) || name.endsWith('.tmp')) {
      await removeObsoleteFile(join(dir, name), state.writeHost);
    }
  }
  const shardsDir = join(dir, SHARDS_DIR);
  if (!existsSync(shardsDir)) return;
  for (const shardName of await readdir(shardsDir)) {
    const shard = Number(shardName.slice(1));
    const generation = manifest.shardGenerations[shard] ?? 0;
    const keep = new Set([vectorFileName(generation), lexicalFileName(generation)]);
    for (const file of await readdir(join(shardsDir, shardName))) {
      if (!keep.has(file)) await removeObsoleteFile(join(shardsDir, shardName, file), state.writeHost);
    }
  }
}

/** Every index file but the lock, before a rebuild. */
export async function clearIndexFiles(dir: string): Promise<void> {
  // The manifest first: a reader meanwhile (or after a crash here) sees index files without one,
  // which says "rebuild", never a manifest naming files already gone (which says "repair").
  await rm(manifestPath(dir), { force: true, maxRetries: 5, retryDelay: 50 });
  for (const name of await readdir(dir)) {
    // Node retries EBUSY/EPERM itself here (a file another process holds on Windows).
    if (name !== LOCK_FILE) await rm(join(dir, name), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

/**
 * Index files whose length is not the one written (or that are empty or gone), found by `stat`
 * alone: a writer's check at open, so a cut or emptied file is repaired rather than read as
 * unchanged. The shards' files always (a few dozen stats); with `withTexts`, every texts file too
 * (one stat per indexed file version: for full runs, which stat every source file anyway).
 */
export async function damageBySize(state: IndexState, texts: TextFiles, withTexts: boolean): Promise<string | undefined> {
  const problemOf = async (file: string, sum: FileSum | undefined) => {
    const size = await stat(file).then(
      (s) => s.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return -1;
        throw error;
      },
    );
    const problem = size < 0 ? 'it is missing' : sizeProblem(size, sum);
    return problem && `${file} is damaged (${problem})`;
  };
  const { manifest } = state;
  for (let shard = 0; shard < manifest.shards; shard++) {
    const generation = manifest.shardGenerations[shard];
    if (!generation) continue;
    const sums = shardSumsOf(manifest, shard);
    const dir = shardDirOf(state.dir, shard);
    const problem = (await problemOf(vectorFile(dir, generation), sums?.vectors)) ?? (await problemOf(lexicalFile(dir, generation), sums?.lexical));
    if (problem) return problem;
  }
  if (!withTexts) return undefined;
  const keys = [...new Set([...state.catalog.values()].map((entry) => entry.textKey))];
  for (let i = 0; i < keys.length; i += 64) {
    const problems = await Promise.all(keys.slice(i, i + 64).map((key) => problemOf(texts.path(key), texts.sumOf(key))));
    const problem = problems.find((p) => p !== undefined);
    if (problem) return problem;
  }
  return undefined;
}

/** Bytes of every file in the index folder (0 when never indexed). */
export async function folderSize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []; // never indexed
    throw error;
  });
  for (const entry of entries) {
    if (entry.isFile()) {
      total += (await stat(join(entry.parentPath, entry.name))).size;
    }
  }
  return total;
}
