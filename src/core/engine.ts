/**
 * The engine as the CLI, the extension and the tests use it: one model, one set of worker pools,
 * any number of indexed folders. Nothing here imports `vscode`.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { QuipuConfig } from './config';
import { resolveModel, type ModelInfo } from './embed/model';
import { nodeFileHost, type FileHost } from './files/host';
import { runIndex } from './pipeline/indexer';
import type { IndexEvent, IndexSummary } from './pipeline/events';
import { EnginePools } from './pools';
import { searchStore, type SearchOptions, type SearchResult } from './search/search';
import { IndexStore } from './store/store';

export interface IndexOptions {
  indexDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: IndexEvent) => void;
  /** Discard the existing index and build it again. */
  rebuild?: boolean;
}

export class QuipuEngine {
  private dimensionsCache?: number;

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
  static defaultIndexDir(folder: string): string {
    const base = process.env.QUIPU_INDEX_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'quipu', 'indexes');
    const abs = resolve(folder);
    const name = abs.split(/[\\/]/).filter(Boolean).pop() ?? 'root';
    return join(base, `${name}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`);
  }

  async index(folder: string, options: IndexOptions = {}): Promise<IndexSummary> {
    const root = resolve(folder);
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(root));
    const store = await IndexStore.open(indexDir, await this.identity(), { write: true, forceRebuild: options.rebuild });
    try {
      const inside = !relative(root, indexDir).startsWith('..');
      return await runIndex({
        folder: root,
        store,
        pools: this.pools,
        config: this.config,
        host: this.host,
        ignoredDirs: inside ? [indexDir] : [],
        signal: options.signal,
        onEvent: options.onEvent,
      });
    } finally {
      await store.close();
    }
  }

  async search(folder: string, query: string, options: SearchOptions & { indexDir?: string } = {}): Promise<SearchResult[]> {
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(resolve(folder)));
    const store = await this.openForReading(indexDir);
    try {
      const [vector] = await this.embed([query]);
      return await searchStore(store, vector, options);
    } finally {
      await store.close();
    }
  }

  /** Opens an index for queries; throws a clear error when the folder was never indexed. */
  async openForReading(indexDir: string): Promise<IndexStore> {
    const store = await IndexStore.open(indexDir, await this.identity(), { write: false });
    if (store.rebuildReason) throw new IndexNotReadyError(`The index at ${indexDir} must be rebuilt: ${store.rebuildReason}. Run \`quipu index\` again.`);
    if (store.catalog.size === 0) throw new IndexNotReadyError(`Nothing is indexed at ${indexDir} yet. Run \`quipu index <folder>\` first.`);
    return store;
  }

  /** Normalised sentence embeddings, one per text. */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const flat = await this.pools.embedTexts(texts, signal);
    const dims = flat.length / texts.length;
    return texts.map((_, i) => flat.slice(i * dims, (i + 1) * dims));
  }

  async close(): Promise<void> {
    await this.pools.close();
  }

  private async identity() {
    this.dimensionsCache ??= await this.pools.dimensions();
    const { maxTokens, overlapTokens } = this.config.chunk;
    return { modelId: this.model.id, chunkKey: `v1;max=${maxTokens};overlap=${overlapTokens}`, dimensions: this.dimensionsCache };
  }
}

export class IndexNotReadyError extends Error {
  override name = 'IndexNotReadyError';
}
