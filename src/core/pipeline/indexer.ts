/**
 * One indexing run over one folder: discover → read → extract → chunk → embed → store.
 *
 * Stages are async loops joined by bounded channels, so a fast stage waits for a slow one and
 * memory stays flat however large the folder. Reading and hashing happen here (async I/O, native
 * hashing); extraction, tokenising and embedding happen in worker pools. A single writer stages
 * finished files into the store and commits them in batches.
 *
 * Incremental: a file whose size and mtime match the catalog is not read; one whose content hash
 * matches is not chunked or embedded; a chunk whose model input (path, symbol, text) was embedded
 * before reuses that vector.
 * Cancelling (the signal) stops the run after committing every file that was completely embedded.
 *
 * Each stage is a named function over one `RunState`, so a stage can change kind (the embed stage is
 * a CPU pool for the local model and async I/O for a remote one) without touching the others.
 */
import { setMaxListeners } from 'node:events';
import type { QuipuConfig } from '../config/config';
import type { PagedChunk } from '../pool/chunk-protocol';
import { DefaultExclusions, type DefaultExclusion } from '../files/default-exclusions';
import { discoverFiles, discoverPaths, type DiscoveredFile, type PathEvent } from '../files/discover';
import { SymbolicLinkError, type FileHost } from '../files/host';
import { extensionOf, languageOf } from '../files/languages';
import { documentKindOf, type ExtractedDocument, type PageStart } from '../extract/kinds';
import type { DocumentInput, Embedder } from '../embed/embedder';
import type { VectorCache } from '../embed/vector-cache';
import type { EnginePools } from '../pool/pools';
import { hashText } from '../store/layout';
import type { IndexStore } from '../store/store';
import type { CatalogEntry, ChunkRecord, FileUpdate, Tier } from '../store/types';
import { Channel } from './channel';
import type { IndexEvent, IndexProgress, IndexSummary, SkippedFile } from './events';

export interface IndexRunContext {
  folder: string;
  store: IndexStore;
  pools: EnginePools;
  embedder: Embedder;
  /**
   * The tier of the vectors `embedder` computes (default deep). A fast pass indexes what changed with
   * static vectors; a deep pass also takes the files whose chunks are still fast and gives them the
   * transformer's. A vector stored or cached of a tier at least as good is reused, never recomputed.
   */
  tier?: Tier;
  /** The transformer's vectors by content, shared with other indexes (branches, worktrees, clones); none when unset. */
  vectorCache?: VectorCache;
  config: QuipuConfig;
  host: FileHost;
  /** Folders never to enter (the index itself, when it lives inside the folder). */
  ignoredDirs?: string[];
  /**
   * Only look at these paths (relative, forward slashes): files the editor saw change, be created
   * or go. Nothing else is walked or removed. Folders among them are walked whole.
   */
  paths?: string[];
  signal?: AbortSignal;
  onEvent?: (event: IndexEvent) => void;
  /**
   * A team index's catalog (path → content hash): a file with the same content there is the base's,
   * not the overlay's, so it is left out of this index (and dropped from it if it was in).
   */
  baseFiles?: ReadonlyMap<string, string>;
  /** Vectors another store holds (a team index), by model-input hash: taken instead of embedding. */
  sharedVectors?: (inputHashes: string[]) => Promise<Map<string, Float32Array>>;
}

interface ReadFile {
  file: DiscoveredFile;
  hash: string;
  source: { bytes: Uint8Array } | { text: string; pages?: PageStart[] };
}

interface ChunkedFile {
  file: DiscoveredFile;
  hash: string;
  chunks: PagedChunk[];
}

/** Vectors kept for reuse within a run; bounded so memory stays flat (~15 MB at 384 dims). */
const VECTOR_CACHE_ENTRIES = 10_000;
const PROGRESS_INTERVAL_MS = 200;
/** Chunks after which a new index is first committed (then commits grow with the index). */
const FIRST_COMMIT_CHUNKS = 64;
/**
 * Small files go to the chunk worker in groups of up to this many (or this many bytes): for a
 * one-line file the trip between threads costs more than the chunking.
 */
