/**
 * The engine as the CLI, the extension and the tests use it: one model, one set of worker pools,
 * any number of indexed folders. Nothing here imports `vscode`.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { chunkKeyOf, type FileSettings, type QuipuConfig, type TierPlan } from '../config/config';
import type { Embedder } from '../embed/embedder';
import { LocalEmbedder } from '../embed/local-embedder';
import { EMBEDDER_RECORD_FILE, readEmbedderRecord, writeEmbedderRecord } from '../embed/embedder-record';
import { resolveModel, tokenizerLowercases, type ModelInfo } from '../embed/model';
import { RemoteEmbedder, RemoteEmbedderError } from '../embed/remote-embedder';
import { StaticEmbedder } from '../embed/static-embedder';
import { defaultStaticModelPath } from '../embed/static-model';
import { VectorCache } from '../embed/vector-cache';
import { documentKindOf, type ExtractedDocument } from '../extract/kinds';
import { languageOf } from '../files/languages';
import { FolderPaths, nodeFileHost, type FileHost } from '../files/host';
import { insideFolder } from '../files/real-paths';
import type { RuntimeInfo } from '../embed/runtime';
import { runIndex } from '../pipeline/indexer';
import type { IndexEvent, IndexSummary } from '../pipeline/events';
import { EnginePools } from '../pool/pools';
import { checkQueryLength } from '../search/query-limit';
import { DEFAULT_SEARCH_MODE, searchStores, type SearchOptions, type SearchQuery, type SearchResult, type SearchSource, type SourcedResult } from '../search/search';
import { similarInStore, type SimilarAnswer, type SimilarSource } from '../search/similar';
import { LocalVectorStore } from '../store/local-vector-store';
import { acquireLock } from '../store/lock';
import { textPathOf } from '../store/layout';
import { readManifest } from '../store/manifest';
import { IndexStore } from '../store/store';
import { IndexCorruptError, type StoreIdentity, type Tier } from '../store/types';
import { verifyIndex, type VerifyReport } from '../maintenance/verify';

/** Left in an index folder by a search that found a file of it damaged (`noteDamage`). */
const REPAIR_NOTE = 'repair-needed.txt';

export interface IndexOptions {
  indexDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: IndexEvent) => void;
  /** Discard the existing index and build it again. */
  rebuild?: boolean;
  /** Only these paths (relative to the folder): an update after file events, not a full walk. */
  paths?: string[];
  /** File rules for this folder, when they differ from the engine's (per-folder editor settings). */
  files?: FileSettings;
  /** A team index's catalog (path → content hash): files with that content are left to it (the overlay). */
  baseFiles?: ReadonlyMap<string, string>;
  /** Vectors a team index holds, by model-input hash, taken instead of embedding. */
  sharedVectors?: (inputHashes: string[]) => Promise<Map<string, Float32Array>>;
  /**
   * Which of the engine's passes run (an engine of two tiers): `fast` the words and static vectors of what
   * changed, `deep` the transformer for every chunk still fast, `all` (the default) one then the other.
   * The folder keeper runs `fast` for changes and `deep` behind them, where any change preempts it.
   */
  passes?: 'fast' | 'deep' | 'all';
}

export interface IndexStatus {
  indexDir: string;
  files: number;
  chunks: number;
  /** 0 when not asked for (`status(dir, { diskUsage: false })`). */
  diskBytes: number;
  modelId: string;
  chunkSettings: string;
  /** When the last commit happened (ISO time), if any. */
  updatedAt?: string;
  /** Set when the index on disk was built with another model or other settings. */
  staleReason?: string;
  /** Where this engine computes embeddings ("on this machine (…)", "at http://…/v1/embeddings (…)"). */
  embeddedBy: string;
  /** The engine's tiers, and the index's chunks by the tier of their vector (all deep in a deep-only index). */
  tiers: TierPlan;
  tierCounts: { fast: number; deep: number };
  /** Why the engine runs fewer tiers than it was asked to (the static model is missing), if it does. */
  tierNote?: string;
}

