/**
 * `quipu verify`: an index checked against itself and against its folder, read-only.
 *
 * Itself: the manifest and catalog parse and name only safe paths and files that exist; every
 * shard's vector file and BM25 file load, hold the same chunks, and hold exactly the chunks the
 * catalog names; every file's texts load and have one text per chunk. Its folder: every catalogued
 * file is still there with the same content (size and mtime first, then the hash, as the indexer
 * decides), and every file the indexer would take is catalogued.
 *
 * A file on disk that is not in the index may have been skipped when indexed (binary, empty, minified):
 * the catalog does not record skips, so `skipReason` asks the indexer's own stages (decode, extract,
 * chunk) whether it would skip it: if so it counts as `notIndexed` (reported, not a problem), if not as
 * `missing`. Without `skipReason`, one older than the last commit is taken to have been skipped.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSettings } from '../config/config';
import { EMBEDDER_RECORD_FILE, EmbedderRecordError, readEmbedderRecord } from '../embed/embedder-record';
import { discoverFiles, type DiscoveredFile } from '../files/discover';
import type { FileHost } from '../files/host';
import { readCatalog } from '../store/catalog';
import { asWritten } from '../store/file-sums';
import { hashText, lexicalFile, MANIFEST_FILE, shardDirOf, textPathOf, vectorFile as vectorFileOf } from '../store/layout';
import { ShardLexicalIndex } from '../store/lexical-index';
import { damageReason, missingManifestProblem, readManifest, rebuildReason, shardSumsOf } from '../store/manifest';
import { deserializeShardRows, type ShardRows } from '../store/shard-file';
import { parseTexts } from '../store/texts';
import { IndexCorruptError, type CatalogEntry, type Manifest, type StoreIdentity } from '../store/types';

export interface DamagedPart {
  /** The index file, relative to the index folder. */
  file: string;
  problem: string;
}

export interface VerifyReport {
  folder: string;
  indexDir: string;
  /** True when the index is whole and agrees with the folder. */
  ok: boolean;
  /** Nothing indexed there yet (not a problem of the index). */
  notIndexedYet: boolean;
  /** The whole index must be rebuilt: manifest or catalog damaged, or another model/settings. */
  rebuildReason?: string;
  files: number;
  chunks: number;
  /** Index files that cannot be read or disagree with each other. */
  damaged: DamagedPart[];
  /** Shards to empty and fill again (their files cannot be read or disagree). */
  damagedShards: number[];
  /** Catalogued files whose own index data (texts, chunks) is damaged. */
  damagedFiles: string[];
  /** In the index, but changed on disk since. */
  stale: string[];
  /** In the index, but no longer on disk (or no longer indexable). */
  gone: string[];
  /** On disk, not in the index, and the indexer would index it. */
  missing: string[];
  /** On disk, not in the index, and skipped by the indexer (binary, empty, no text…): not a problem. */
  notIndexed: number;
}

export interface VerifyContext {
  folder: string;
  indexDir: string;
  identity: StoreIdentity;
  host: FileHost;
  files: FileSettings;
  ignoredDirs?: string[];
  signal?: AbortSignal;
  /** Why the indexer would skip this file (undefined: it would index it). */
  skipReason?: (file: DiscoveredFile) => Promise<string | undefined>;
}

export async function verifyIndex(ctx: VerifyContext): Promise<VerifyReport> {
  const report: VerifyReport = {
    folder: ctx.folder,
    indexDir: ctx.indexDir,
    ok: false,
    notIndexedYet: false,
    files: 0,
    chunks: 0,
    damaged: [],
    damagedShards: [],
    damagedFiles: [],
    stale: [],
    gone: [],
    missing: [],
    notIndexed: 0,
  };
  let manifest: Manifest | undefined;
  let catalog: Map<string, CatalogEntry>;
  try {
    manifest = await readManifest(ctx.indexDir);
    if (!manifest) {
      const orphaned = await missingManifestProblem(ctx.indexDir);
      if (orphaned) {
        report.rebuildReason = orphaned;
        report.damaged.push({ file: MANIFEST_FILE, problem: orphaned });
      } else report.notIndexedYet = true;
      return report;
    }
    const record = await embedderRecordDamage(ctx.indexDir);
    if (record) report.damaged.push(record);
    const identity = rebuildReason(manifest, ctx.identity);
    if (identity) {
      // With the record damaged, the embedder that built it is unknown: say so beside the model change.
      report.rebuildReason = record ? `${identity}; ${record.problem}` : identity;
      return report;
    }
    catalog = await readCatalog(ctx.indexDir, manifest);
  } catch (error) {
    if (!(error instanceof IndexCorruptError)) throw error;
    report.rebuildReason = damageReason(error, false);
    report.damaged.push({ file: /^(\S+)/.exec(error.message)?.[1] ?? MANIFEST_FILE, problem: error.message });
    return report;
  }
  report.files = catalog.size;
  for (const entry of catalog.values()) report.chunks += entry.chunkIds.length;

  await checkShards(ctx.indexDir, manifest, catalog, report);
  await checkTexts(ctx.indexDir, catalog, report);
  await checkFolder(ctx, manifest, catalog, report);
  report.ok = !report.rebuildReason && report.damaged.length === 0 && report.stale.length === 0 && report.gone.length === 0 && report.missing.length === 0;
  return report;
}