const CHUNK_GROUP_FILES = 32;
const CHUNK_GROUP_BYTES = 256 * 1024;
/** What the queue to the chunk workers holds at most (one file, however large, always fits). */
const CHUNK_QUEUE_BYTES = 4 * 1024 * 1024;
/** Later commits wait for at least this share of the index in new chunks (or `commitChunks`, or a minute). */
const COMMIT_GROWTH = 0.5;

interface TieredVector {
  vector: Float32Array;
  tier: Tier;
}

/** A vector of `tier` serves a run that computes `wanted`: deep serves both, fast only a fast run. */
function serves(tier: Tier, wanted: Tier): boolean {
  return tier === 'deep' || wanted === 'fast';
}

/** A catalog entry's chunks all have vectors good enough for a run of `tier`. */
function tierDone(entry: CatalogEntry, tier: Tier): boolean {
  return tier === 'fast' || !entry.fastChunks;
}

/** Everything one run shares: its context, queues, counters and the signal that stops it. */
interface RunState {
  ctx: IndexRunContext;
  started: number;
  stop: AbortController;
  signal: AbortSignal;
  fatal?: unknown;
  skipped: SkippedFile[];
  seen: Set<string>;
  /** Folders discovery could not judge: the catalog's files under them are kept, not removed. */
  keptUnder: string[];
  /** What the default excludes left out of a full walk (build output folders). */
  excludedByDefault: DefaultExclusion[];
  counters: { filesToIndex: number; filesIndexed: number; filesUnchanged: number; filesRemoved: number; chunksEmbedded: number; chunksReused: number };
  bytesToIndex: number;
  bytesIndexed: number;
  discoveryDone: boolean;
  currentFile?: string;
  lastProgress: number;
  firstEmbedAt?: number;
  toRead: Channel<DiscoveredFile>;
  toChunk: Channel<ReadFile>;
  toEmbed: Channel<ChunkedFile>;
  toStore: Channel<FileUpdate>;
  /** The tier of the vectors this run computes. */
  tier: Tier;
  /** Vectors of this run (and reused ones) by model-input hash, oldest first. */
  vectorCache: Map<string, TieredVector>;
  stagedChunks: number;
  lastCommit: number;
}

export async function runIndex(ctx: IndexRunContext): Promise<IndexSummary> {
  const run = createRunState(ctx);
  const closeAll = () => [run.toRead, run.toChunk, run.toEmbed, run.toStore].forEach((c) => c.close());
  run.signal.addEventListener('abort', closeAll, { once: true });
  emit(run, { type: 'start', folder: ctx.folder, indexDir: ctx.store.dir, tier: run.tier, rebuildReason: ctx.store.rebuildReason });

  const discover = runStage(run, () => discoverStage(run), run.toRead);
  const readers = Array.from({ length: ctx.config.pipeline.readConcurrency }, () => runStage(run, () => readStage(run)));
  const readDone = Promise.all(readers).then(() => run.toChunk.close());
  const chunkers = Array.from({ length: ctx.config.pipeline.chunkWorkers * 2 }, () => runStage(run, () => chunkStage(run)));
  const chunkDone = Promise.all(chunkers).then(() => {
    run.toEmbed.close();
    return ctx.pools.chunkingDone();
  });
  const embed = runStage(run, () => embedStage(run), run.toStore);
  const write = runStage(run, () => writeStage(run));
  await Promise.all([discover, readDone, chunkDone, embed, write]);

  run.signal.removeEventListener('abort', closeAll);
  const cancelled = !run.fatal && (ctx.signal?.aborted ?? false);
  // Whatever happened, keep every file that was completely embedded. (Removals of vanished files
  // are only staged once discovery has seen the whole folder, so a partial run never drops any.)
  try {
    await commitStaged(run);
  } catch (error) {
    run.fatal ??= error;
  }
  if (run.fatal) throw run.fatal instanceof Error ? run.fatal : new Error(`indexing failed: ${JSON.stringify(run.fatal)}`);
  reportProgress(run, true);
  const summary = summarize(run, cancelled);
  emit(run, { type: 'done', summary });
  return summary;
}