export class QuipuEngine {
  private dimensionsCache?: number;
  private vectorCache?: VectorCache;
  private runtimeCache?: Promise<RuntimeInfo | undefined>;
  /** Open read-only stores, reused by searches until their manifest changes. */
  private readonly readers = new Map<string, { store: IndexStore; vectors: LocalVectorStore; version: string }>();
  /** Repair notes being written for damage a search went on without (awaited by `close`). */
  private readonly pendingNotes = new Set<Promise<unknown>>();
  private readonly damageWatchers = new Set<(error: IndexCorruptError) => void>();

  private constructor(
    readonly config: QuipuConfig,
    readonly model: ModelInfo,
    /** What computes the deep tier's embeddings: the local model, or a remote endpoint. */
    readonly embedder: Embedder,
    /** The fast tier's static vectors, as wide as the deep tier's (absent: the engine is deep only). */
    readonly fastEmbedder: StaticEmbedder | undefined,
    /** The tiers its indexes are built in. */
    readonly tiers: TierPlan,
    /** Why it runs fewer tiers than configured, when it does. */
    readonly tierNote: string | undefined,
    private readonly pools: EnginePools,
    private readonly host: FileHost,
  ) {}

  /** Resolves the model (throws ModelNotFoundError with a clear message) and prepares the pools. */
  static async create(config: QuipuConfig, options: { host?: FileHost; modelCacheDir?: string } = {}): Promise<QuipuEngine> {
    // The local model's tokenizer cuts the chunks, whichever embedder embeds them.
    const model = await resolveModel(config.model, { cacheDir: options.modelCacheDir });
    const embedder: Embedder = config.embedder ? new RemoteEmbedder(config.embedder, tokenizerLowercases(model.dir)) : new LocalEmbedder(model, config.pipeline);
    const { tiers, fast, note } = fastTierOf(config, model);
    // A chunk may never exceed what the model accepts (a remote one: its limit, less a safety margin).
    const limit = config.embedder ? embedder.maxInputTokens : Math.min(model.maxTokens, embedder.maxInputTokens);
    const chunk = { ...config.chunk, maxTokens: Math.min(config.chunk.maxTokens, limit) };
    const effective = { ...config, chunk, tiers };
    return new QuipuEngine(effective, model, embedder, fast, tiers, note, new EnginePools(model, config.pipeline, config.limits), options.host ?? nodeFileHost);
  }

  /**
   * The remote embedder an index was built with (none: the local model), for a later run that names
   * none. Not followed from an index folder inside the indexed tree, links resolved (a folder and an
   * index folder spelled through different links are still one tree): a repository's own files must
   * not be able to send its code to a URL.
   */
  static async rememberedEmbedder(folder: string, indexDir: string) {
    if (insideFolder(folder, indexDir) !== undefined) return undefined;
    return readEmbedderRecord(indexDir);
  }

  /** The index folder, when it lies inside the indexed one (links resolved): never indexed itself. */
  private indexInside(root: string, indexDir: string): string[] {
    // Another host's paths (Windows', in tests) are not this machine's to resolve.
    const inside = this.host === nodeFileHost ? insideFolder(root, indexDir) : FolderPaths.of(root, this.host).contains(indexDir) ? indexDir : undefined;
    return inside === undefined ? [] : [inside];
  }

