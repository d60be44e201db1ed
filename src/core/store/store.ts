/**
 * The index of one folder: vectors in shards, chunk texts beside them, and a catalog of what is
 * indexed, all tied together by one manifest (layout.ts). `IndexStore` is the one handle callers
 * hold; each of its jobs is a module of its own:
 *
 *   open.ts          what opening finds, and why an index must be rebuilt (reasons: manifest.ts)
 *   manifest.ts      the manifest: read, checked, written
 *   catalog.ts       the catalog: read, checked, written
 *   shard-cache.ts   the committed shards in memory, loaded on first use
 *   texts.ts         the chunk texts of each file version
 *   commit.ts        staged changes, committed in one atomic step
 *   housekeeping.ts  files the manifest no longer names; sizes against the recorded sums; disk use
 *
 * A writer holds the folder's lock (lock.ts) from open to close.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeWriteHost, type WriteHost } from '../files/host';
import { commitStaged, resetShards, Staging } from './commit';
import { damageBySize, folderSize } from './housekeeping';
import { LOCK_FILE } from './layout';
import { acquireLock, type IndexLock, type LockOptions } from './lock';
import { openIndexState } from './open';
import { rowAsFloats, ShardCache } from './shard-cache';
import { TextFiles } from './texts';
import { IndexCorruptError, type CatalogEntry, type ChunkRecord, type FileUpdate, type IndexState, type SearchableShard, type StoreIdentity, type Tier } from './types';

/** Chunks of each tier in a committed index. */
export interface TierCounts {
  fast: number;
  deep: number;
}

export class IndexStore {
  private readonly staging = new Staging();
  private readonly shards: ShardCache;
  private readonly textFiles: TextFiles;
  private countedCatalog?: ReadonlyMap<string, CatalogEntry>;
  private countedChunks = 0;
  private countedFast = 0;
  /**
   * Told of a damaged file that callers go on without (a result shown without its text, where a
   * damaged shard fails the search): the engine leaves a note for the next writer to repair it.
   */
  onDamage?: (error: IndexCorruptError) => void;

  private constructor(
    private readonly state: IndexState,
    private readonly lock: IndexLock | undefined,
    /** Why the existing index was discarded, when it was. */
    readonly rebuildReason: string | undefined,
  ) {
    this.shards = new ShardCache(state);
    this.textFiles = new TextFiles(state, (error) => this.onDamage?.(error));
  }

