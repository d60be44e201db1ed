/**
 * The index of one folder: vectors in shards, chunk texts beside them, and a catalog of
 * what is indexed, all tied together by one manifest.
 *
 *   <dir>/manifest.json          model id, chunk settings, shard generations, catalog generation
 *   <dir>/catalog.g<N>.json      per file: size, mtime, content hash, model, chunk settings, chunk ids
 *   <dir>/shards/sNN/vectors.gK.bin  the shard's chunks: ids, metadata, float16 vectors (shard-file.ts)
 *   <dir>/shards/sNN/lexical.gK.bin  the shard's BM25 index of the same chunks (same generation)
 *   <dir>/texts/<ab>/<key>.json  the chunk texts of one file version (content-addressed, immutable)
 *
 * Files are spread over shards by a hash of their path, so updating one file rewrites one shard, not
 * the whole index. A commit writes new shard generations and a new catalog, then swaps the manifest
 * atomically: a killed process leaves the previous manifest, which names only complete files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VectorMatrix } from './dot-kernel';
import { HALF_TO_FLOAT } from './half';
import { ShardLexicalIndex, type LexicalDocument } from './lexical-index';
import { nodeWriteHost, type WriteHost } from '../files/host';
import { removeObsoleteFile, writeFileAtomic } from './atomic';
import { acquireLock, type IndexLock, type LockOptions } from './lock';
import { asWritten, isFileSum, sizeProblem, sumOf, type FileSum } from './file-sums';
import { deserializeShardRows, emptyShardRows, serializeShardRows, updatedShardRows, type ShardRows } from './shard-file';

// 2: lexical shards beside the vector shards.
// 3: lexical shards in Quipu's compact binary BM25 form (was MiniSearch JSON).
// 4: the lexical tokenizer makes plurals singular.
// 5: chunks share an embedding by what the model read (`inputHash`), no longer by their text alone.
// 6: vector shards in Quipu's own file (float16 rows, columnar metadata), no longer Vectra protobuf.
// (Still 6 with the files' checksums, `shardSums` and `textSum`: both optional, so an index written
// before them is read and checked by structure until its shards are rewritten, and an older Quipu
// reads a newer index. A bump would re-embed every user's every file for no gain in what is read.)
export const FORMAT_VERSION = 6;
const DEFAULT_SHARDS = 16;

export interface ChunkRecord {
  text: string;
  startLine: number;
  endLine: number;
  /** PDF page (1-based), when known. */
  page?: number;
  /**
   * Hash of what the model read for the chunk (its input ids: path, symbol and text as prepared).
   * Chunks with the same input share one embedding; the same text in two files does not, since
   * each is read with its own path.
   */
  inputHash: string;
  vector: Float32Array;
  /** Enclosing symbol (function, class, heading), when the chunker knows it. */
  symbol?: string;
}

export interface FileUpdate {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  ext: string;
  language: string;
  chunks: ChunkRecord[];
}

export interface CatalogEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  modelId: string;
  chunkKey: string;
  shard: number;
  textKey: string;
  chunkIds: string[];
  /** Length and CRC32 of the texts file (absent in an index written before Quipu kept them). */
  textSum?: FileSum;
}

/** What a shard's committed files must hold, recorded with the generation they were written for. */
export interface ShardSums {
  generation: number;
  vectors: FileSum;
  lexical: FileSum;
}

export interface Manifest {
  formatVersion: number;
  modelId: string;
  chunkKey: string;
  dimensions: number;
  shards: number;
  catalogGeneration: number;
  shardGenerations: number[];
  updatedAt: string;
  /** The commit the folder was at, when the indexer was told (a team index's base). */
  commit?: string;
  /**
   * Per shard, its files' lengths and checksums (null: none). An entry counts only for the generation
   * it names: an older Quipu that rewrites a shard keeps the field as it was, and must not make the new
   * files look damaged. Checked whenever a shard is loaded and by `verify`.
   */
  shardSums?: (ShardSums | null)[];
}

/** The metadata kept for every chunk; all of it filterable. */
export interface ChunkMetadata extends Record<string, string | number | boolean> {
  path: string;
  ext: string;
  lang: string;
  startLine: number;
  endLine: number;
  /** 0 when the file has no pages. */
  page: number;
  /** Position of the chunk's text in its file's texts record. */
  chunk: number;
  textKey: string;
  /** See `ChunkRecord.inputHash`. */
  inputHash: string;
  /** Enclosing symbol (function, class, heading), when known ('' when not). */
  symbol: string;
}

export const INLINE_FIELDS: (keyof ChunkMetadata)[] = ['path', 'ext', 'lang', 'startLine', 'endLine', 'page', 'chunk', 'textKey', 'inputHash', 'symbol'];

export interface StoreIdentity {
  modelId: string;
  /** Chunk settings and tokenizer, as one comparable string. */
  chunkKey: string;
  dimensions: number;
}

export interface StoreHit {
  id: string;
  score: number;
  metadata: ChunkMetadata;
}

