/**
 * A team index on a Chroma server behind the `VectorStore` contract. Three collections per index:
 *
 *   <name>        chunks: our vectors, the chunk text as the document, ChunkMetadata + born/died
 *   <name>-files  the per-file catalog: path, content hash, commit, born/died; model-input hashes
 *                 and chunk ids in the document
 *   <name>-meta   one record, the manifest: identity, the live generation, a pending one, the commit
 *
 * Generations: a record is live in generation L when born <= L < died. A writer announces generation
 * P = live + 1 as pending, uploads new records with born = P (ids from path, content hash and position,
 * so a rerun writes the same ids), marks replaced ones died = P, and only then names P live in the
 * manifest. Readers filter on the live generation they read, so they see L or P whole, never a mix; a
 * killed upload leaves L in force, and the next run at P first revives what the killed one marked and
 * reuses what it uploaded. Records dead in both L and P are deleted after the switch.
 *
 * BM25 on the team path: Chroma's own full-text search is a filter, not a ranking, so clients build
 * Quipu's lexical index from the live generation's chunk texts (fetched once per generation, no
 * vectors) and score it with the overlay's, statistics summed over both.
 */
import { createHash } from 'node:crypto';
import { ChromaClient, type Collection, type Metadata, type Where } from 'chromadb';
import { checkCollectionName, parseStoreUrl, TEAM_TOKEN_ENV, TeamIndexError } from './team-address';
import { ShardLexicalIndex, type LexicalDocument } from './lexical-index';
import type { ChunkMetadata, FileUpdate, StoreIdentity, Tier } from './types';

const DEEP_ONLY: ReadonlySet<Tier> = new Set(['deep']);
import { acceptorOf, sameIdentity, StoreIdentityError, type LexicalPart, type StoreQueryOptions, type StoredFile, type TextHit, type VectorStore } from './vector-store';

// 2: chunk fields the server does not filter on packed in one (`serverMetadataOf`).
const FORMAT = 2;
/** `died` of a live record. */
const ALIVE = 2_000_000_000;
const WRITE_BATCH = 1000;
const READ_PAGE = 2000;
/** Longest `$nin` list sent to the server; more excluded paths are filtered here. */
const MAX_SERVER_EXCLUDES = 500;

interface TeamManifest {
  format: number;
  modelId: string;
  chunkKey: string;
  dimensions: number;
  live: number;
  pending?: number;
  commit?: string;
  updatedAt: string;
}

interface FileRecord {
  id: string;
  path: string;
  hash: string;
  commit?: string;
  inputHashes: string[];
  chunkIds: string[];
}

