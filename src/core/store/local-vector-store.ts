/**
 * The local shards (`IndexStore`) behind the `VectorStore` contract: the store every folder has, and
 * a team index's overlay.
 */
import { readManifest } from './manifest';
import { IndexStore } from './store';
import type { ChunkMetadata, FileUpdate, StoreIdentity, Tier } from './types';
import { acceptorOf, sameIdentity, StoreIdentityError, type LexicalPart, type StoreQueryOptions, type StoredFile, type TextHit, type VectorStore } from './vector-store';

export class LocalVectorStore implements VectorStore {
  private constructor(readonly store: IndexStore) {}

  /**
   * Opens the index in `dir`. A reader refuses an index of another model or chunk settings
   * (StoreIdentityError); a writer discards it and rebuilds, as `IndexStore.open` does.
   */
  static async open(dir: string, identity: StoreIdentity, options: { write: boolean }): Promise<LocalVectorStore> {
    if (!options.write) {
      const manifest = await readManifest(dir);
      if (manifest && manifest.catalogGeneration > 0 && !sameIdentity(manifest, identity)) throw new StoreIdentityError(`the local index at ${dir}`, manifest, identity);
    }
    return new LocalVectorStore(await IndexStore.open(dir, identity, options));
  }

  /** Wraps a store already open (the engine's readers and the indexer's writer). */
  static of(store: IndexStore): LocalVectorStore {
    return new LocalVectorStore(store);
  }

  get description(): string {
    return `the local index at ${this.store.dir}`;
  }

  identity(): StoreIdentity {
    return this.store.identity;
  }

  generation(): number {
    return this.store.generation;
  }

  indexedCommit(): string | undefined {
    return this.store.indexedCommit;
  }

  tiers(): ReadonlySet<Tier> {
    const { fast, deep } = this.store.tierCounts;
    return new Set<Tier>([...(fast > 0 ? ['fast' as const] : []), ...(deep > 0 ? ['deep' as const] : [])]);
  }

  refresh(): Promise<void> {
    // A reader of the local index reopens when its manifest changes (QuipuEngine.reader).
    return Promise.resolve();
  }

  async catalog(): Promise<ReadonlyMap<string, StoredFile>> {
    const files = new Map<string, StoredFile>();
    const inputHashes = await this.inputHashesByChunk();
    for (const [path, entry] of this.store.catalog) {
      files.set(path, { hash: entry.hash, inputHashes: entry.chunkIds.map((id) => inputHashes.get(id) ?? ''), ...(this.store.indexedCommit ? { commit: this.store.indexedCommit } : {}) });
    }
    return files;
  }

  stageFile(update: FileUpdate): void {
    this.store.stageFile(update);
  }

  stageRemoval(path: string): void {
    this.store.stageRemoval(path);
  }

  commit(options: { commit?: string } = {}): Promise<void> {
    return this.store.commit(options);
  }

  async vectorCandidates(vector: Float32Array, topK: number, options: StoreQueryOptions = {}): Promise<TextHit[]> {
    const accept = acceptorOf(options);
    const hits: TextHit[] = [];
    for (const { vectors, ids, metadata } of await this.store.searchableShards()) {
      for (const { row, score } of vectors.nearest(vector, topK, (row) => accept(metadata[row]))) hits.push({ id: ids[row], score, metadata: metadata[row] });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, topK);
  }

  async lexicalParts(options: StoreQueryOptions = {}): Promise<LexicalPart[]> {
    const accept = acceptorOf(options);
    const parts: LexicalPart[] = [];
    for (const shard of await this.store.searchableShards()) {
      const { index, rows } = await shard.lexical();
      const metadata: readonly ChunkMetadata[] = shard.metadata;
      parts.push({
        index,
        accept: (slot) => rows[slot] >= 0 && accept(metadata[rows[slot]]),
        hitOf: (slot, id, score) => ({ id, score, metadata: metadata[rows[slot]] }),
      });
    }
    return parts;
  }

  async chunkText(hit: TextHit): Promise<string> {
    if (hit.text !== undefined) return hit.text;
    const texts = await this.store.texts(hit.metadata.textKey).catch(() => [] as string[]);
    return texts[hit.metadata.chunk] ?? '';
  }

  async vectorsByInputHash(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    const wanted = new Set(inputHashes);
    const found = new Map<string, Float32Array>();
    for (const { vectors, metadata } of await this.store.searchableShards()) {
      metadata.forEach((m, row) => {
        if (wanted.has(m.inputHash) && !found.has(m.inputHash)) found.set(m.inputHash, vectors.rowVector(row));
      });
    }
    return found;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async inputHashesByChunk(): Promise<Map<string, string>> {
    const byId = new Map<string, string>();
    for (const { ids, metadata } of await this.store.searchableShards()) ids.forEach((id, row) => byId.set(id, metadata[row].inputHash));
    return byId;
  }
}