  /**
   * Opens (or creates) the index in `dir`. With `write`, takes the folder's lock: a second writer
   * gets IndexLockedError instead of corrupting the index. An index built with another model or
   * other chunk settings is discarded and `rebuildReason` says why.
   */
  static async open(
    dir: string,
    identity: StoreIdentity,
    options: { write: boolean; forceRebuild?: boolean; /** For a new index only. */ shards?: number; writeHost?: WriteHost; lock?: LockOptions },
  ): Promise<IndexStore> {
    // A reader leaves the disk alone: asking about a folder never indexed must not create its index folder.
    if (options.write) await mkdir(dir, { recursive: true });
    const lock = options.write ? await acquireLock(join(dir, LOCK_FILE), options.lock) : undefined;
    try {
      const opened = await openIndexState(dir, identity, options, options.writeHost ?? nodeWriteHost);
      return new IndexStore(opened.state, lock, opened.rebuildReason);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  get dir(): string {
    return this.state.dir;
  }

  /** Set when opening took over a lock that a crash left naming no process (see lock.ts). */
  get lockNote(): string | undefined {
    return this.lock?.tookOver;
  }

  get catalog(): ReadonlyMap<string, CatalogEntry> {
    return this.state.catalog;
  }

  get identity(): StoreIdentity {
    const { modelId, chunkKey, dimensions } = this.state.manifest;
    return { modelId, chunkKey, dimensions };
  }

  get updatedAt(): string {
    return this.state.manifest.updatedAt;
  }

  /** The commit named by the last `commit({ commit })`. */
  get indexedCommit(): string | undefined {
    return this.state.manifest.commit;
  }

  get generation(): number {
    return this.state.manifest.catalogGeneration;
  }

  /** Chunks in the committed catalog; counted once per catalog (the writer asks after every file). */
  get chunkCount(): number {
    return this.counted().chunks;
  }

  /** Chunks by the tier of their vector (a deep-only index: every chunk is deep). */
  get tierCounts(): TierCounts {
    const { chunks, fast } = this.counted();
    return { fast, deep: chunks - fast };
  }

  private counted(): { chunks: number; fast: number } {
    if (this.countedCatalog !== this.state.catalog) {
      let chunks = 0;
      let fast = 0;
      for (const entry of this.state.catalog.values()) {
        chunks += entry.chunkIds.length;
        fast += entry.fastChunks ?? 0;
      }
      this.countedChunks = chunks;
      this.countedFast = fast;
      this.countedCatalog = this.state.catalog;
    }
    return { chunks: this.countedChunks, fast: this.countedFast };
  }

  /** Changes staged but not yet committed. */
  get stagedFileCount(): number {
    return this.staging.size;
  }

  stageFile(update: FileUpdate): void {
    this.staging.files.set(update.path, update);
  }

  stageRemoval(path: string): void {
    if (this.state.catalog.has(path) || this.staging.files.has(path)) this.staging.files.set(path, null);
  }

  /** Same content, new mtime: only the catalog changes. */
  stageTouch(path: string, size: number, mtimeMs: number): void {
    this.staging.touched.set(path, { size, mtimeMs });
  }

  /** Discards staged changes (for a run that stops before committing them). */
  discardStaged(): void {
    this.staging.clear();
  }

  /** Applies every staged change in one atomic step (`commit`: the commit the folder is at, remembered). */
  commit(options: { commit?: string } = {}): Promise<void> {
    return commitStaged(this.state, this.staging, this.shards, this.textFiles, options);
  }

  /**
   * Forgets whole shards (for `verify --repair`, when a shard's files are damaged): their files leave
   * the catalog and the shards start empty; re-indexing the returned paths fills them again.
   */
  resetShards(shards: number[]): Promise<string[]> {
    return resetShards(this.state, this.shards, shards);
  }

  /** Vectors already stored for a file by model input hash, each with its tier (a fast one is no use to a deep pass), to reuse when the file changes a little. */
  async tieredVectorsOf(path: string): Promise<Map<string, { vector: Float32Array; tier: Tier }>> {
    const entry = this.state.catalog.get(path);
    const vectors = new Map<string, { vector: Float32Array; tier: Tier }>();
    if (!entry) return vectors;
    const { rows, chunkRows } = await this.shards.chunksOf(entry);
    for (const row of chunkRows) if (row !== undefined) vectors.set(rows.metadata[row].inputHash, { vector: rowAsFloats(rows, row), tier: rows.metadata[row].tier });
    return vectors;
  }

  /** A stored file as the indexer staged it (chunks with their texts and vectors), to publish elsewhere. */
  async fileUpdateOf(path: string): Promise<FileUpdate | undefined> {
    const entry = this.state.catalog.get(path);
    if (!entry) return undefined;
    const { rows, chunkRows } = await this.shards.chunksOf(entry);
    const texts = await this.texts(entry.textKey);
    const chunks: ChunkRecord[] = [];
    let ext = '';
    let language = '';
    chunkRows.forEach((row, i) => {
      if (row === undefined) throw new IndexCorruptError(`chunk ${entry.chunkIds[i]} of ${path} is missing from its shard: run \`quipu verify --repair\``);
      const m = rows.metadata[row];
      ext = m.ext;
      language = m.lang;
      chunks.push({ text: texts[m.chunk] ?? '', startLine: m.startLine, endLine: m.endLine, ...(m.page ? { page: m.page } : {}), inputHash: m.inputHash, vector: rowAsFloats(rows, row), tier: m.tier, ...(m.symbol ? { symbol: m.symbol } : {}) });
    });
    return { path, size: entry.size, mtimeMs: entry.mtimeMs, hash: entry.hash, ext, language, chunks };
  }

  /** Every committed shard, loaded for queries (vectors now, the BM25 index when asked for). */
  searchableShards(): Promise<SearchableShard[]> {
    return this.shards.searchableShards();
  }

  /** The chunk texts of one file version. */
  texts(textKey: string): Promise<string[]> {
    return this.textFiles.read(textKey);
  }

  /**
   * Index files whose length is not the one written (or that are empty or gone), by `stat` alone: the
   * shards' files always, with `texts` every texts file too (see housekeeping.ts).
   */
  damageBySize(options: { texts: boolean }): Promise<string | undefined> {
    return damageBySize(this.state, this.textFiles, options.texts);
  }

  diskBytes(): Promise<number> {
    return folderSize(this.state.dir);
  }

  async close(): Promise<void> {
    this.shards.clear();
    await this.lock?.release();
  }
}