/** `embedder.json`, when it cannot say which embedder built the index (a damaged record stops every command). */
async function embedderRecordDamage(dir: string): Promise<DamagedPart | undefined> {
  try {
    await readEmbedderRecord(dir);
    return undefined;
  } catch (error) {
    return { file: EMBEDDER_RECORD_FILE, problem: error instanceof EmbedderRecordError ? `${error.problem}: ${EmbedderRecordError.REMEDY}` : messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code === 'ENOENT' ? 'missing' : (e.message ?? String(error)).slice(0, 200);
}

async function checkShards(dir: string, manifest: Manifest, catalog: Map<string, CatalogEntry>, report: VerifyReport): Promise<void> {
  const expected = new Map<number, Map<string, string>>(); // shard -> chunk id -> path
  for (const [path, entry] of catalog) {
    let ids = expected.get(entry.shard);
    if (!ids) expected.set(entry.shard, (ids = new Map<string, string>()));
    for (const id of entry.chunkIds) ids.set(id, path);
  }
  for (let shard = 0; shard < manifest.shards; shard++) {
    const generation = manifest.shardGenerations[shard];
    const wanted = expected.get(shard) ?? new Map<string, string>();
    const shardDir = shardDirOf(dir, shard);
    const rel = (file: string) => file.slice(dir.length + 1);
    const damage = (file: string, problem: string) => {
      report.damaged.push({ file: rel(file), problem });
      if (!report.damagedShards.includes(shard)) report.damagedShards.push(shard);
    };
    if (!generation) {
      if (wanted.size > 0) damage(shardDir, `the catalog puts ${wanted.size} chunks in shard ${shard}, which was never written`);
      continue;
    }
    const vectorFile = vectorFileOf(shardDir, generation);
    const sums = shardSumsOf(manifest, shard);
    let rows: ShardRows;
    try {
      rows = deserializeShardRows(asWritten(await readFile(vectorFile), sums?.vectors));
    } catch (error) {
      damage(vectorFile, `vectors cannot be read: ${messageOf(error)}`);
      continue;
    }
    const lexFile = lexicalFile(shardDir, generation);
    let lexical: ShardLexicalIndex | undefined;
    try {
      lexical = ShardLexicalIndex.deserialize(asWritten(await readFile(lexFile), sums?.lexical));
    } catch (error) {
      damage(lexFile, `word index cannot be read: ${messageOf(error)}`);
    }
    const found = new Set<string>();
    let stray = 0;
    let misfiled = 0;
    rows.ids.forEach((id, row) => {
      found.add(id);
      const path = wanted.get(id);
      if (!path) stray++;
      else if (path !== rows.metadata[row].path) misfiled++;
    });
    if (rows.dims !== manifest.dimensions) misfiled += rows.ids.length;
    const absent = [...wanted.keys()].filter((id) => !found.has(id));
    if (stray) damage(vectorFile, `${stray} chunks that the catalog does not name`);
    if (misfiled) damage(vectorFile, `${misfiled} chunks filed under another path or of the wrong size`);
    if (absent.length) damage(vectorFile, `${absent.length} chunks of ${new Set(absent.map((id) => wanted.get(id))).size} files are missing`);
    if (lexical) {
      const lexicalIds = new Set(Array.from({ length: lexical.size }, (_, slot) => lexical.idAt(slot)));
      const differ = lexicalIds.size !== found.size || [...found].some((id) => !lexicalIds.has(id));
      if (differ) damage(lexFile, `the word index holds other chunks than the vectors (${lexicalIds.size} vs ${found.size})`);
    }
  }
}

async function checkTexts(dir: string, catalog: Map<string, CatalogEntry>, report: VerifyReport): Promise<void> {
  const checked = new Map<string, string | undefined>();
  for (const [path, entry] of catalog) {
    if (!checked.has(entry.textKey)) {
      let problem: string | undefined;
      try {
        const texts = parseTexts(asWritten(await readFile(textPathOf(dir, entry.textKey)), entry.textSum));
        if (texts.length !== entry.chunkIds.length) problem = `${texts.length} texts for ${entry.chunkIds.length} chunks`;
      } catch (error) {
        problem = messageOf(error);
      }
      checked.set(entry.textKey, problem);
      if (problem) report.damaged.push({ file: textPathOf('', entry.textKey), problem: `texts of ${path}: ${problem}` });
    }
    if (checked.get(entry.textKey)) report.damagedFiles.push(path);
  }
}

async function checkFolder(ctx: VerifyContext, manifest: Manifest, catalog: Map<string, CatalogEntry>, report: VerifyReport): Promise<void> {
  const seen = new Set<string>();
  const committedAt = Date.parse(manifest.updatedAt) || 0;
  const keptUnder: string[] = [];
  for await (const event of discoverFiles(ctx.folder, ctx.host, ctx.files, { signal: ctx.signal, extraIgnoredDirs: ctx.ignoredDirs })) {
    // A folder that cannot be judged (an unreadable ignore file): the indexer keeps what it holds there.
    if (event.kind === 'skip' && event.keepUnder !== undefined) keptUnder.push(event.keepUnder);
    if (event.kind !== 'file') continue;
    const { file } = event;
    const entry = catalog.get(file.path);
    if (!entry) {
      const skipped = ctx.skipReason ? (await ctx.skipReason(file)) !== undefined : file.mtimeMs <= committedAt;
      if (skipped) report.notIndexed++;
      else report.missing.push(file.path);
      continue;
    }
    seen.add(file.path);
    if (entry.size === file.size && entry.mtimeMs === file.mtimeMs) continue;
    // Same content under a new mtime is not stale (the indexer only touches the catalog).
    const same = await ctx.host.readFile(join(ctx.folder, file.path)).then(
      (bytes) => hashText(bytes) === entry.hash,
      () => false,
    );
    if (!same) report.stale.push(file.path);
  }
  const kept = (path: string) => keptUnder.some((folder) => folder === '' || path === folder || path.startsWith(folder + '/'));
  for (const path of catalog.keys()) if (!seen.has(path) && !kept(path)) report.gone.push(path);
}