/** The server did not answer (stopped, unreachable): searches fall back to the overlay. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly where: string,
    cause: unknown,
  ) {
    // The client's first sentence is the reason; the rest is advice for browsers (CORS), not for us.
    const reason = ((cause as Error)?.message ?? String(cause)).split(/\.\s/)[0].replace(/\.$/, '');
    super(`the team index at ${where} does not answer (${reason})`);
    this.name = 'StoreUnavailableError';
  }
}

function idOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

export class ChromaStore implements VectorStore {
  private manifest: TeamManifest | undefined;
  private readonly staged = new Map<string, FileUpdate | null>();
  private catalogCache?: { generation: number; files: Map<string, FileRecord> };
  private lexicalCache?: { generation: number; index: ShardLexicalIndex; metadata: ChunkMetadata[]; texts: string[]; rowOf: Map<string, number> };

  private constructor(
    readonly url: string,
    readonly name: string,
    private readonly wanted: StoreIdentity,
    private readonly chunks: Collection,
    private readonly files: Collection,
    private readonly meta: Collection,
  ) {}

  /**
   * Connects to the team index `name` at `url`. A writer creates its collections; a reader needs a
   * published generation. Either refuses one of another model, dimension or chunk settings.
   */
  static async open(url: string, name: string, identity: StoreIdentity, options: { write: boolean; token?: string }): Promise<ChromaStore> {
    const location = parseStoreUrl(url);
    checkCollectionName(name);
    const token = options.token ?? process.env[TEAM_TOKEN_ENV];
    const client = new ChromaClient({ host: location.host, port: location.port, ssl: location.ssl, ...(token ? { headers: { authorization: `Bearer ${token}`, 'x-chroma-token': token } } : {}) });
    const where = `${url} (collection ${name})`;
    const collection = async (suffix: string) => {
      const args = { name: `${name}${suffix}`, embeddingFunction: null as never };
      try {
        return options.write ? await client.getOrCreateCollection({ ...args, metadata: { 'hnsw:space': 'cosine' } }) : await client.getCollection(args);
      } catch (error) {
        if ((error as Error).name === 'ChromaNotFoundError') throw new TeamIndexError(`there is no team index ${name} at ${url}: publish one with \`quipu index --store ${url} --collection ${name}\``);
        throw wrap(where, error);
      }
    };
    const store = new ChromaStore(url, name, identity, await collection(''), await collection('-files'), await collection('-meta'));
    await store.refresh();
    if (!options.write && !store.manifest) throw new TeamIndexError(`the team index ${name} at ${url} has no published generation yet`);
    if (store.manifest && !sameIdentity(store.manifest, identity)) throw new StoreIdentityError(`the team index ${name} at ${url}`, store.manifest, identity);
    return store;
  }

  get description(): string {
    return `the team index ${this.name} at ${this.url}`;
  }

  identity(): StoreIdentity {
    const m = this.manifest;
    return m ? { modelId: m.modelId, chunkKey: m.chunkKey, dimensions: m.dimensions } : this.wanted;
  }

  generation(): number {
    return this.manifest?.live ?? 0;
  }

  /** A generation being uploaded (or left by a killed upload), if any. */
  pendingGeneration(): number | undefined {
    return this.manifest?.pending;
  }

  indexedCommit(): string | undefined {
    return this.manifest?.commit;
  }

  updatedAt(): string | undefined {
    return this.manifest?.updatedAt;
  }

  /** A team index is written by the transformer only (publishing refuses fast-tier chunks). */
  tiers(): ReadonlySet<Tier> {
    return DEEP_ONLY;
  }

  async refresh(): Promise<void> {
    const got = await this.call(() => this.meta.get({ ids: ['manifest'], include: ['documents'] as never }));
    const text = got.documents[0];
    this.manifest = text ? (JSON.parse(text) as TeamManifest) : undefined;
    if (this.manifest && this.manifest.format !== FORMAT) throw new TeamIndexError(`the team index ${this.name} at ${this.url} has format ${this.manifest.format}; this Quipu reads format ${FORMAT}`);
  }

  async catalog(): Promise<ReadonlyMap<string, StoredFile>> {
    const files = await this.liveFiles(this.generation());
    return new Map([...files].map(([path, r]) => [path, { hash: r.hash, inputHashes: r.inputHashes, ...(r.commit ? { commit: r.commit } : {}) }]));
  }

  stageFile(update: FileUpdate): void {
    this.staged.set(update.path, update);
  }

  stageRemoval(path: string): void {
    this.staged.set(path, null);
  }

  async commit(options: { commit?: string } = {}): Promise<void> {
    await this.refresh();
    const previous = this.manifest;
    const live = previous?.live ?? 0;
    const commitChanged = options.commit !== undefined && options.commit !== previous?.commit;
    if (this.staged.size === 0 && !commitChanged && previous?.pending === undefined && previous) return;
    const P = previous?.pending ?? live + 1;
    const base: TeamManifest = previous ?? { format: FORMAT, ...this.wanted, live: 0, updatedAt: new Date().toISOString() };
    await this.writeManifest({ ...base, pending: P });
    // What a killed run at P left: its died marks undone, its uploads kept only if still wanted.
    let leftoverChunks = new Set<string>();
    let leftoverFiles = new Set<string>();
    if (previous?.pending === P) {
      for (const collection of [this.chunks, this.files]) {
        const marked = await this.ids(collection, { died: P });
        await this.batched(marked, (ids) => collection.update({ ids, metadatas: ids.map(() => ({ died: ALIVE })) }));
      }
      leftoverChunks = new Set(await this.ids(this.chunks, { born: P }));
      leftoverFiles = new Set(await this.ids(this.files, { born: P }));
    }
    const current = await this.liveFiles(live, true);
    const dieChunks: string[] = [];
    const dieFiles: string[] = [];
    const keepChunks = new Set<string>();
    const keepFiles = new Set<string>();
    const newChunks: { id: string; embedding: number[]; metadata: Metadata; document: string }[] = [];
    const newFiles: { id: string; metadata: Metadata; document: string }[] = [];
    for (const [path, update] of this.staged) {
      const old = current.get(path);
      if (update && old && old.hash === update.hash) continue;
      if (old) {
        dieFiles.push(old.id);
        dieChunks.push(...old.chunkIds);
      }
      if (!update) continue;
      const fileId = idOf('file', path, update.hash);
      const chunkIds = update.chunks.map((_, i) => idOf('chunk', path, update.hash, String(i)));
      update.chunks.forEach((chunk, i) => {
        if (chunk.vector.length !== this.wanted.dimensions) throw new TeamIndexError(`a chunk of ${path} has ${chunk.vector.length} dimensions, the team index ${this.wanted.dimensions}`);
        if (leftoverChunks.has(chunkIds[i])) return void keepChunks.add(chunkIds[i]);
        const metadata = serverMetadataOf({ path, ext: update.ext, lang: update.language, startLine: chunk.startLine, endLine: chunk.endLine, page: chunk.page ?? 0, chunk: i, textKey: fileId, inputHash: chunk.inputHash, symbol: chunk.symbol ?? '', tier: 'deep' }, P);
        newChunks.push({ id: chunkIds[i], embedding: Array.from(chunk.vector), metadata, document: chunk.text });
      });
      if (leftoverFiles.has(fileId)) keepFiles.add(fileId);
      else {
        newFiles.push({
          id: fileId,
          metadata: { path, hash: update.hash, commit: options.commit ?? '', born: P, died: ALIVE },
          document: JSON.stringify({ inputHashes: update.chunks.map((c) => c.inputHash), chunkIds }),
        });
      }
    }
    await this.batched(newChunks, (batch) =>
      this.chunks.upsert({ ids: batch.map((c) => c.id), embeddings: batch.map((c) => c.embedding), metadatas: batch.map((c) => c.metadata), documents: batch.map((c) => c.document) }),
    );
    // Files last: a file record names chunks that are all there.
    await this.batched(newFiles, (batch) => this.files.upsert({ ids: batch.map((f) => f.id), embeddings: batch.map(() => [1]), metadatas: batch.map((f) => f.metadata), documents: batch.map((f) => f.document) }));
    await this.batched([...leftoverChunks].filter((id) => !keepChunks.has(id)), (ids) => this.chunks.delete({ ids }));
    await this.batched([...leftoverFiles].filter((id) => !keepFiles.has(id)), (ids) => this.files.delete({ ids }));
    await this.batched(dieChunks, (ids) => this.chunks.update({ ids, metadatas: ids.map(() => ({ died: P })) }));
    await this.batched(dieFiles, (ids) => this.files.update({ ids, metadatas: ids.map(() => ({ died: P })) }));
    // The switch: from here readers see P.
    await this.writeManifest({ ...base, live: P, pending: undefined, commit: options.commit ?? base.commit, updatedAt: new Date().toISOString() });
    this.staged.clear();
    // Dead in P: only a reader still at L could see them, and it then misses some of L's chunks (never
    // mixes two generations). Deleting them now keeps queries on the fast path (vectorCandidates).
    for (const collection of [this.chunks, this.files]) await this.call(() => collection.delete({ where: { died: { $lte: P } } }));
  }

  async vectorCandidates(vector: Float32Array, topK: number, options: StoreQueryOptions = {}): Promise<TextHit[]> {
    const L = this.generation();
    if (L === 0) return [];
    const types = (options.filter as { ext?: { $in?: string[] } } | undefined)?.ext?.$in;
    const excluded = options.excludePaths ?? new Set<string>();
    const accept = acceptorOf(options);
    // What is filtered here (globs, the overlay's paths, other generations) is read from a deeper list.
    const local = Boolean(options.predicate) || excluded.size > 0;
    const n = local ? topK * 2 + 32 : topK;
    const run = async (where: Where[], count: number) => {
      const found = await this.call(() =>
        this.chunks.query({ queryEmbeddings: [Array.from(vector)], nResults: count, ...(where.length > 0 ? { where: where.length === 1 ? where[0] : { $and: where } } : {}), include: ['metadatas', 'documents', 'distances'] as never }),
      );
      return found.ids[0].map((id, i) => ({ id, score: 1 - (found.distances[0][i] ?? 1), metadata: chunkMetadataOf(found.metadatas[0][i]), text: found.documents[0][i] ?? '' }));
    };
    const typeClause: Where[] = types ? [{ ext: { $in: types } }] : [];
    // First without the generation filter (a metadata scan on the server, many times slower): when
    // every hit is live in L, they are L's nearest too, since L's chunks are a subset of those searched.
    let raw = await run(typeClause, n);
    const live = (h: (typeof raw)[number]) => h.metadata && h.metadata.born <= L && h.metadata.died > L;
    if (!raw.every(live)) raw = (await run([...typeClause, ...liveAt(L)], n)).filter(live);
    let hits = raw.filter((h) => accept(h.metadata));
    // Filtered here below topK although the server had more: ask the server to filter.
    if (hits.length < topK && raw.length === n) {
      const paths: Where[] = excluded.size > 0 && excluded.size <= MAX_SERVER_EXCLUDES ? [{ path: { $nin: [...excluded] } }] : [];
      hits = (await run([...typeClause, ...liveAt(L), ...paths], options.predicate || excluded.size > MAX_SERVER_EXCLUDES ? topK * 8 + 64 : topK)).filter((h) => live(h) && accept(h.metadata));
    }
    return hits.slice(0, topK).map(({ id, score, metadata, text }) => ({ id, score, metadata, text }));
  }

  async lexicalParts(options: StoreQueryOptions = {}): Promise<LexicalPart[]> {
    const L = this.generation();
    if (L === 0) return [];
    const lexical = await this.lexicalOf(L);
    const accept = acceptorOf(options);
    const rows = Array.from({ length: lexical.metadata.length }, (_, slot) => lexical.rowOf.get(lexical.index.idAt(slot)) ?? -1);
    return [
      {
        index: lexical.index,
        accept: (slot) => rows[slot] >= 0 && accept(lexical.metadata[rows[slot]]),
        hitOf: (slot, id, score) => ({ id, score, metadata: lexical.metadata[rows[slot]], text: lexical.texts[rows[slot]] }),
      },
    ];
  }

  async chunkText(hit: TextHit): Promise<string> {
    if (hit.text !== undefined) return hit.text;
    const got = await this.call(() => this.chunks.get({ ids: [hit.id], include: ['documents'] as never }));
    return got.documents[0] ?? '';
  }

  async vectorsByInputHash(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const L = this.generation();
    if (L === 0) return found;
    const unique = [...new Set(inputHashes)];
    for (let i = 0; i < unique.length; i += 500) {
      const slice = unique.slice(i, i + 500);
      const got = await this.call(() => this.chunks.get({ where: { $and: [...liveAt(L), { inputHash: { $in: slice } }] }, include: ['embeddings', 'metadatas'] as never }));
      got.ids.forEach((_, row) => {
        const hash = (got.metadatas[row] as { inputHash?: string } | null)?.inputHash;
        const embedding = got.embeddings[row];
        if (hash && embedding && !found.has(hash)) found.set(hash, Float32Array.from(embedding));
      });
    }
    return found;
  }

  /** Chunks live in the committed generation (status, tests, bench). */
  async chunkCount(): Promise<number> {
    const L = this.generation();
    if (L === 0) return 0;
    return (await this.ids(this.chunks, { $and: liveAt(L) })).length;
  }

  close(): Promise<void> {
    this.lexicalCache = undefined;
    this.catalogCache = undefined;
    return Promise.resolve();
  }

  private async writeManifest(manifest: TeamManifest): Promise<void> {
    const { pending, ...rest } = manifest;
    const record: TeamManifest = pending === undefined ? rest : manifest;
    await this.call(() => this.meta.upsert({ ids: ['manifest'], embeddings: [[1]], documents: [JSON.stringify(record)], metadatas: [{ live: record.live }] }));
    this.manifest = record;
  }

  private async liveFiles(L: number, fresh = false): Promise<Map<string, FileRecord>> {
    if (!fresh && this.catalogCache?.generation === L) return this.catalogCache.files;
    const files = new Map<string, FileRecord>();
    if (L > 0) {
      for await (const page of this.pages(this.files, { $and: liveAt(L) }, ['metadatas', 'documents'])) {
        page.ids.forEach((id, i) => {
          const m = page.metadatas[i] as { path: string; hash: string; commit?: string };
          const doc = JSON.parse(page.documents[i] ?? '{}') as { inputHashes?: string[]; chunkIds?: string[] };
          files.set(m.path, { id, path: m.path, hash: m.hash, ...(m.commit ? { commit: m.commit } : {}), inputHashes: doc.inputHashes ?? [], chunkIds: doc.chunkIds ?? [] });
        });
      }
    }
    this.catalogCache = { generation: L, files };
    return files;
  }

  private async lexicalOf(L: number) {
    if (this.lexicalCache?.generation === L) return this.lexicalCache;
    const index = ShardLexicalIndex.empty();
    const metadata: ChunkMetadata[] = [];
    const texts: string[] = [];
    const rowOf = new Map<string, number>();
    for await (const page of this.pages(this.chunks, { $and: liveAt(L) }, ['metadatas', 'documents'])) {
      const documents: LexicalDocument[] = [];
      page.ids.forEach((id, i) => {
        const m = chunkMetadataOf(page.metadatas[i]);
        rowOf.set(id, metadata.length);
        metadata.push(m);
        texts.push(page.documents[i] ?? '');
        documents.push({ id, text: page.documents[i] ?? '', path: m.path, ...(m.symbol ? { symbol: m.symbol } : {}) });
      });
      index.add(documents);
    }
    this.lexicalCache = { generation: L, index, metadata, texts, rowOf };
    return this.lexicalCache;
  }

  private async *pages(collection: Collection, where: Where, include: string[]) {
    for (let offset = 0; ; offset += READ_PAGE) {
      const page = await this.call(() => collection.get({ where, limit: READ_PAGE, offset, include: include as never }));
      if (page.ids.length > 0) yield page;
      if (page.ids.length < READ_PAGE) return;
    }
  }

  private async ids(collection: Collection, where: Where): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of this.pages(collection, where, [])) ids.push(...page.ids);
    return ids;
  }

  private async batched<T>(items: T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < items.length; i += WRITE_BATCH) {
      const batch = items.slice(i, i + WRITE_BATCH);
      await this.call(() => write(batch));
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrap(this.url, error);
    }
  }
}