function createRunState(ctx: IndexRunContext): RunState {
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  // Every task in flight (readers, pools) listens to this one signal: more than Node's default of 10.
  setMaxListeners(0, signal);
  const capacity = ctx.config.pipeline.queueCapacity;
  return {
    ctx,
    started: performance.now(),
    stop,
    signal,
    skipped: [],
    seen: new Set(),
    keptUnder: [],
    excludedByDefault: [],
    counters: { filesToIndex: 0, filesIndexed: 0, filesUnchanged: 0, filesRemoved: 0, chunksEmbedded: 0, chunksReused: 0 },
    bytesToIndex: 0,
    bytesIndexed: 0,
    discoveryDone: false,
    lastProgress: 0,
    toRead: new Channel(capacity),
    // Many small files or a few large ones (an extracted PDF's text may be megabytes).
    toChunk: new Channel(Math.max(CHUNK_GROUP_FILES, ctx.config.pipeline.chunkWorkers * 2), sourceBytes, CHUNK_QUEUE_BYTES),
    toEmbed: new Channel(capacity),
    toStore: new Channel(capacity),
    tier: ctx.tier ?? 'deep',
    vectorCache: new Map(),
    stagedChunks: 0,
    lastCommit: performance.now(),
  };
}

/** Stops the run: the first error is the one reported. */
function fail(run: RunState, error: unknown): void {
  run.fatal ??= error;
  run.stop.abort(error);
}

/** Runs a stage; an abort ends it quietly, any other error stops the run. */
async function runStage(run: RunState, body: () => Promise<void>, output?: { close(): void }): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!run.signal.aborted) fail(run, error);
  } finally {
    output?.close();
  }
}

function emit(run: RunState, event: IndexEvent): void {
  run.ctx.onEvent?.(event);
}

function skip(run: RunState, path: string, reason: string): void {
  run.skipped.push({ path, reason });
  emit(run, { type: 'skip', file: { path, reason } });
}

/** A file counted for indexing that turned out to have nothing to index: skipped, and out of the index. */
function dropFile(run: RunState, file: DiscoveredFile, reason: string): void {
  skip(run, file.path, reason);
  run.ctx.store.stageRemoval(file.path);
  run.counters.filesToIndex--;
  run.bytesToIndex -= file.size;
}

function reportProgress(run: RunState, force = false): void {
  const now = performance.now();
  if (!force && now - run.lastProgress < PROGRESS_INTERVAL_MS) return;
  run.lastProgress = now;
  const { counters } = run;
  const embedSeconds = run.firstEmbedAt === undefined ? 0 : (now - run.firstEmbedAt) / 1000;
  const bytesPerSecond = embedSeconds > 0 ? run.bytesIndexed / embedSeconds : 0;
  const snapshot: IndexProgress = {
    filesSeen: run.seen.size,
    discoveryDone: run.discoveryDone,
    filesToIndex: counters.filesToIndex,
    filesIndexed: counters.filesIndexed,
    filesUnchanged: counters.filesUnchanged,
    filesSkipped: run.skipped.length,
    chunksEmbedded: counters.chunksEmbedded,
    chunksReused: counters.chunksReused,
    chunksPerSecond: embedSeconds > 0 ? counters.chunksEmbedded / embedSeconds : 0,
    etaSeconds: run.discoveryDone && bytesPerSecond > 0 ? (run.bytesToIndex - run.bytesIndexed) / bytesPerSecond : undefined,
    currentFile: run.currentFile,
    elapsedSeconds: (now - run.started) / 1000,
    tier: run.tier,
  };
  emit(run, { type: 'progress', progress: snapshot });
}