/**
 * A committed shard as search reads it: its chunks' ids and metadata by row, its vectors (unit
 * length) in the same rows, and, loaded on demand, its BM25 index with each slot's row. The store
 * holds and returns; ranking across shards, filters and fusion are search's (search/candidates.ts).
 */
export interface SearchableShard {
  ids: readonly string[];
  metadata: readonly ChunkMetadata[];
  vectors: VectorMatrix;
  lexical(): Promise<{ index: ShardLexicalIndex; rows: Int32Array }>;
}

interface Shard {
  number: number;
  dir: string;
  /** The generation reads see (the manifest's); 0 means the shard has never been written. */
  committed: number;
  /** Its chunks, loaded on first read or write. */
  rows?: ShardRows;
  /** Chunk id → row of `rows`; built when first asked, dropped with `rows`. */
  rowOf?: Map<string, number>;
  /** Loaded on first lexical query or write. */
  lexical?: ShardLexicalIndex;
  /** The shard's vectors as one matrix, built on first query (see `matrixOf`). */
  matrix?: ShardMatrix;
  /** Lexical slot → matrix row (see `lexicalRowsOf`); dropped with the matrix. */
  lexicalRows?: Int32Array;
}

/** A shard's vectors as a matrix scored by a SIMD kernel (over the loaded rows, not a copy), with their ids and metadata. */
interface ShardMatrix {
  ids: string[];
  metadata: ChunkMetadata[];
  vectors: VectorMatrix;
  rowOf: Map<string, number>;
}

export class IndexStore {
  private readonly shardIndexes = new Map<number, Shard>();
  private readonly staged = new Map<string, FileUpdate | null>();
  private readonly touched = new Map<string, { size: number; mtimeMs: number }>();
  private readonly textCache = new Map<string, string[]>();
  private countedCatalog?: ReadonlyMap<string, CatalogEntry>;
  private countedChunks = 0;
  /** Texts key → what its file must hold, for the catalog it was built from. */
  private textSums?: { catalog: ReadonlyMap<string, CatalogEntry>; sums: Map<string, FileSum> };
  /**
   * Told of a damaged file that callers go on without (a result shown without its text, where a
   * damaged shard fails the search): the engine leaves a note for the next writer to repair it.
   */
  onDamage?: (error: IndexCorruptError) => void;

