/**
 * The engine as the CLI, the extension and the tests use it: one model, one set of worker pools,
 * any number of indexed folders. Nothing here imports `vscode`.
 */
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { chunkKeyOf, type FileSettings, type QuipuConfig } from './config';
import { resolveModel, type ModelInfo } from './embed/model';
import type { RuntimeInfo } from './embed/runtime';
import { documentKindOf, type ExtractedDocument } from './extract/kinds';
import { FolderPaths, nodeFileHost, type FileHost } from './files/host';
import { runIndex } from './pipeline/indexer';
import type { IndexEvent, IndexSummary } from './pipeline/events';
import { EnginePools } from './pools';
import { DEFAULT_SEARCH_MODE, searchStore, type SearchOptions, type SearchResult } from './search/search';
import { acquireLock } from './store/lock';
import { IndexStore } from './store/store';

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
}

export class QuipuEngine {
  private dimensionsCache?: number;
  private runtimeCache?: Promise<RuntimeInfo>;
  /** Open read-only stores, reused by searches until their manifest changes. */
  private readonly readers = new Map<string, { store: IndexStore; version: string }>();

  private constructor(
    readonly config: QuipuConfig,
    readonly model: ModelInfo,
    private readonly pools: EnginePools,
    private readonly host: FileHost,
  ) {}

  /** Resolves the model (throws ModelNotFoundError with a clear message) and prepares the pools. */
  static async create(config: QuipuConfig, options: { host?: FileHost; modelCacheDir?: string } = {}): Promise<QuipuEngine> {
    const model = await resolveModel(config.model, { cacheDir: options.modelCacheDir });
    // A chunk may never exceed what the model accepts.
    const chunk = { ...config.chunk, maxTokens: Math.min(config.chunk.maxTokens, model.maxTokens) };
    const effective = { ...config, chunk };
    return new QuipuEngine(effective, model, new EnginePools(model, config.pipeline), options.host ?? nodeFileHost);
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
    const store = await IndexStore.open(indexDir, await this.identity(), { write: true, forceRebuild: options.rebuild });
    try {
      const inside = FolderPaths.of(root, this.host).contains(indexDir);
      return await runIndex({
        folder: root,
        store,
        pools: this.pools,
        config: options.files ? { ...this.config, files: options.files } : this.config,
        host: this.host,
        ignoredDirs: inside ? [indexDir] : [],
        paths: options.paths,
        signal: options.signal,
        onEvent: options.onEvent,
      });
    } finally {
      await store.close();
    }
  }

  async search(folder: string, query: string, options: SearchOptions & { indexDir?: string; signal?: AbortSignal } = {}): Promise<SearchResult[]> {
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(resolve(folder)));
    const needsVector = (options.mode ?? DEFAULT_SEARCH_MODE) !== 'lexical';
    // Not awaited here: the store ranks the words while the query lane embeds the query.
    const vector = needsVector ? this.pools.embedQueries([query], this.config.chunk.splitWords === true, options.signal) : undefined;
    // Observed, so a failed embedding is not also an unhandled rejection when the search fails first.
    vector?.catch(() => undefined);
    try {
      return await searchStore(await this.reader(indexDir), { text: query, vector }, options);
    } catch (error) {
      // A writer may have replaced a shard file between our manifest read and the shard's load.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.dropReader(indexDir);
      return searchStore(await this.reader(indexDir), { text: query, vector }, options);
    }
  }

  /** Opens an index for queries; throws a clear error when the folder was never indexed. */
  async openForReading(indexDir: string): Promise<IndexStore> {
    const store = await IndexStore.open(indexDir, await this.identity(), { write: false });
    if (store.rebuildReason) throw new IndexNotReadyError(`The index at ${indexDir} must be rebuilt: ${store.rebuildReason}. Run \`quipu index\` again.`);
    if (store.catalog.size === 0) throw new IndexNotReadyError(`Nothing is indexed at ${indexDir} yet. Run \`quipu index <folder>\` first.`);
    return store;
  }

  /**
   * What an index holds, without opening it for writing. `diskUsage: false` skips walking the index
   * folder (one stat per file version), for callers that refresh the counts after every update.
   */
  async status(indexDir: string, options: { diskUsage?: boolean } = {}): Promise<IndexStatus> {
    const store = await IndexStore.open(resolve(indexDir), await this.identity(), { write: false });
    try {
      const stale = store.rebuildReason;
      return {
        indexDir: store.dir,
        files: stale ? 0 : store.catalog.size,
        chunks: stale ? 0 : store.chunkCount,
        diskBytes: options.diskUsage === false ? 0 : await store.diskBytes(),
        modelId: this.model.id,
        chunkSettings: store.identity.chunkKey,
        updatedAt: stale || store.catalog.size === 0 ? undefined : store.updatedAt,
        staleReason: stale,
      };
    } finally {
      await store.close();
    }
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

  private async reader(indexDir: string): Promise<IndexStore> {
    const version = await stat(`${indexDir}/manifest.json`).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => 'none',
    );
    const cached = this.readers.get(indexDir);
    if (cached && cached.version === version) return cached.store;
    this.dropReader(indexDir);
    const store = await this.openForReading(indexDir);
    this.readers.set(indexDir, { store, version });
    return store;
  }

  private dropReader(indexDir: string): void {
    const cached = this.readers.get(indexDir);
    this.readers.delete(indexDir);
    void cached?.store.close();
  }

  /** Normalised sentence embeddings, one per text, of the texts exactly as given (searches prepare theirs: `search`). */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const flat = await this.pools.embedTexts(texts, signal);
    const dims = flat.length / texts.length;
    return texts.map((_, i) => flat.slice(i * dims, (i + 1) * dims));
  }

  /** Which ONNX Runtime embeds: native, or WebAssembly and why (asked of the query worker once). */
  runtime(): Promise<RuntimeInfo> {
    this.runtimeCache ??= this.pools.runtime();
    return this.runtimeCache;
  }

  async close(): Promise<void> {
    for (const dir of [...this.readers.keys()]) this.dropReader(dir);
    await this.pools.close();
  }

  private async identity() {
    // config.json usually says; otherwise ask the model itself (starts a worker).
    this.dimensionsCache ??= this.model.dimensions ?? (await this.pools.dimensions());
    return { modelId: this.model.id, chunkKey: chunkKeyOf(this.config.chunk), dimensions: this.dimensionsCache };
  }
}

export class IndexNotReadyError extends Error {
  override name = 'IndexNotReadyError';
}