// ── discover: walk the folder (or the paths given), queue what changed, stage what went ──

async function discoverStage(run: RunState): Promise<void> {
  const { ctx, signal } = run;
  const options = { signal, extraIgnoredDirs: ctx.ignoredDirs };
  if (ctx.paths) {
    await walk(run, discoverPaths(ctx.folder, ctx.host, ctx.config.files, ctx.paths, options));
    run.discoveryDone = true;
    return;
  }
  const excluded = new DefaultExclusions();
  await walk(run, discoverFiles(ctx.folder, ctx.host, ctx.config.files, { ...options, onDefaultExclude: (dir) => excluded.note(dir) }));
  run.discoveryDone = true;
  for (const path of ctx.store.catalog.keys()) if (!run.seen.has(path) && !keptByDiscovery(run, path)) removeFile(run, path);
  // Every file is queued: the readers need not wait for the count (a bounded walk of the excluded folders).
  run.toRead.close();
  run.excludedByDefault = await excluded.count(ctx.folder, ctx.host, { signal });
}

/** Under a folder discovery could not judge (an unreadable ignore file): what the index holds stays. */
function keptByDiscovery(run: RunState, path: string): boolean {
  return run.keptUnder.some((folder) => folder === '' || path === folder || path.startsWith(folder + '/'));
}

async function walk(run: RunState, events: AsyncIterable<PathEvent>): Promise<void> {
  const { ctx } = run;
  for await (const event of events) {
    if (event.kind === 'file') await considerFile(run, event.file);
    else if (event.kind === 'skip') {
      skip(run, event.path, event.reason);
      if (event.keepUnder !== undefined) run.keptUnder.push(event.keepUnder);
      // A file that grew too large or became unreadable keeps nothing stale in the index.
      else if (ctx.paths) removeFile(run, event.path);
    } else if (event.kind === 'gone') {
      // A deleted or newly excluded file, or a whole folder of them.
      removeFile(run, event.path);
      for (const path of ctx.store.catalog.keys()) if (path.startsWith(event.path + '/')) removeFile(run, path);
    } else {
      // A folder appeared (created, moved in): walk it with the rules of the whole tree.
      await walk(run, discoverFiles(ctx.folder, ctx.host, ctx.config.files, { signal: run.signal, extraIgnoredDirs: ctx.ignoredDirs, under: event.path }));
    }
  }
}

async function considerFile(run: RunState, file: DiscoveredFile): Promise<void> {
  run.seen.add(file.path);
  const known = run.ctx.store.catalog.get(file.path);
  if (known && known.size === file.size && known.mtimeMs === file.mtimeMs && tierDone(known, run.tier)) {
    run.counters.filesUnchanged++;
  } else {
    await run.toRead.push(file);
  }
  reportProgress(run);
}

function removeFile(run: RunState, path: string): void {
  if (!run.ctx.store.catalog.has(path)) return;
  run.ctx.store.stageRemoval(path);
  run.counters.filesRemoved++;
}

// ── read: bytes and hash on this thread; PDF and DOCX text from the extract pool ──

async function readStage(run: RunState): Promise<void> {
  for await (const file of run.toRead) await readOne(run, file);
}