  /** The default index folder for a workspace folder: a cache folder outside the tree. */
  static defaultIndexDir(folder: string, host: FileHost = nodeFileHost): string {
    const base = process.env.QUIPU_INDEX_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'quipu', 'indexes');
    // One folder, one index (and one lock) however its path was typed: case-folded on Windows.
    const paths = FolderPaths.of(folder, host);
    const name = paths.identity.split(/[\\/]/).filter(Boolean).pop() ?? 'root';
    return join(base, `${name}-${createHash('sha256').update(paths.identity).digest('hex').slice(0, 12)}`);
  }

  async index(folder: string, options: IndexOptions = {}): Promise<IndexSummary> {
    // The folder in the host's path form (Windows' on Windows); the index folder is always local.
    const root = FolderPaths.of(folder, this.host).root;
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(root, this.host));
    // (Not for a team overlay: its files are only those that differ from the base; it is rebuilt instead.)
    const repairable = !options.rebuild && !options.baseFiles;
    const noted = repairable ? await readFile(join(indexDir, REPAIR_NOTE), 'utf8').catch(() => undefined) : undefined;
    if (noted !== undefined) {
      // Removed first: the repair indexes through here again.
      await rm(join(indexDir, REPAIR_NOTE), { force: true });
      return this.repairThenIndex(root, indexDir, noted, options);
    }
    return this.indexInto(root, indexDir, options, repairable);
  }

  /** Repairs what `reason` says is damaged (`verify --repair`: only that is indexed again), then the run goes on. */
  private async repairThenIndex(root: string, indexDir: string, repairReason: string, options: IndexOptions): Promise<IndexSummary> {
    const onEvent = (event: IndexEvent) => options.onEvent?.(event.type === 'start' ? { ...event, repairReason } : event);
    const { summary } = await this.verify(root, { indexDir, signal: options.signal, files: options.files, onEvent, repair: true });
    // A consistent index (the damage was repaired meanwhile) is simply brought up to date.
    if (summary) return { ...summary, repairReason };
    return this.indexInto(root, indexDir, options, false);
  }

  /**
   * One indexing run into an open store. With `checkDamage`, index files cut or emptied since they
   * were written (found by size) are repaired first, instead of the run reporting them unchanged.
   */
  private async indexInto(root: string, indexDir: string, options: IndexOptions, checkDamage: boolean): Promise<IndexSummary> {
    const identity = await this.identity();
    const store = await IndexStore.open(indexDir, identity, { write: true, forceRebuild: options.rebuild });
    let damage: string | undefined;
    try {
      // The texts only on full runs: an update of a few paths must not stat every indexed file.
      if (checkDamage && !store.rebuildReason) damage = await store.damageBySize({ texts: options.paths === undefined });
      if (damage === undefined) return await this.runInto(root, indexDir, identity, store, options);
    } finally {
      await store.close();
    }
    return this.repairThenIndex(root, indexDir, `${damage}: its shard or file is indexed again`, options);
  }

  private async runInto(root: string, indexDir: string, identity: StoreIdentity, store: IndexStore, options: IndexOptions): Promise<IndexSummary> {
    const lockNote = store.lockNote;
    const onEvent = lockNote && options.onEvent ? (event: IndexEvent) => options.onEvent?.(event.type === 'start' ? { ...event, lockNote } : event) : options.onEvent;
    if (!store.rebuildReason && store.catalog.size > 0 && store.identity.dimensions !== identity.dimensions) {
      throw new RemoteEmbedderError(
        `${this.embedder.where} now returns ${identity.dimensions}-dimensional vectors, but the index at ${indexDir} holds ${store.identity.dimensions}-dimensional ones of the same model name: another model is answering. Nothing was written; index with --rebuild if the change is intended.`,
      );
    }
    await writeEmbedderRecord(indexDir, this.config.embedder);
    const vectorCache = this.sharedVectors(identity.dimensions);
    const passes: IndexSummary[] = [];
    for (const tier of this.passesOf(options.passes)) {
      // The reasons a run starts as it does (a rebuild, a repair, a lock taken over) are told once, at its first pass.
      const told = passes.length > 0;
      const summary = await runIndex({
        folder: root,
        store,
        pools: this.pools,
        embedder: tier === 'fast' ? this.fastEmbedder! : this.embedder,
        tier,
        vectorCache,
        config: options.files ? { ...this.config, files: options.files } : this.config,
        host: this.host,
        ignoredDirs: this.indexInside(root, indexDir),
        paths: options.paths,
        signal: options.signal,
        onEvent: told && onEvent ? (event) => onEvent(event.type === 'start' ? { type: 'start', folder: event.folder, indexDir: event.indexDir, tier: event.tier } : event) : onEvent,
        baseFiles: options.baseFiles,
        sharedVectors: options.sharedVectors,
      });
      passes.push(told ? { ...summary, rebuildReason: undefined } : summary);
      if (summary.cancelled) break;
    }
    return combinePasses(passes);
  }

  /** The passes a run makes, in order: the fast one, then the deep one, as the engine's tiers and the caller ask. */
  private passesOf(asked: IndexOptions['passes'] = 'all'): Tier[] {
    if (this.tiers === 'deep') return ['deep'];
    if (this.tiers === 'fast') return asked === 'deep' ? [] : ['fast'];
    return asked === 'all' ? ['fast', 'deep'] : [asked];
  }

  /** One folder's index searched (`searchFolders` with one folder; a folder not ready throws IndexNotReadyError). */
  async search(folder: string, query: string, options: SearchOptions & { indexDir?: string; signal?: AbortSignal; onDamage?: (message: string) => void } = {}): Promise<SearchResult[]> {
    const { results } = await this.searchFolders([{ folder, indexDir: options.indexDir }], query, options);
    return results.map(({ folderIndex: _, ...result }) => result);
  }

  /**
   * The query as search reads it: its words, and its embedding by the query lane, started now and
   * not awaited (the stores rank the words meanwhile). The one place a search embeds its query:
   * local folders and a team index alike (team/team.ts) come through here.
   */
  queryOf(text: string, options: Pick<SearchOptions, 'mode'> & { signal?: AbortSignal } = {}): SearchQuery {
    if ((options.mode ?? DEFAULT_SEARCH_MODE) === 'lexical') return { text };
    // Each tier's query vector once, when a store holding that tier asks: a search of an index with
    // no deep vector yet never waits for the transformer to start.
    const vectors = new Map<Tier, Promise<Float32Array>>();
    const embed = (tier: Tier): Promise<Float32Array> => {
      let vector = vectors.get(tier);
      if (!vector) {
        const embedder = tier === 'fast' ? this.fastEmbedder : this.embedder;
        vector = embedder ? embedder.embedQueries([text], this.config.chunk.splitWords === true, options.signal) : Promise.reject(new Error('this engine has no fast tier'));
        // Observed, so a failed embedding is not also an unhandled rejection when the search fails first.
        vector.catch(() => undefined);
        vectors.set(tier, vector);
      }
      return vector;
    };
    return { text, embed };
  }

  /** Calls `listener` once per damaged file a read goes on without, until the returned function is called. */
  private watchDamage(listener: (message: string) => void): () => void {
    const told = new Set<string>();
    const watcher = (error: IndexCorruptError) => {
      if (told.has(error.message)) return;
      told.add(error.message);
      listener(error.message);
    };
    this.damageWatchers.add(watcher);
    return () => this.damageWatchers.delete(watcher);
  }

  /**
   * A search that finds an index file damaged leaves a note in the index folder, so the next writer
   * (`quipu index`, the extension's next update) repairs it first (`verify --repair`: only what is
   * damaged is re-indexed). Best effort: a reader may not be allowed to write there. Rethrows.
   */
  private async noteDamage(indexDirs: string[], error: unknown): Promise<never> {
    if (error instanceof IndexCorruptError) {
      const named = indexDirs.filter((dir) => error.file?.startsWith(dir + sep));
      await Promise.all((named.length ? named : indexDirs).map((dir) => writeFile(join(dir, REPAIR_NOTE), error.message).catch(() => undefined)));
    }
    throw error;
  }

  /**
   * Several folders searched as one (search/search.ts, `searchStores`): the candidates of all of them
   * are fused once, so scores compare across folders, and the query is embedded once. A folder not
   * ready to search (never indexed, to be rebuilt) is left out and named in `unavailable`; when none
   * is ready, its error is thrown.
   */
  async searchFolders(
    targets: { folder: string; indexDir?: string }[],
    query: string,
    options: SearchOptions & {
      signal?: AbortSignal;
      /** Told of a damaged index file the search went on without (a result shown without its text), once per file. */
      onDamage?: (message: string) => void;
    } = {},
  ): Promise<{ results: SourcedResult[]; unavailable: { folderIndex: number; error: IndexNotReadyError }[] }> {
    const unwatch = options.onDamage && this.watchDamage(options.onDamage);
    try {
      return await this.searchFoldersOnce(targets, query, options);
    } finally {
      unwatch?.();
    }
  }

  private async searchFoldersOnce(
    targets: { folder: string; indexDir?: string }[],
    query: string,
    options: SearchOptions & { signal?: AbortSignal },
  ): Promise<{ results: SourcedResult[]; unavailable: { folderIndex: number; error: IndexNotReadyError }[] }> {
    checkQueryLength(query);
    const dirs = targets.map((t) => resolve(t.indexDir ?? QuipuEngine.defaultIndexDir(resolve(t.folder))));
    const prepared = this.queryOf(query, options);
    const attempt = async () => {
      const sources: SearchSource[] = [];
      const unavailable: { folderIndex: number; error: IndexNotReadyError }[] = [];
      for (const [folderIndex, dir] of dirs.entries()) {
        try {
          sources.push({ store: (await this.reader(dir)).vectors, folderIndex });
        } catch (error) {
          if (!(error instanceof IndexNotReadyError)) throw error;
          unavailable.push({ folderIndex, error });
        }
      }
      if (sources.length === 0) throw unavailable[0].error;
      return { results: await searchStores(sources, prepared, options), unavailable };
    };
    try {
      return await attempt();
    } catch (error) {
      // A writer may have replaced a shard file between our manifest read and the shard's load.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return this.noteDamage(dirs, error);
      for (const dir of dirs) this.dropReader(dir);
      return attempt().catch((again: NodeJS.ErrnoException) => {
        // Gone twice: not a writer's swap but a file the manifest names that is not there.
        const missing = again.code === 'ENOENT' ? new IndexCorruptError(`${again.path ?? 'a file'} is missing from the index: run \`quipu verify --repair\` (the next \`quipu index\` repairs it too)`, again.path) : again;
        return this.noteDamage(dirs, missing);
      });
    }
  }

  /** The chunks most like some indexed lines, by the vectors the index already holds (nothing is embedded). */
  async similar(folder: string, source: SimilarSource, options: Omit<SearchOptions, 'mode'> & { indexDir?: string } = {}): Promise<SimilarAnswer> {
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(resolve(folder)));
    return similarInStore((await this.reader(indexDir)).store, source, options).catch((error: unknown) => this.noteDamage([indexDir], error));
  }

  /** Opens an index for queries; throws a clear error when the folder was never indexed. */
  async openForReading(indexDir: string): Promise<IndexStore> {
    const store = await IndexStore.open(indexDir, await this.readerIdentity(indexDir), { write: false });
    // A damaged file a search goes on without (a result's texts) is still repaired by the next writer.
    store.onDamage = (error) => {
      for (const watcher of this.damageWatchers) watcher(error);
      const note = this.noteDamage([indexDir], error).catch(() => undefined);
      this.pendingNotes.add(note);
      void note.then(() => this.pendingNotes.delete(note));
    };
    if (store.rebuildReason) throw new IndexNotReadyError(`The index at ${indexDir} must be rebuilt: ${store.rebuildReason}. Run \`quipu index\` again.`);
    if (store.catalog.size === 0) throw new IndexNotReadyError(`Nothing is indexed at ${indexDir} yet. Run \`quipu index <folder>\` first.`);
    return store;
  }

  /**
   * What an index holds, without opening it for writing. `diskUsage: false` skips walking the index
   * folder (one stat per file version), for callers that refresh the counts after every update.
   */
  async status(indexDir: string, options: { diskUsage?: boolean } = {}): Promise<IndexStatus> {
    const store = await IndexStore.open(resolve(indexDir), await this.readerIdentity(resolve(indexDir)), { write: false });
    try {
      const stale = store.rebuildReason;
      return {
        indexDir: store.dir,
        files: stale ? 0 : store.catalog.size,
        chunks: stale ? 0 : store.chunkCount,
        diskBytes: options.diskUsage === false ? 0 : await store.diskBytes(),
        modelId: this.embedder.id,
        chunkSettings: store.identity.chunkKey,
        updatedAt: stale || store.catalog.size === 0 ? undefined : store.updatedAt,
        staleReason: stale,
        embeddedBy: this.embedder.where,
        tiers: this.tiers,
        tierCounts: stale ? { fast: 0, deep: 0 } : store.tierCounts,
        ...(this.tierNote ? { tierNote: this.tierNote } : {}),
      };
    } finally {
      await store.close();
    }
  }

  /**
   * Checks an index against itself and its folder (maintenance/verify.ts). With `repair`, fixes what is
   * wrong by re-indexing only that: damaged shards are emptied and their files indexed again, damaged
   * texts dropped and their files indexed again, stale, gone and missing files updated; a damaged
   * manifest or catalog (or another model) rebuilds the whole index. Then checks again.
   */
  async verify(folder: string, options: Omit<IndexOptions, 'paths' | 'rebuild'> & { repair?: boolean } = {}): Promise<{ report: VerifyReport; before?: VerifyReport; summary?: IndexSummary }> {
    const root = resolve(folder);
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(root));
    const check = async () =>
      verifyIndex({
        folder: root,
        indexDir,
        identity: await this.identity(),
        host: this.host,
        files: options.files ?? this.config.files,
        ignoredDirs: this.indexInside(root, indexDir),
        signal: options.signal,
        skipReason: (file) => this.skipReason(file.absPath, file.path, options.signal),
      });
    const report = await check();
    if (!options.repair || report.ok || report.notIndexedYet) return { report };
    // Rebuilding with this engine's model could replace the very embedder the damaged record named.
    // (Read again: it throws the record's own error, naming the file and what to do.)
    if (report.rebuildReason && report.damaged.some((d) => d.file === EMBEDDER_RECORD_FILE)) await readEmbedderRecord(indexDir);
    const indexOptions = { indexDir, signal: options.signal, onEvent: options.onEvent, files: options.files };
    if (report.rebuildReason) {
      const summary = await this.index(root, { ...indexOptions, rebuild: true });
      return { before: report, summary, report: await check() };
    }
    const paths = new Set([...report.stale, ...report.gone, ...report.missing, ...report.damagedFiles]);
    // (Straight into the store, not through `index`: no damage check, no repair note, no loop.)
    const store = await IndexStore.open(indexDir, await this.identity(), { write: true });
    try {
      for (const path of await store.resetShards(report.damagedShards)) paths.add(path);
      // Damaged texts are deleted, not trusted: the same content re-indexed writes them anew.
      for (const path of report.damagedFiles) {
        const entry = store.catalog.get(path);
        if (entry) await rm(textPathOf(indexDir, entry.textKey), { force: true });
        store.stageRemoval(path);
      }
      await store.commit();
    } finally {
      await store.close();
    }
    this.dropReader(indexDir);
    const summary = await this.indexInto(root, indexDir, { ...indexOptions, paths: [...paths] }, false);
    return { before: report, summary, report: await check() };
  }

  /**
   * Why the indexer would skip a file, by its own stages (the chunk worker's decoding and machine-text
   * checks, the extract worker for documents), or undefined when it would index it. For `verify`.
   */
  private async skipReason(absPath: string, path: string, signal?: AbortSignal): Promise<string | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.host.readFile(absPath);
    } catch (error) {
      return `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
    if (bytes.length === 0) return 'empty file';
    const kind = documentKindOf(path);
    if (kind) {
      const doc = await this.pools.extract(kind, bytes, signal).catch((error: Error) => error);
      if (doc instanceof Error) return doc.message;
      return doc.text.trim() ? undefined : 'no text found';
    }
    const result = await this.pools.chunk({ bytes }, this.config.chunk, signal, { language: languageOf(path), path });
    return result.kind === 'skipped' ? result.reason : undefined;
  }

  /** Deletes an index (waits for no one: a running writer makes this throw IndexLockedError). */
  async clearIndex(indexDir: string): Promise<void> {
    const dir = resolve(indexDir);
    this.dropReader(dir);
    const lock = await acquireLock(`${dir}/index.lock`).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined; // no index there
      throw error;
    });
    try {
      await rm(dir, { recursive: true, force: true });
    } finally {
      await lock?.release();
    }
  }

  /**
   * The text of a PDF or DOCX exactly as the indexer chunked it (so result lines match), extracted
   * in the extract worker.
   */
  async extractDocument(absPath: string, bytes: Uint8Array, signal?: AbortSignal): Promise<ExtractedDocument> {
    const kind = documentKindOf(absPath);
    if (!kind) throw new Error(`${absPath} is neither a PDF nor a DOCX file.`);
    return this.pools.extract(kind, bytes, signal);
  }

  /** The index in `indexDir` open for queries, as its store and behind the store seam; reopened when its manifest changes. */
  private async reader(indexDir: string): Promise<{ store: IndexStore; vectors: LocalVectorStore }> {
    const version = await stat(`${indexDir}/manifest.json`).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => 'none',
    );
    const cached = this.readers.get(indexDir);
    if (cached && cached.version === version) return cached;
    this.dropReader(indexDir);
    const store = await this.openForReading(indexDir);
    const reader = { store, vectors: LocalVectorStore.of(store), version };
    this.readers.set(indexDir, reader);
    return reader;
  }

  private dropReader(indexDir: string): void {
    const cached = this.readers.get(indexDir);
    this.readers.delete(indexDir);
    void cached?.store.close();
  }

  /** Normalised sentence embeddings, one per text, of the texts exactly as given (searches prepare theirs: `search`). */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const flat = await this.embedder.embedTexts(texts, signal);
    const dims = flat.length / texts.length;
    return texts.map((_, i) => flat.slice(i * dims, (i + 1) * dims));
  }

  /** The machine's vector cache for the deep tier's embedder, opened at each run (other processes add to it). */
  private sharedVectors(dimensions: number): VectorCache | undefined {
    if (!this.config.vectorCache) return undefined;
    this.vectorCache?.close();
    this.vectorCache = VectorCache.open(this.config.vectorCache, this.embedder.id, dimensions);
    return this.vectorCache;
  }

  /**
   * Which ONNX Runtime embeds here: native, or WebAssembly and why (asked of the query worker once);
   * undefined when a remote server embeds.
   */
  runtime(): Promise<RuntimeInfo | undefined> {
    this.runtimeCache ??= this.embedder instanceof LocalEmbedder ? this.embedder.runtime() : Promise.resolve(undefined);
    return this.runtimeCache;
  }

  /** Worker threads alive now, in every pool: idle ones exit after `workerIdleSeconds`. */
  get liveWorkers(): number {
    return this.pools.liveWorkers + (this.embedder instanceof LocalEmbedder ? this.embedder.liveWorkers : 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.pendingNotes);
    this.vectorCache?.close();
    this.vectorCache = undefined;
    for (const dir of [...this.readers.keys()]) this.dropReader(dir);
    await Promise.all([this.pools.close(), this.embedder.close()]);
  }

  /** Model id, chunk settings and vector size, as a store records them (a team index compares them). */
  storeIdentity(): Promise<{ modelId: string; chunkKey: string; dimensions: number }> {
    return this.identity();
  }

  /** The same for the deep tier alone: what a team index on a server holds (only deep vectors are published). */
  async deepIdentity(): Promise<StoreIdentity> {
    return { ...(await this.identity()), modelId: this.embedder.id };
  }

  /**
   * What a reader expects of the index in `indexDir`: this engine's, or, for an index of the deep tier
   * alone built with the same model (`--tiers deep`, or before tiers), that one: a reader searches
   * either, and only a writer rebuilds.
   */
  private async readerIdentity(indexDir: string): Promise<StoreIdentity> {
    const identity = await this.identity(false);
    if (!this.fastEmbedder) return identity;
    const manifest = await readManifest(indexDir).catch(() => undefined);
    return manifest?.modelId === this.embedder.id ? { ...identity, modelId: this.embedder.id } : identity;
  }

  /** `probe: false` for readers that need no vector size (a remote embedder learns it from a request). */
  private async identity(probe = true) {
    // config.json usually says; otherwise ask the model itself (starts a worker, or sends a request).
    if (probe || !(this.embedder instanceof RemoteEmbedder)) this.dimensionsCache ??= await this.embedder.dimensions();
    // An index of tiers is one vector space per tier, both named: either model changing rebuilds it.
    const modelId = this.fastEmbedder ? `tiers(${this.fastEmbedder.id}, ${this.embedder.id})` : this.embedder.id;
    return { modelId, chunkKey: chunkKeyOf(this.config.chunk), dimensions: this.dimensionsCache ?? 0 };
  }
}

/**
 * The engine's tiers and its fast tier's embedder. Unset, a local model gets both tiers and a remote
 * one the deep tier alone (config.ts). A missing static model, when nobody asked for tiers, leaves the
 * deep tier alone and says why; asked for, it is an error naming the file.
 */
function fastTierOf(config: QuipuConfig, model: ModelInfo): { tiers: TierPlan; fast?: StaticEmbedder; note?: string } {
  const tiers = config.tiers ?? (config.embedder ? 'deep' : 'fast-deep');
  if (tiers === 'deep') return { tiers };
  const path = config.staticModel || defaultStaticModelPath();
  try {
    // Rows as wide as the transformer's (zeros after the table's), so both tiers share one index.
    return { tiers, fast: StaticEmbedder.open(path, model, model.dimensions) };
  } catch (error) {
    // Asked for by name (tiers or a static model file): an error naming the file.
    if (config.tiers !== undefined || config.staticModel) throw error;
    return { tiers: 'deep', note: `the fast tier is off: ${(error as Error).message}` };
  }
}

/**
 * One summary of a run's passes: the files as the first pass found them, the chunks as the last pass
 * (the best tier) embedded or reused them, the time of all, and the index as the last left it.
 */
function combinePasses(passes: IndexSummary[]): IndexSummary {
  const last = passes[passes.length - 1];
  if (passes.length === 1) return last;
  const first = passes[0];
  const seconds = passes.reduce((n, p) => n + p.seconds, 0);
  return {
    ...last,
    filesSeen: first.filesSeen,
    // Files the fast pass indexed are counted once, not again when the deep pass gives them deep vectors.
    filesIndexed: first.filesIndexed,
    filesUnchanged: first.filesUnchanged,
    filesRemoved: passes.reduce((n, p) => n + p.filesRemoved, 0),
    skipped: first.skipped,
    // Found, not computed, by the first pass (stored, cached, in-run copies); then the transformer's work (the last pass's).
    chunksReused: first.chunksReused,
    sourceBytes: first.sourceBytes,
    seconds,
    chunksPerSecond: seconds > 0 ? last.chunksEmbedded / seconds : 0,
    cancelled: passes.some((p) => p.cancelled),
    ...(first.rebuildReason ? { rebuildReason: first.rebuildReason } : {}),
    ...(first.excludedByDefault ? { excludedByDefault: first.excludedByDefault } : {}),
    passes,
  };
}

export class IndexNotReadyError extends Error {
  override name = 'IndexNotReadyError';
}