  private constructor(
    readonly dir: string,
    private manifest: Manifest,
    private catalogMap: Map<string, CatalogEntry>,
    private readonly lock: IndexLock | undefined,
    /** Why the existing index was discarded, when it was. */
    readonly rebuildReason: string | undefined,
    /** Where the index's own writes go (tests make it fail as Windows does). */
    private readonly writeHost: WriteHost = nodeWriteHost,
  ) {}

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
    const host = options.writeHost ?? nodeWriteHost;
    // A reader leaves the disk alone: asking about a folder never indexed must not create its index folder.
    if (options.write) await mkdir(dir, { recursive: true });
    const lock = options.write ? await acquireLock(join(dir, 'index.lock'), options.lock) : undefined;
    try {
      let existing: Manifest | undefined;
      let catalog: Map<string, CatalogEntry> | undefined;
      let reason: string | undefined;
      try {
        existing = await readManifest(dir);
        if (existing && existing.formatVersion === FORMAT_VERSION) catalog = await readCatalog(dir, existing);
      } catch (error) {
        // Damaged index files: a reader says so (never a silent empty index); a writer rebuilds.
        if (!(error instanceof IndexCorruptError)) throw error;
        // A reader cannot rebuild; it sees an empty index that says why it must be rebuilt.
        if (!options.write) return new IndexStore(dir, freshManifest(identity, options.shards), new Map(), undefined, `the index is damaged (${error.message})`, host);
        await clearIndexFiles(dir);
        const manifest = freshManifest(identity, options.shards);
        await writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest), host);
        return new IndexStore(dir, manifest, new Map(), lock, `the index was damaged (${error.message})`, host);
      }
      // No manifest, but index files: it was deleted or lost, and what remains cannot be trusted.
      const orphaned = existing ? undefined : await missingManifestProblem(dir);
      if (orphaned) reason = orphaned;
      else if (existing && options.forceRebuild) reason = 'a rebuild was requested';
      else if (existing && existing.formatVersion !== FORMAT_VERSION) reason = `the index format changed (${existing.formatVersion} → ${FORMAT_VERSION})`;
      else if (existing && existing.modelId !== identity.modelId) reason = `the model changed (${existing.modelId} → ${identity.modelId})`;
      else if (existing && existing.chunkKey !== identity.chunkKey) reason = chunkKeyChange(existing.chunkKey, identity.chunkKey);
      if (existing && !reason && catalog) {
        const store = new IndexStore(dir, existing, catalog, lock, undefined, host);
        if (options.write) await store.removeUncommittedFiles();
        return store;
      }
      if ((existing || orphaned) && !options.write) {
        // A reader cannot rebuild; it sees an empty index of the right identity.
        return new IndexStore(dir, freshManifest(identity, options.shards), new Map(), undefined, reason, host);
      }
      if (existing || orphaned) await clearIndexFiles(dir);
      const manifest = freshManifest(identity, options.shards);
      if (options.write) await writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest), host);
      return new IndexStore(dir, manifest, new Map(), lock, reason, host);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** Set when opening took over a lock that a crash left naming no process (see lock.ts). */
  get lockNote(): string | undefined {
    return this.lock?.tookOver;
  }

  get catalog(): ReadonlyMap<string, CatalogEntry> {
    return this.catalogMap;
  }

  get identity(): StoreIdentity {
    return { modelId: this.manifest.modelId, chunkKey: this.manifest.chunkKey, dimensions: this.manifest.dimensions };
  }

  get updatedAt(): string {
    return this.manifest.updatedAt;
  }

  /** Chunks in the committed catalog; counted once per catalog (the writer asks after every file). */
  get chunkCount(): number {
    if (this.countedCatalog !== this.catalogMap) {
      let count = 0;
      for (const entry of this.catalogMap.values()) count += entry.chunkIds.length;
      this.countedChunks = count;
      this.countedCatalog = this.catalogMap;
    }
    return this.countedChunks;
  }

  /** Changes staged but not yet committed. */
  get stagedFileCount(): number {
    return this.staged.size + this.touched.size;
  }

  stageFile(update: FileUpdate): void {
    this.staged.set(update.path, update);
  }

  stageRemoval(path: string): void {
    if (this.catalogMap.has(path) || this.staged.has(path)) this.staged.set(path, null);
  }

  /** Same content, new mtime: only the catalog changes. */
  stageTouch(path: string, size: number, mtimeMs: number): void {
    this.touched.set(path, { size, mtimeMs });
  }

  /** Vectors already stored for a file, by model input hash, to reuse when the file changes a little. */
  async vectorsOf(path: string): Promise<Map<string, Float32Array>> {
    const entry = this.catalogMap.get(path);
    const vectors = new Map<string, Float32Array>();
    if (!entry) return vectors;
    const shard = await this.shard(entry.shard);
    const rows = await this.rowsOf(shard);
    const rowOf = this.rowIndexOf(shard, rows);
    for (const id of entry.chunkIds) {
      const row = rowOf.get(id);
      if (row !== undefined) vectors.set(rows.metadata[row].inputHash, rowAsFloats(rows, row));
    }
    return vectors;
  }

  /** The commit named by the last `commit({ commit })`. */
  get indexedCommit(): string | undefined {
    return this.manifest.commit;
  }

  get generation(): number {
    return this.manifest.catalogGeneration;
  }

  /** A stored file as the indexer staged it (chunks with their texts and vectors), to publish elsewhere. */
  async fileUpdateOf(path: string): Promise<FileUpdate | undefined> {
    const entry = this.catalogMap.get(path);
    if (!entry) return undefined;
    const shard = await this.shard(entry.shard);
    const rows = await this.rowsOf(shard);
    const rowOf = this.rowIndexOf(shard, rows);
    const texts = await this.texts(entry.textKey);
    const chunks: ChunkRecord[] = [];
    let ext = '';
    let language = '';
    for (const id of entry.chunkIds) {
      const row = rowOf.get(id);
      if (row === undefined) throw new IndexCorruptError(`chunk ${id} of ${path} is missing from its shard: run \`quipu verify --repair\``);
      const m = rows.metadata[row];
      ext = m.ext;
      language = m.lang;
      chunks.push({ text: texts[m.chunk] ?? '', startLine: m.startLine, endLine: m.endLine, ...(m.page ? { page: m.page } : {}), inputHash: m.inputHash, vector: rowAsFloats(rows, row), ...(m.symbol ? { symbol: m.symbol } : {}) });
    }
    return { path, size: entry.size, mtimeMs: entry.mtimeMs, hash: entry.hash, ext, language, chunks };
  }

  /** Applies every staged change in one atomic step (`commit`: the commit the folder is at, remembered). */
  async commit(options: { commit?: string } = {}): Promise<void> {
    const commitChanged = options.commit !== undefined && options.commit !== this.manifest.commit;
    if (this.staged.size === 0 && this.touched.size === 0 && !commitChanged) return;
    const nextCatalog = new Map(this.catalogMap);
    const byShard = new Map<number, { removeIds: string[]; items: { id: string; vector: Float32Array; metadata: ChunkMetadata }[]; lexical: LexicalDocument[] }>();
    const shardWork = (shard: number) => {
      let work = byShard.get(shard);
      if (!work) byShard.set(shard, (work = { removeIds: [], items: [], lexical: [] }));
      return work;
    };
    const obsoleteTextKeys = new Set<string>();

    for (const [path, update] of this.staged) {
      const old = nextCatalog.get(path);
      if (old) {
        shardWork(old.shard).removeIds.push(...old.chunkIds);
        obsoleteTextKeys.add(old.textKey);
        nextCatalog.delete(path);
      }
      if (!update) continue;
      const shard = shardOf(path, this.manifest.shards);
      const textKey = textKeyOf(update.hash, this.manifest.chunkKey, update.language);
      obsoleteTextKeys.delete(textKey);
      const textSum = await this.writeTexts(textKey, update.chunks.map((c) => c.text));
      const idBase = `${hashText(path).slice(0, 12)}-${update.hash.slice(0, 8)}`;
      const chunkIds = update.chunks.map((_, i) => `${idBase}-${i}`);
      update.chunks.forEach((chunk, i) => {
        shardWork(shard).lexical.push({ id: chunkIds[i], text: chunk.text, path, symbol: chunk.symbol });
        shardWork(shard).items.push({
          id: chunkIds[i],
          vector: chunk.vector,
          metadata: {
            path,
            ext: update.ext,
            lang: update.language,
            startLine: chunk.startLine,
            endLine: chunk.endLine,
            page: chunk.page ?? 0,
            chunk: i,
            textKey,
            inputHash: chunk.inputHash,
            symbol: chunk.symbol ?? '',
          },
        });
      });
      nextCatalog.set(path, {
        size: update.size,
        mtimeMs: update.mtimeMs,
        hash: update.hash,
        modelId: this.manifest.modelId,
        chunkKey: this.manifest.chunkKey,
        shard,
        textKey,
        chunkIds,
        textSum,
      });
    }
    for (const [path, stat] of this.touched) {
      const entry = nextCatalog.get(path);
      if (entry && !this.staged.has(path)) nextCatalog.set(path, { ...entry, ...stat });
    }
    for (const entry of nextCatalog.values()) obsoleteTextKeys.delete(entry.textKey);

    // New shard generations, then the catalog, then the manifest that makes them current.
    const shardGenerations = [...this.manifest.shardGenerations];
    const shardSums = this.manifest.shardSums?.slice() ?? new Array<ShardSums | null>(this.manifest.shards).fill(null);
    const written: { shard: Shard; generation: number }[] = [];
    try {
      for (const [shardNumber, work] of byShard) {
        const shard = await this.shard(shardNumber);
        const pending = shard.committed + 1;
        const rows = updatedShardRows(await this.rowsOf(shard), new Set(work.removeIds), work.items);
        const vectorBytes = serializeShardRows(rows);
        await writeFileAtomic(vectorFile(shard.dir, pending), vectorBytes, this.writeHost);
        // The shard's BM25 index follows, under the same generation number.
        const lexical = await this.lexicalOf(shard);
        lexical.remove(work.removeIds);
        lexical.add(work.lexical);
        const lexicalBytes = lexical.serialize();
        await writeFileAtomic(lexicalFile(shard.dir, pending), lexicalBytes, this.writeHost);
        shardSums[shardNumber] = { generation: pending, vectors: sumOf(vectorBytes), lexical: sumOf(lexicalBytes) };
        shard.rows = rows;
        shard.rowOf = undefined;
        shard.matrix = undefined;
        shard.lexicalRows = undefined;
        shardGenerations[shardNumber] = pending;
        written.push({ shard, generation: pending });
      }
      const manifest: Manifest = {
        ...this.manifest,
        catalogGeneration: this.manifest.catalogGeneration + 1,
        shardGenerations,
        shardSums,
        updatedAt: new Date().toISOString(),
        ...(options.commit !== undefined ? { commit: options.commit } : {}),
      };
      await writeFileAtomic(join(this.dir, `catalog.g${manifest.catalogGeneration}.json`), JSON.stringify(Object.fromEntries(nextCatalog)), this.writeHost);
      await writeFileAtomic(join(this.dir, 'manifest.json'), JSON.stringify(manifest, null, 1), this.writeHost);
      const previous = this.manifest;
      this.manifest = manifest;
      this.catalogMap = nextCatalog;
      for (const { shard, generation } of written) shard.committed = generation;
      this.staged.clear();
      this.touched.clear();
      await this.removeObsolete(previous, obsoleteTextKeys);
    } catch (error) {
      // The manifest still names the last good generation: forget what this commit loaded
      // (vectors and lexical indexes alike, since both were changed in memory).
      this.shardIndexes.clear();
      throw error;
    }
  }

  /**
   * Forgets whole shards (for `verify --repair`, when a shard's files are damaged): their files leave
   * the catalog and the shards start empty, in one commit of the manifest; re-indexing the returned
   * paths fills them again. The damaged files are left for the next writer's housekeeping.
   */
  async resetShards(shards: number[]): Promise<string[]> {
    const reset = new Set(shards);
    const forgotten: string[] = [];
    const nextCatalog = new Map(this.catalogMap);
    for (const [path, entry] of this.catalogMap) {
      if (reset.has(entry.shard)) {
        nextCatalog.delete(path);
        forgotten.push(path);
      }
    }
    const manifest: Manifest = {
      ...this.manifest,
      catalogGeneration: this.manifest.catalogGeneration + 1,
      shardGenerations: this.manifest.shardGenerations.map((g, shard) => (reset.has(shard) ? 0 : g)),
      ...(this.manifest.shardSums ? { shardSums: this.manifest.shardSums.map((sums, shard) => (reset.has(shard) ? null : sums)) } : {}),
      updatedAt: new Date().toISOString(),
    };
    await writeFileAtomic(join(this.dir, `catalog.g${manifest.catalogGeneration}.json`), JSON.stringify(Object.fromEntries(nextCatalog)), this.writeHost);
    await writeFileAtomic(join(this.dir, 'manifest.json'), JSON.stringify(manifest, null, 1), this.writeHost);
    await removeObsoleteFile(join(this.dir, `catalog.g${this.manifest.catalogGeneration}.json`), this.writeHost);
    this.manifest = manifest;
    this.catalogMap = nextCatalog;
    for (const shard of reset) this.shardIndexes.delete(shard);
    return forgotten;
  }

  /** Discards staged changes (for a run that stops before committing them). */
  discardStaged(): void {
    this.staged.clear();
    this.touched.clear();
  }

  /** Every committed shard, loaded for queries (vectors now, the BM25 index when asked for). */
  async searchableShards(): Promise<SearchableShard[]> {
    const shards: SearchableShard[] = [];
    for (let shardNumber = 0; shardNumber < this.manifest.shards; shardNumber++) {
      if (!this.manifest.shardGenerations[shardNumber]) continue;
      const shard = await this.shard(shardNumber);
      const matrix = await this.matrixOf(shard);
      shards.push({
        ids: matrix.ids,
        metadata: matrix.metadata,
        vectors: matrix.vectors,
        lexical: async () => {
          const index = await this.lexicalOf(shard);
          return { index, rows: this.lexicalRowsOf(shard, matrix, index) };
        },
      });
    }
    return shards;
  }

  /**
   * For each document of a shard's lexical index, its row in the shard's vector matrix (−1 if none),
   * so filters read a chunk's metadata by position instead of looking its id up per candidate.
   */
  private lexicalRowsOf(shard: Shard, matrix: ShardMatrix, index: ShardLexicalIndex): Int32Array {
    if (shard.lexicalRows) return shard.lexicalRows;
    const rows = new Int32Array(index.size);
    for (let slot = 0; slot < rows.length; slot++) rows[slot] = matrix.rowOf.get(index.idAt(slot)) ?? -1;
    shard.lexicalRows = rows;
    return rows;
  }

  private async matrixOf(shard: Shard): Promise<ShardMatrix> {
    if (shard.matrix) return shard.matrix;
    const rows = await this.rowsOf(shard);
    // The matrix adopts the loaded float16 rows and derives its int8 rows from them.
    const vectors = new VectorMatrix(rows.ids.length, rows.dims, 'wasm', rows.halves);
    shard.matrix = { ids: rows.ids, metadata: rows.metadata, vectors, rowOf: this.rowIndexOf(shard, rows) };
    return shard.matrix;
  }

  /** A shard's chunks: its committed file, read once. */
  private async rowsOf(shard: Shard): Promise<ShardRows> {
    if (!shard.rows) {
      const file = vectorFile(shard.dir, shard.committed);
      const sum = shardSumsOf(this.manifest, shard.number)?.vectors;
      shard.rows = shard.committed > 0 ? await readFile(file).then((bytes) => deserializeShardRows(asWritten(bytes, sum))).catch(this.damaged(file)) : emptyShardRows(this.manifest.dimensions);
    }
    return shard.rows;
  }

  private rowIndexOf(shard: Shard, rows: ShardRows): Map<string, number> {
    if (!shard.rowOf || shard.rows !== rows) shard.rowOf = new Map(rows.ids.map((id, row) => [id, row]));
    return shard.rowOf;
  }

  /** The chunk texts of one file version. */
  async texts(textKey: string): Promise<string[]> {
    const cached = this.textCache.get(textKey);
    if (cached) return cached;
    const file = this.textPath(textKey);
    const texts = await readFile(file)
      .then((bytes) => parseTexts(asWritten(bytes, this.textSumOf(textKey))))
      .catch(this.damaged(file, true));
    if (this.textCache.size > 256) this.textCache.delete(this.textCache.keys().next().value!);
    this.textCache.set(textKey, texts);
    return texts;
  }

  /**
   * Checks that the catalog and the shards agree: every chunk the catalog names is in its shard and
   * every stored chunk belongs to a catalogued file. Returns the problems found (none when sound).
   */
  async verify(): Promise<string[]> {
    const problems: string[] = [];
    const expected = new Map<string, string>();
    for (const [path, entry] of this.catalogMap) for (const id of entry.chunkIds) expected.set(id, path);
    for (let shard = 0; shard < this.manifest.shards; shard++) {
      if (!this.manifest.shardGenerations[shard]) continue;
      const rows = await this.rowsOf(await this.shard(shard));
      rows.ids.forEach((id, row) => {
        const { path: filed } = rows.metadata[row];
        const path = expected.get(id);
        if (!path) problems.push(`shard ${shard} holds ${id} (${filed}), which the catalog does not name`);
        else if (path !== filed) problems.push(`chunk ${id} is filed under ${filed}, not ${path}`);
        expected.delete(id);
      });
    }
    for (const [id, path] of expected) problems.push(`chunk ${id} of ${path} is missing from its shard`);
    for (const entry of this.catalogMap.values()) {
      if (!existsSync(this.textPath(entry.textKey))) problems.push(`texts ${entry.textKey} are missing`);
    }
    return problems;
  }

  async diskBytes(): Promise<number> {
    return folderSize(this.dir);
  }

  async close(): Promise<void> {
    this.shardIndexes.clear();
    await this.lock?.release();
  }

  private shard(shardNumber: number): Promise<Shard> {
    let shard = this.shardIndexes.get(shardNumber);
    if (!shard) {
      shard = { number: shardNumber, dir: shardDirOf(this.dir, shardNumber), committed: this.manifest.shardGenerations[shardNumber] ?? 0 };
      this.shardIndexes.set(shardNumber, shard);
    }
    return Promise.resolve(shard);
  }

  private async lexicalOf(shard: Shard): Promise<ShardLexicalIndex> {
    if (!shard.lexical) {
      const generation = shard.committed;
      const file = lexicalFile(shard.dir, generation);
      const sum = shardSumsOf(this.manifest, shard.number)?.lexical;
      shard.lexical = generation > 0 ? await readFile(file).then((bytes) => ShardLexicalIndex.deserialize(asWritten(bytes, sum))).catch(this.damaged(file)) : ShardLexicalIndex.empty();
    }
    return shard.lexical;
  }

  private textPath(textKey: string): string {
    return join(this.dir, 'texts', textKey.slice(0, 2), `${textKey}.json`);
  }

  /** Writes a file version's texts unless they are there (the same key, the same bytes); returns what the file holds. */
  private async writeTexts(textKey: string, texts: string[]): Promise<FileSum> {
    const path = this.textPath(textKey);
    const content = Buffer.from(JSON.stringify(texts), 'utf8');
    if (!existsSync(path)) await writeFileAtomic(path, content, this.writeHost);
    return sumOf(content);
  }

  private textSumOf(textKey: string): FileSum | undefined {
    if (this.textSums?.catalog !== this.catalogMap) {
      const sums = new Map<string, FileSum>();
      for (const entry of this.catalogMap.values()) if (entry.textSum) sums.set(entry.textKey, entry.textSum);
      this.textSums = { catalog: this.catalogMap, sums };
    }
    return this.textSums.sums.get(textKey);
  }

  /**
   * Index files whose length is not the one written (or that are empty or gone), found by `stat`
   * alone: a writer's check at open, so a cut or emptied file is repaired rather than read as
   * unchanged. The shards' files always (a few dozen stats); with `texts`, every texts file too
   * (one stat per indexed file version: for full runs, which stat every source file anyway).
   */
  async damageBySize(options: { texts: boolean }): Promise<string | undefined> {
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
    for (let shard = 0; shard < this.manifest.shards; shard++) {
      const generation = this.manifest.shardGenerations[shard];
      if (!generation) continue;
      const sums = shardSumsOf(this.manifest, shard);
      const dir = shardDirOf(this.dir, shard);
      const problem = (await problemOf(vectorFile(dir, generation), sums?.vectors)) ?? (await problemOf(lexicalFile(dir, generation), sums?.lexical));
      if (problem) return problem;
    }
    if (!options.texts) return undefined;
    const keys = [...new Set([...this.catalogMap.values()].map((entry) => entry.textKey))];
    for (let i = 0; i < keys.length; i += 64) {
      const problems = await Promise.all(keys.slice(i, i + 64).map((key) => problemOf(this.textPath(key), this.textSumOf(key))));
      const problem = problems.find((p) => p !== undefined);
      if (problem) return problem;
    }
    return undefined;
  }

  /**
   * Wraps a failure to read an index file as what it is, naming the file (a vanished file stays
   * ENOENT: a writer may have just replaced it). With `tell`, for reads callers go on without (texts),
   * `onDamage` hears of it too.
   */
  private damaged(file: string, tell = false) {
    return (error: unknown): never => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
      const corrupt = error instanceof IndexCorruptError ? error : new IndexCorruptError(`${file} cannot be read (${(error as Error).message}): run \`quipu verify --repair\` (the next \`quipu index\` repairs it too)`, file);
      if (tell) this.onDamage?.(corrupt);
      throw corrupt;
    };
  }

  private async removeObsolete(previous: Manifest, obsoleteTextKeys: Set<string>): Promise<void> {
    await removeObsoleteFile(join(this.dir, `catalog.g${previous.catalogGeneration}.json`), this.writeHost);
    for (let shard = 0; shard < previous.shards; shard++) {
      const old = previous.shardGenerations[shard];
      if (old && old !== this.manifest.shardGenerations[shard]) {
        const dir = join(this.dir, 'shards', `s${String(shard).padStart(2, '0')}`);
        await removeObsoleteFile(vectorFile(dir, old), this.writeHost);
        await removeObsoleteFile(lexicalFile(dir, old), this.writeHost);
      }
    }
    for (const key of obsoleteTextKeys) {
      this.textCache.delete(key);
      await removeObsoleteFile(this.textPath(key), this.writeHost);
    }
  }

  /** Leftovers of a commit that a killed process never finished: files the manifest does not name. */
  private async removeUncommittedFiles(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if ((name.startsWith('catalog.g') && name !== `catalog.g${this.manifest.catalogGeneration}.json`) || name.endsWith('.tmp')) {
        await removeObsoleteFile(join(this.dir, name), this.writeHost);
      }
    }
    const shardsDir = join(this.dir, 'shards');
    if (!existsSync(shardsDir)) return;
    for (const shardName of await readdir(shardsDir)) {
      const shard = Number(shardName.slice(1));
      const generation = this.manifest.shardGenerations[shard] ?? 0;
      const keep = new Set([`vectors.g${generation}.bin`, `lexical.g${generation}.bin`]);
      for (const file of await readdir(join(shardsDir, shardName))) {
        if (!keep.has(file)) await removeObsoleteFile(join(shardsDir, shardName, file), this.writeHost);
      }
    }
  }
}

