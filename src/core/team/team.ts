/**
 * A team index: the base branch indexed once on a server (ChromaStore), each developer's changes as
 * a local overlay. `publish` indexes the folder locally and uploads what the server lacks as one
 * generation; `sync` indexes locally only the files whose content the base does not have (taking
 * the vectors of chunks it has from the server); `search` fuses both (search/search.ts). When
 * the server does not answer, searches use the overlay alone and say so; the next one tries again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuipuEngine, type IndexOptions } from '../engine/engine';
import type { TeamAnswer } from '../engine/searcher';
import type { IndexSummary } from '../pipeline/events';
import { headCommitOf } from '../files/git-commit';
import { FolderPaths, nodeFileHost } from '../files/host';
import { checkQueryLength } from '../search/query-limit';
import { searchStores, type SearchOptions, type SearchSource } from '../search/search';
import { ChromaStore, StoreUnavailableError } from '../store/chroma-store';
import { LocalVectorStore } from '../store/local-vector-store';
import { publishIndex, type PublishSummary } from '../store/publish';
import { IndexStore } from '../store/store';

export interface TeamTarget {
  /** chroma://host:port or chroma+https://host:port */
  url: string;
  collection: string;
  /** Default: the TEAM_TOKEN_ENV environment variable. Never from a workspace's settings. */
  token?: string;
}

export interface TeamStatus {
  /** "the team index <name> at <url>" */
  description: string;
  url: string;
  collection: string;
  available: boolean;
  /** Why not, when it does not answer. */
  notice?: string;
  generation?: number;
  commit?: string;
  updatedAt?: string;
  baseFiles?: number;
  /** Files of the folder the overlay holds (changed or added here). */
  overlayFiles: number;
  /** Base files deleted or changed here (their base hits are dropped). */
  replacedFiles: number;
  overlayDir: string;
}

/** Where the overlay of `folder` lives by default: beside its usual index, one per server and collection. */
export function defaultOverlayDir(folder: string, target: Pick<TeamTarget, 'url' | 'collection'>): string {
  const root = FolderPaths.of(folder, nodeFileHost).root;
  const key = createHash('sha256').update(`${target.url}\n${target.collection}`).digest('hex').slice(0, 8);
  return resolve(`${QuipuEngine.defaultIndexDir(root)}-team-${target.collection}-${key}`);
}

export class TeamIndex {
  private base: ChromaStore | undefined;
  private dropped = new Set<string>();
  private baseFileCount = 0;
  private notice: string | undefined;
  private synced: number | undefined;

  private constructor(
    private readonly engine: QuipuEngine,
    readonly target: TeamTarget,
    readonly folder: string,
    readonly overlayDir: string,
  ) {}

  /** `overlayDir`: default, beside the folder's usual index, one per server and collection. */
  static for(engine: QuipuEngine, folder: string, target: TeamTarget, options: { overlayDir?: string } = {}): TeamIndex {
    const root = FolderPaths.of(folder, nodeFileHost).root;
    return new TeamIndex(engine, target, root, resolve(options.overlayDir ?? defaultOverlayDir(root, target)));
  }

  /**
   * Indexes the folder locally (into `indexDir`, the usual index by default) and publishes it: one
   * new generation with the files the server lacks, naming the commit the folder is at.
   */
  async publish(options: Omit<IndexOptions, 'baseFiles' | 'sharedVectors' | 'paths'> & { commit?: string; onPublishProgress?: (done: number, total: number) => void } = {}): Promise<{ summary: IndexSummary; published: PublishSummary }> {
    const summary = await this.engine.index(this.folder, options);
    const identity = await this.engine.storeIdentity();
    const indexDir = resolve(options.indexDir ?? QuipuEngine.defaultIndexDir(this.folder));
    const local = await IndexStore.open(indexDir, identity, { write: true });
    try {
      const target = await ChromaStore.open(this.target.url, this.target.collection, await this.engine.deepIdentity(), { write: true, token: this.target.token });
      const commit = options.commit ?? (await headCommitOf(this.folder));
      const published = await publishIndex(local, target, { commit, onProgress: options.onPublishProgress });
      await target.close();
      return { summary, published };
    } finally {
      await local.close();
    }
  }