async function readOne(run: RunState, file: DiscoveredFile): Promise<void> {
  const { store, host, pools } = run.ctx;
  let bytes: Uint8Array;
  try {
    // The file discovery saw, and no other: not one a link put in its place since.
    bytes = await host.readFile(file.absPath, file);
  } catch (error) {
    // Possibly passing (permissions, a lock, a file replaced meanwhile): keep what the index has for it.
    const reason = error instanceof SymbolicLinkError ? 'replaced by a symbolic link or another file while indexing: not followed' : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    skip(run, file.path, reason);
    return;
  }
  const hash = hashText(bytes);
  if (run.ctx.baseFiles?.get(file.path) === hash) {
    // The team index has this very content: the overlay holds only what differs from it.
    if (store.catalog.has(file.path)) {
      store.stageRemoval(file.path);
      run.counters.filesRemoved++;
    } else run.counters.filesUnchanged++;
    return;
  }
  const known = store.catalog.get(file.path);
  if (known && known.hash === hash && tierDone(known, run.tier)) {
    store.stageTouch(file.path, file.size, file.mtimeMs);
    run.counters.filesUnchanged++;
    return;
  }
  if (bytes.length === 0) {
    skip(run, file.path, 'empty file');
    store.stageRemoval(file.path);
    return;
  }
  run.counters.filesToIndex++;
  run.bytesToIndex += file.size;
  const kind = documentKindOf(file.path);
  if (!kind) {
    await run.toChunk.push({ file, hash, source: { bytes } });
    return;
  }
  let doc: ExtractedDocument;
  try {
    doc = await pools.extract(kind, bytes, run.signal);
  } catch (error) {
    if (run.signal.aborted) throw error;
    dropFile(run, file, (error as Error).message);
    return;
  }
  if (!doc.text.trim()) {
    dropFile(run, file, `no text found in ${kind.toUpperCase()} (scanned images are not read)`);
    return;
  }
  await run.toChunk.push({ file, hash, source: { text: doc.text, pages: doc.pages } });
}

// ── chunk: decode, tokenise and cut in the chunk pool ──

async function chunkStage(run: RunState): Promise<void> {
  for (;;) {
    // A group: one file, then more while they are already waiting, up to CHUNK_GROUP_FILES or _BYTES.
    const first = await run.toChunk.pop();
    if (first.done) return;
    const group: ReadFile[] = [first.value];
    let bytes = sourceBytes(first.value);
    while (group.length < CHUNK_GROUP_FILES && bytes < CHUNK_GROUP_BYTES && run.toChunk.size > 0) {
      const next = await run.toChunk.pop();
      if (next.done) break;
      group.push(next.value);
      bytes += sourceBytes(next.value);
    }
    await chunkGroup(run, group);
  }
}

function sourceBytes(item: ReadFile): number {
  return 'bytes' in item.source ? item.source.bytes.length : item.source.text.length;
}

async function chunkGroup(run: RunState, group: ReadFile[]): Promise<void> {
  const { pools, config, embedder } = run.ctx;
  const items = group.map((item) => ({ source: item.source, file: { language: languageOf(item.file.path), path: item.file.path, inputText: embedder.needsText } }));
  const results = await pools.chunkMany(items, config.chunk, run.signal);
  for (const [i, result] of results.entries()) {
    const item = group[i];
    if (result.kind === 'skipped') dropFile(run, item.file, result.reason);
    else await run.toEmbed.push({ file: item.file, hash: item.hash, chunks: result.chunks });
  }
}

// ── embed: windows of files, inputs never embedded before, batched for the embedder ──

async function embedStage(run: RunState): Promise<void> {
  const windowChunks = Math.max(32, run.ctx.embedder.batchSize * 8);
  for (;;) {
    // A window: at least one file, then more while they are already waiting, up to windowChunks.
    const first = await run.toEmbed.pop();
    if (first.done) return;
    const window: ChunkedFile[] = [first.value];
    let windowSize = first.value.chunks.length;
    while (windowSize < windowChunks && run.toEmbed.size > 0) {
      const next = await run.toEmbed.pop();
      if (next.done) break;
      window.push(next.value);
      windowSize += next.value.chunks.length;
    }
    await embedWindow(run, window);
  }
}

function remember(run: RunState, inputHash: string, known: TieredVector): void {
  if (run.vectorCache.size >= VECTOR_CACHE_ENTRIES) run.vectorCache.delete(run.vectorCache.keys().next().value!);
  run.vectorCache.set(inputHash, known);
}