/** Where a shard's files live (for `verify`, which reads them without opening the store). */
export function shardDirOf(dir: string, shard: number): string {
  return join(dir, 'shards', `s${String(shard).padStart(2, '0')}`);
}

export function textPathOf(dir: string, textKey: string): string {
  return join(dir, 'texts', textKey.slice(0, 2), `${textKey}.json`);
}

export function vectorFile(shardDir: string, generation: number): string {
  return join(shardDir, `vectors.g${generation}.bin`);
}

export function lexicalFile(shardDir: string, generation: number): string {
  return join(shardDir, `lexical.g${generation}.bin`);
}

function freshManifest(identity: StoreIdentity, shards = DEFAULT_SHARDS): Manifest {
  return {
    formatVersion: FORMAT_VERSION,
    ...identity,
    shards,
    catalogGeneration: 0,
    shardGenerations: new Array<number>(shards).fill(0),
    shardSums: new Array<ShardSums | null>(shards).fill(null),
    updatedAt: new Date().toISOString(),
  };
}

/** An index file that cannot be read as what it should be; the message names the file and why. */
export class IndexCorruptError extends Error {
  override name = 'IndexCorruptError';

  constructor(
    message: string,
    /** The damaged file, when one is to blame. */
    readonly file?: string,
  ) {
    super(message);
  }
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = parseJson(text, 'manifest.json') as Manifest;
  const problem = manifestProblem(manifest);
  if (problem) throw new IndexCorruptError(`manifest.json ${problem}`);
  return manifest;
}