/**
 * What the server keeps per chunk: the fields it filters on as fields, the rest in one string. Chroma
 * stores each metadata field as a row of its own, so fewer fields upload faster.
 */
function serverMetadataOf(m: ChunkMetadata, born: number): Metadata {
  return { path: m.path, ext: m.ext, inputHash: m.inputHash, born, died: ALIVE, rest: JSON.stringify([m.lang, m.startLine, m.endLine, m.page, m.chunk, m.textKey, m.symbol]) };
}

function chunkMetadataOf(raw: Metadata | null | undefined): ChunkMetadata & { born: number; died: number } {
  const r = (raw ?? {}) as { path: string; ext: string; inputHash: string; born: number; died: number; rest?: string };
  const [lang, startLine, endLine, page, chunk, textKey, symbol] = JSON.parse(r.rest ?? '[]') as [string, number, number, number, number, string, string];
  return { path: r.path, ext: r.ext, inputHash: r.inputHash, born: r.born, died: r.died, lang, startLine, endLine, page, chunk, textKey, symbol, tier: 'deep' };
}

function liveAt(L: number): Where[] {
  return [{ born: { $lte: L } }, { died: { $gt: L } }];
}

function wrap(where: string, error: unknown): Error {
  if (error instanceof StoreUnavailableError || error instanceof TeamIndexError) return error;
  const name = (error as Error)?.name;
  const message = (error as Error)?.message ?? '';
  if (name === 'ChromaConnectionError' || /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|other side closed/i.test(message)) return new StoreUnavailableError(where, error);
  // chromadb 3.5 names its 401 error ChromaAuthError (the class is ChromaUnauthorizedError).
  if (name === 'ChromaAuthError' || name === 'ChromaUnauthorizedError' || name === 'ChromaForbiddenError') return new TeamIndexError(`${where} refused the token (${message}): set ${TEAM_TOKEN_ENV} to a token the server accepts`);
  return error instanceof Error ? error : new Error(String(error));
}