/** A vector this run may reuse for the input: of this run, or stored for the file's previous version, of a tier good enough. */
function reusable(run: RunState, inputHash: string, previous: Map<string, TieredVector> | undefined): TieredVector | undefined {
  for (const known of [run.vectorCache.get(inputHash), previous?.get(inputHash)]) if (known && serves(known.tier, run.tier)) return known;
  return undefined;
}

async function embedWindow(run: RunState, window: ChunkedFile[]): Promise<void> {
  const { store, embedder } = run.ctx;
  const records = new Map<ChunkedFile, ChunkRecord[]>();
  const missing = new Map<string, DocumentInput>(); // inputHash -> model input, for inputs with no vector yet
  for (const item of window) {
    run.currentFile = item.file.path;
    const previous = store.catalog.has(item.file.path) ? await store.tieredVectorsOf(item.file.path) : undefined;
    const list: ChunkRecord[] = [];
    for (const chunk of item.chunks) {
      const inputHash = hashModelInput(chunk.ids);
      const known = reusable(run, inputHash, previous);
      if (known) remember(run, inputHash, known);
      else if (!missing.has(inputHash)) missing.set(inputHash, { ids: chunk.ids, text: chunk.input });
      list.push({ text: chunk.text, startLine: chunk.startLine, endLine: chunk.endLine, page: chunk.page, symbol: chunk.symbol, inputHash, vector: known?.vector ?? new Float32Array(0), tier: known?.tier ?? run.tier });
    }
    records.set(item, list);
  }
  // Embedded by the transformer before, for another index, branch or folder: read, not embedded
  // (a fast pass takes them too: the chunk is deep at once).
  if (run.ctx.vectorCache && missing.size > 0) {
    for (const [inputHash, vector] of run.ctx.vectorCache.getMany([...missing.keys()])) {
      remember(run, inputHash, { vector, tier: 'deep' });
      missing.delete(inputHash);
    }
  }
  // In the team index already (an edited file's unchanged chunks): taken from the server.
  if (run.ctx.sharedVectors && missing.size > 0) {
    for (const [inputHash, vector] of await run.ctx.sharedVectors([...missing.keys()])) {
      if (!missing.has(inputHash)) continue;
      remember(run, inputHash, { vector, tier: 'deep' });
      missing.delete(inputHash);
    }
  }
  run.counters.chunksReused += [...records.values()].reduce((n, list) => n + list.length, 0) - missing.size;
  run.firstEmbedAt ??= performance.now();
  let failure: { error: unknown } | undefined;
  try {
    await mapConcurrent(batchesOf(missing, embedder), embedder.inFlight, async (batch) => {
      const vectors = await embedder.embedDocuments(batch.map(([, input]) => input), run.signal);
      const dims = vectors.length / batch.length;
      const embedded = batch.map(([inputHash], i): [string, Float32Array] => [inputHash, vectors.slice(i * dims, (i + 1) * dims)]);
      for (const [inputHash, vector] of embedded) remember(run, inputHash, { vector, tier: run.tier });
      // The shared cache holds the transformer's vectors only (a static one costs less to compute than to look up).
      if (run.tier === 'deep') run.ctx.vectorCache?.putMany(embedded);
      run.counters.chunksEmbedded += batch.length;
      reportProgress(run);
    });
  } catch (error) {
    // Files of this window whose every chunk got its vector are still stored (then the run stops).
    failure = { error };
  }
  for (const [item, list] of records) {
    const vectors = list.map((record): TieredVector | undefined => (record.vector.length > 0 ? { vector: record.vector, tier: record.tier ?? 'deep' } : run.vectorCache.get(record.inputHash)));
    if (vectors.some((vector) => !vector)) continue;
    list.forEach((record, i) => {
      record.vector = vectors[i]!.vector;
      record.tier = vectors[i]!.tier;
    });
    await run.toStore.push({
      path: item.file.path,
      size: item.file.size,
      mtimeMs: item.file.mtimeMs,
      hash: item.hash,
      ext: extensionOf(item.file.path),
      language: languageOf(item.file.path),
      chunks: list,
    });
  }
  if (failure) throw failure.error;
}