/**
 * What is wrong with a manifest, if anything. Its numbers name files (`catalog.g<N>.json`,
 * `vectors.g<N>.bin`), so they must be plain counts: never text that could walk out of the index folder.
 */
export function manifestProblem(m: Manifest): string | undefined {
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'is not an object';
  if (!count(m.formatVersion)) return 'has no format version';
  if (m.formatVersion !== FORMAT_VERSION) return undefined; // an older format: rebuilt, not read
  if (typeof m.modelId !== 'string' || typeof m.chunkKey !== 'string' || !count(m.dimensions)) return 'has no model identity';
  if (!count(m.shards) || m.shards < 1 || m.shards > 4096) return `names ${String(m.shards)} shards`;
  if (!count(m.catalogGeneration)) return 'names no catalog generation';
  if (!Array.isArray(m.shardGenerations) || m.shardGenerations.length !== m.shards || !m.shardGenerations.every(count)) return 'has damaged shard generations';
  const isShardSums = (s: ShardSums | null) => s === null || (typeof s === 'object' && count(s.generation) && isFileSum(s.vectors) && isFileSum(s.lexical));
  if (m.shardSums !== undefined && (!Array.isArray(m.shardSums) || m.shardSums.length !== m.shards || !m.shardSums.every(isShardSums))) return 'has damaged shard checksums';
  return undefined;
}