  /**
   * Brings the overlay up to date against the base: reads the base's catalog, indexes here only the
   * files whose content differs from it. Without the server, the overlay stays as it was.
   */
  async sync(options: Pick<IndexOptions, 'signal' | 'onEvent'> = {}): Promise<IndexSummary | undefined> {
    const base = await this.connect();
    if (!base) return undefined;
    let catalog;
    try {
      await base.refresh();
      catalog = await base.catalog();
    } catch (error) {
      return this.unavailable(error);
    }
    const baseFiles = new Map([...catalog].map(([path, file]) => [path, file.hash]));
    const summary = await this.engine.index(this.folder, {
      indexDir: this.overlayDir,
      baseFiles,
      // The server stopping mid-run only means those chunks are embedded here.
      sharedVectors: (hashes) => base.vectorsByInputHash(hashes).catch(() => new Map<string, Float32Array>()),
      signal: options.signal,
      onEvent: options.onEvent,
    });
    const overlay = await this.openOverlay();
    try {
      const dropped = new Set<string>();
      for (const path of catalog.keys()) {
        if (overlay.store.catalog.has(path) || !existsSync(join(this.folder, path))) dropped.add(path);
      }
      this.dropped = dropped;
      this.baseFileCount = catalog.size;
      this.synced = base.generation();
    } finally {
      await overlay.close();
    }
    return summary;
  }

  /**
   * Base and overlay as one ranking (search/search.ts, `searchStores`): the base's chunks of the
   * paths the overlay replaces are left out. The overlay alone (with `notice`) when the server does
   * not answer. The query is embedded once (`engine.queryOf`), whichever of the two answers.
   */
  async search(query: string, options: SearchOptions & { signal?: AbortSignal; sync?: boolean } = {}): Promise<TeamAnswer> {
    checkQueryLength(query);
    if (options.sync !== false) await this.sync({ signal: options.signal });
    const prepared = this.engine.queryOf(query, options);
    const overlay = await this.openOverlay();
    try {
      const overlaySource: SearchSource = { store: overlay, folderIndex: 0 };
      const base = await this.connect();
      if (base) {
        try {
          await base.refresh();
          const results = await searchStores([{ store: base, excludePaths: this.dropped, folderIndex: 0 }, overlaySource], prepared, options);
          this.notice = undefined;
          return { results };
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
          this.unavailable(error);
        }
      }
      const results = await searchStores([overlaySource], prepared, options);
      return { results, notice: this.notice };
    } finally {
      await overlay.close();
    }
  }

  async status(): Promise<TeamStatus> {
    const base = await this.connect();
    const overlay = await this.openOverlay();
    try {
      const common = { description: `the team index ${this.target.collection} at ${this.target.url}`, url: this.target.url, collection: this.target.collection, overlayFiles: overlay.store.catalog.size, replacedFiles: this.dropped.size, overlayDir: this.overlayDir };
      if (base) {
        try {
          await base.refresh();
          const catalog = await base.catalog();
          return { ...common, available: true, generation: base.generation(), ...(base.indexedCommit() ? { commit: base.indexedCommit() } : {}), ...(base.updatedAt() ? { updatedAt: base.updatedAt() } : {}), baseFiles: catalog.size };
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
          this.unavailable(error);
        }
      }
      return { ...common, available: false, ...(this.notice ? { notice: this.notice } : {}) };
    } finally {
      await overlay.close();
    }
  }

  /** The base generation the overlay was last compared with; undefined before a sync reached the server. */
  get syncedGeneration(): number | undefined {
    return this.synced;
  }

  /** The generation the server has live now; undefined when it does not answer (the notice says why). */
  async liveGeneration(): Promise<number | undefined> {
    const base = await this.connect();
    if (!base) return undefined;
    try {
      await base.refresh();
      return base.generation();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return this.unavailable(error);
    }
  }

  /** The base files the overlay replaces (changed or deleted here), as of the last sync. */
  get replacedPaths(): ReadonlySet<string> {
    return this.dropped;
  }

  get baseFiles(): number {
    return this.baseFileCount;
  }

  async close(): Promise<void> {
    await this.base?.close();
    this.base = undefined;
  }

  private async connect(): Promise<ChromaStore | undefined> {
    if (this.base) return this.base;
    try {
      this.base = await ChromaStore.open(this.target.url, this.target.collection, await this.engine.deepIdentity(), { write: false, token: this.target.token });
      return this.base;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return this.unavailable(error);
    }
  }

  private unavailable(error: unknown): undefined {
    this.notice = `${(error as Error).message}: showing results from this folder's local changes only; the team index is tried again at the next search`;
    return undefined;
  }

  private async openOverlay(): Promise<LocalVectorStore> {
    return LocalVectorStore.of(await IndexStore.open(this.overlayDir, await this.engine.storeIdentity(), { write: false }));
  }
}