/**
 * Inputs in calls of at most `batchSize` inputs and `batchTokens` tokens, similar lengths side by
 * side (less padding inside each batch).
 */
function batchesOf(missing: Map<string, DocumentInput>, embedder: Embedder): [string, DocumentInput][][] {
  const pending = [...missing.entries()].sort((a, b) => a[1].ids.length - b[1].ids.length);
  const batches: [string, DocumentInput][][] = [];
  let batch: [string, DocumentInput][] = [];
  let tokens = 0;
  for (const entry of pending) {
    const length = entry[1].ids.length;
    if (batch.length > 0 && (batch.length >= embedder.batchSize || tokens + length > embedder.batchTokens)) {
      batches.push(batch);
      batch = [];
      tokens = 0;
    }
    batch.push(entry);
    tokens += length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

// ── write: stage finished files, commit in batches ──

async function writeStage(run: RunState): Promise<void> {
  const { store, config } = run.ctx;
  for await (const update of run.toStore) {
    store.stageFile(update);
    run.stagedChunks += update.chunks.length;
    run.counters.filesIndexed++;
    run.bytesIndexed += update.size;
    reportProgress(run);
    // Few large commits: each rewrites the shards it touches, so batch by size and time. Growing
    // by half the index at a time, a cold run rewrites about 3× the index in all (a fifth: 6×).
    // An empty index commits early, so a first search answers within seconds of the start.
    const threshold = store.chunkCount === 0 ? Math.min(config.pipeline.commitChunks, FIRST_COMMIT_CHUNKS) : Math.max(config.pipeline.commitChunks, store.chunkCount * COMMIT_GROWTH);
    if (run.stagedChunks >= threshold || performance.now() - run.lastCommit > 60_000) await commitStaged(run);
  }
}

async function commitStaged(run: RunState): Promise<void> {
  const { store } = run.ctx;
  const files = store.stagedFileCount;
  // The cache reaches the disk before the index does, so a committed vector can be found again.
  run.ctx.vectorCache?.flush();
  await store.commit();
  emit(run, { type: 'commit', files, chunks: run.stagedChunks });
  run.stagedChunks = 0;
  run.lastCommit = performance.now();
}

function summarize(run: RunState, cancelled: boolean): IndexSummary {
  const { ctx, counters } = run;
  const seconds = (performance.now() - run.started) / 1000;
  return {
    folder: ctx.folder,
    indexDir: ctx.store.dir,
    filesSeen: run.seen.size,
    filesIndexed: counters.filesIndexed,
    filesUnchanged: counters.filesUnchanged,
    filesRemoved: counters.filesRemoved,
    skipped: run.skipped,
    chunksEmbedded: counters.chunksEmbedded,
    chunksReused: counters.chunksReused,
    chunksTotal: ctx.store.chunkCount,
    sourceBytes: run.bytesIndexed,
    seconds,
    chunksPerSecond: seconds > 0 ? counters.chunksEmbedded / seconds : 0,
    cancelled,
    rebuildReason: ctx.store.rebuildReason,
    ...(run.excludedByDefault.length > 0 ? { excludedByDefault: run.excludedByDefault } : {}),
    tier: run.tier,
    tierCounts: ctx.store.tierCounts,
  };
}

/** Runs `fn` over the items, at most `limit` at once; after a failure starts nothing new, waits for the rest, then throws it. */
async function mapConcurrent<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      try {
        await fn(items[next++]);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(runners);
  if (failure) throw failure.error;
}

/**
 * The key under which a chunk's embedding is shared and reused: its model input ids, which hold the
 * path and symbol put in front as well as the text (the model is part of the index's identity).
 */
function hashModelInput(ids: readonly number[]): string {
  return hashText(new Uint8Array(Int32Array.from(ids).buffer)).slice(0, 32);
}