const HEX_KEY = /^[0-9a-f]{32}$/;

/**
 * A catalog's paths name files inside the indexed folder: relative, forward slashes, no `.` or `..`
 * step, no NUL. Anything else (a hand-made or damaged index) is refused, so results, `verify` and
 * the editor never open a path outside the folder because an index file said so.
 */
export function isSafeIndexPath(path: string): boolean {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) return false;
  if (process.platform === 'win32' && path.includes('\\')) return false;
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return false;
  return path.split('/').every((step) => step !== '' && step !== '.' && step !== '..');
}

function catalogEntryProblem(path: string, e: CatalogEntry, shards: number): string | undefined {
  if (!isSafeIndexPath(path)) return `names a path outside the folder (${JSON.stringify(path)})`;
  if (typeof e !== 'object' || e === null) return `has no entry for ${path}`;
  if (!Number.isSafeInteger(e.shard) || e.shard < 0 || e.shard >= shards) return `puts ${path} in shard ${String(e.shard)}`;
  if (typeof e.textKey !== 'string' || !HEX_KEY.test(e.textKey)) return `has a damaged text key for ${path}`;
  if (!Array.isArray(e.chunkIds) || !e.chunkIds.every((id) => typeof id === 'string')) return `has damaged chunk ids for ${path}`;
  if (typeof e.hash !== 'string' || typeof e.size !== 'number' || typeof e.mtimeMs !== 'number') return `has a damaged entry for ${path}`;
  if (e.textSum !== undefined && !isFileSum(e.textSum)) return `has a damaged texts checksum for ${path}`;
  return undefined;
}

export async function readCatalog(dir: string, manifest: Manifest): Promise<Map<string, CatalogEntry>> {
  const generation = manifest.catalogGeneration;
  if (generation === 0) return new Map();
  const name = `catalog.g${generation}.json`;
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new IndexCorruptError(`${name}, which manifest.json names, is missing`);
    throw error;
  }
  const raw = parseJson(text, name) as Record<string, CatalogEntry>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IndexCorruptError(`${name} is not an object`);
  const catalog = new Map(Object.entries(raw));
  for (const [path, entry] of catalog) {
    const problem = catalogEntryProblem(path, entry, manifest.shards);
    if (problem) throw new IndexCorruptError(`${name} ${problem}`);
  }
  return catalog;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IndexCorruptError(`${name} is not valid JSON (${text.length === 0 ? 'empty' : (error as Error).message})`);
  }
}

async function clearIndexFiles(dir: string): Promise<void> {
  // The manifest first: a reader meanwhile (or after a crash here) sees index files without one,
  // which says "rebuild", never a manifest naming files already gone (which says "repair").
  await rm(join(dir, 'manifest.json'), { force: true, maxRetries: 5, retryDelay: 50 });
  for (const name of await readdir(dir)) {
    // Node retries EBUSY/EPERM itself here (a file another process holds on Windows).
    if (name !== 'index.lock') await rm(join(dir, name), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

async function folderSize(dir: string): Promise<number> {
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

/** One stored row as float32. */
function rowAsFloats(rows: ShardRows, row: number): Float32Array {
  return Float32Array.from(rows.halves.subarray(row * rows.dims, (row + 1) * rows.dims), (h) => HALF_TO_FLOAT[h]);
}

/** A texts file's content: a list of strings, or an error saying what it is instead. */
export function parseTexts(bytes: Buffer): string[] {
  let texts: unknown;
  try {
    texts = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`not valid JSON (${bytes.length === 0 ? 'empty' : (error as Error).message})`);
  }
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) throw new Error('not a list of texts');
  return texts;
}

/** A shard's recorded sums, when they are for its committed generation. */
export function shardSumsOf(manifest: Manifest, shard: number): ShardSums | undefined {
  const sums = manifest.shardSums?.[shard];
  return sums && sums.generation === manifest.shardGenerations[shard] ? sums : undefined;
}

/**
 * What a folder without a manifest still holds of an index (a deleted or lost manifest), as a reason
 * to rebuild it; undefined when it holds none (never indexed).
 */
export async function missingManifestProblem(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [] as string[];
    throw error;
  });
  const left = names.filter((name) => /^catalog\.g\d+\.json$/.test(name) || name === 'shards' || name === 'texts').sort();
  if (left.length === 0) return undefined;
  const named = left.map((name) => (name === 'shards' || name === 'texts' ? `${name}/` : name));
  return `the manifest (${join(dir, 'manifest.json')}) is missing, while ${named.join(', ')} remain`;
}

export function hashText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Where a file's chunk texts are kept: files with the same content share them. The language is part
 * of the key because it decides how the content is cut: the same bytes as `notes.md` and `notes.ts`
 * are different chunks (found by `npm run bench:soak`: one file's texts overwrote the other's).
 */
function textKeyOf(fileHash: string, chunkKey: string, language: string): string {
  return hashText(`${fileHash}\n${chunkKey}\n${language}`).slice(0, 32);
}

function shardOf(path: string, shards: number): number {
  return parseInt(hashText(path).slice(0, 8), 16) % shards;
}

/** Why an index made with other chunk settings is rebuilt: a newer chunker, or settings the user changed. */
function chunkKeyChange(from: string, to: string): string {
  const version = (key: string) => key.split(';')[0];
  const rest = (key: string) => key.split(';').slice(1).join(';');
  if (rest(from) === rest(to)) return `this version of Quipu cuts code into chunks differently (${version(from)} → ${version(to)}: definitions by assignment, in IIFE and AMD modules, and more languages' methods have chunks of their own)`;
  return `the chunk settings changed (${from} → ${to})`;
}
