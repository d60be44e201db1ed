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
 */
import { setMaxListeners } from 'node:events';
import type { QuipuConfig } from '../config';
import type { PagedChunk } from '../../workers/chunk-worker';
import { discoverFiles, discoverPaths, type DiscoveredFile, type PathEvent } from '../files/discover';
import type { FileHost } from '../files/host';
import { extensionOf, languageOf } from '../files/languages';
import { documentKindOf, type ExtractedDocument, type PageStart } from '../extract/kinds';
import { packBatch } from '../embed/batch';
import type { EnginePools } from '../pools';
import { hashText, type ChunkRecord, type FileUpdate, type IndexStore } from '../store/store';
import { Channel } from './channel';
import type { IndexEvent, IndexProgress, IndexSummary, SkippedFile } from './events';

export interface IndexRunContext {
  folder: string;
  store: IndexStore;
  pools: EnginePools;
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

export async function runIndex(ctx: IndexRunContext): Promise<IndexSummary> {
  const { store, pools, config, host } = ctx;
  const started = performance.now();
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  // Every task in flight (readers, pools) listens to this one signal: more than Node's default of 10.
  setMaxListeners(0, signal);
  let fatal: unknown;
  const fail = (error: unknown) => {
    fatal ??= error;
    stop.abort(error);
  };

  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();
  const counters = { filesToIndex: 0, filesIndexed: 0, filesUnchanged: 0, filesRemoved: 0, chunksEmbedded: 0, chunksReused: 0 };
  let bytesToIndex = 0;
  let bytesIndexed = 0;
  let discoveryDone = false;
  let currentFile: string | undefined;
  let lastProgress = 0;
  let firstEmbedAt: number | undefined;

  const emit = (event: IndexEvent) => ctx.onEvent?.(event);
  const skip = (path: string, reason: string) => {
    skipped.push({ path, reason });
    emit({ type: 'skip', file: { path, reason } });
  };
  const progress = (force = false): void => {
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    const embedSeconds = firstEmbedAt === undefined ? 0 : (now - firstEmbedAt) / 1000;
    const bytesPerSecond = embedSeconds > 0 ? bytesIndexed / embedSeconds : 0;
    const snapshot: IndexProgress = {
      filesSeen: seen.size,
      discoveryDone,
      filesToIndex: counters.filesToIndex,
      filesIndexed: counters.filesIndexed,
      filesUnchanged: counters.filesUnchanged,
      filesSkipped: skipped.length,
      chunksEmbedded: counters.chunksEmbedded,
      chunksReused: counters.chunksReused,
      chunksPerSecond: embedSeconds > 0 ? counters.chunksEmbedded / embedSeconds : 0,
      etaSeconds: discoveryDone && bytesPerSecond > 0 ? (bytesToIndex - bytesIndexed) / bytesPerSecond : undefined,
      currentFile,
      elapsedSeconds: (now - started) / 1000,
    };
    emit({ type: 'progress', progress: snapshot });
  };

  emit({ type: 'start', folder: ctx.folder, indexDir: store.dir, rebuildReason: store.rebuildReason });
  const capacity = config.pipeline.queueCapacity;
  const toRead = new Channel<DiscoveredFile>(capacity);
  const toChunk = new Channel<ReadFile>(Math.max(4, config.pipeline.chunkWorkers * 2));
  const toEmbed = new Channel<ChunkedFile>(capacity);
  const toStore = new Channel<FileUpdate>(capacity);
  const closeAll = () => [toRead, toChunk, toEmbed, toStore].forEach((c) => c.close());
  signal.addEventListener('abort', closeAll, { once: true });

  /** Runs a stage; an abort ends it quietly, any other error stops the run. */
  const stage = async (body: () => Promise<void>, output?: { close(): void }) => {
    try {
      await body();
    } catch (error) {
      if (!signal.aborted) fail(error);
    } finally {
      output?.close();
    }
  };

  const consider = async (file: DiscoveredFile) => {
    seen.add(file.path);
    const known = store.catalog.get(file.path);
    if (known && known.size === file.size && known.mtimeMs === file.mtimeMs) {
      counters.filesUnchanged++;
    } else {
      await toRead.push(file);
    }
    progress();
  };
  const remove = (path: string) => {
    if (!store.catalog.has(path)) return;
    store.stageRemoval(path);
    counters.filesRemoved++;
  };
  const walkAll = async (events: AsyncIterable<PathEvent>) => {
    for await (const event of events) {
      if (event.kind === 'file') await consider(event.file);
      else if (event.kind === 'skip') {
        skip(event.path, event.reason);
        // A file that grew too large or became unreadable keeps nothing stale in the index.
        if (ctx.paths) remove(event.path);
      } else if (event.kind === 'gone') {
        // A deleted or newly excluded file, or a whole folder of them.
        remove(event.path);
        for (const path of store.catalog.keys()) if (path.startsWith(event.path + '/')) remove(path);
      } else {
        // A folder appeared (created, moved in): walk it with the rules of the whole tree.
        const inside = discoverFiles(ctx.folder, host, config.files, { signal, extraIgnoredDirs: ctx.ignoredDirs, under: event.path });
        await walkAll(inside);
      }
    }
  };
  const discover = stage(async () => {
    const options = { signal, extraIgnoredDirs: ctx.ignoredDirs };
    await walkAll(ctx.paths ? discoverPaths(ctx.folder, host, config.files, ctx.paths, options) : discoverFiles(ctx.folder, host, config.files, options));
    discoveryDone = true;
    if (ctx.paths) return;
    for (const path of store.catalog.keys()) if (!seen.has(path)) remove(path);
  }, toRead);

  const readOne = async (file: DiscoveredFile) => {
    let bytes: Uint8Array;
    try {
      bytes = await host.readFile(file.absPath);
    } catch (error) {
      // Possibly passing (permissions, a lock): keep what the index has for it.
      skip(file.path, `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return;
    }
    const hash = hashText(bytes);
    const known = store.catalog.get(file.path);
    if (known && known.hash === hash) {
      store.stageTouch(file.path, file.size, file.mtimeMs);
      counters.filesUnchanged++;
      return;
    }
    if (bytes.length === 0) {
      skip(file.path, 'empty file');
      store.stageRemoval(file.path);
      return;
    }
    counters.filesToIndex++;
    bytesToIndex += file.size;
    const kind = documentKindOf(file.path);
    if (!kind) {
      await toChunk.push({ file, hash, source: { bytes } });
      return;
    }
    let doc: ExtractedDocument;
    try {
      doc = await pools.extract(kind, bytes, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      skip(file.path, (error as Error).message);
      store.stageRemoval(file.path);
      counters.filesToIndex--;
      bytesToIndex -= file.size;
      return;
    }
    if (!doc.text.trim()) {
      skip(file.path, `no text found in ${kind.toUpperCase()} (scanned images are not read)`);
      store.stageRemoval(file.path);
      counters.filesToIndex--;
      bytesToIndex -= file.size;
      return;
    }
    await toChunk.push({ file, hash, source: { text: doc.text, pages: doc.pages } });
  };
  const readers = Array.from({ length: config.pipeline.readConcurrency }, () =>
    stage(async () => {
      for await (const file of toRead) await readOne(file);
    }),
  );
  const readDone = Promise.all(readers).then(() => toChunk.close());

  const chunkOne = async (item: ReadFile) => {
    const result = await pools.chunk(item.source, config.chunk, signal, { language: languageOf(item.file.path), path: item.file.path });
    if (result.kind === 'skipped') {
      skip(item.file.path, result.reason);
      store.stageRemoval(item.file.path);
      counters.filesToIndex--;
      bytesToIndex -= item.file.size;
      return;
    }
    await toEmbed.push({ file: item.file, hash: item.hash, chunks: result.chunks });
  };
  const chunkers = Array.from({ length: config.pipeline.chunkWorkers * 2 }, () =>
    stage(async () => {
      for await (const item of toChunk) await chunkOne(item);
    }),
  );
  const chunkDone = Promise.all(chunkers).then(() => toEmbed.close());

  const vectorCache = new Map<string, Float32Array>();
  const remember = (inputHash: string, vector: Float32Array) => {
    if (vectorCache.size >= VECTOR_CACHE_ENTRIES) vectorCache.delete(vectorCache.keys().next().value!);
    vectorCache.set(inputHash, vector);
  };
  const windowChunks = Math.max(32, config.pipeline.batchSize * 8);
  const embed = stage(async () => {
    for (;;) {
      // A window: at least one file, then more while they are already waiting, up to windowChunks.
      const first = await toEmbed.pop();
      if (first.done) return;
      const window: ChunkedFile[] = [first.value];
      let windowSize = first.value.chunks.length;
      while (windowSize < windowChunks && toEmbed.size > 0) {
        const next = await toEmbed.pop();
        if (next.done) break;
        window.push(next.value);
        windowSize += next.value.chunks.length;
      }
      await embedWindow(window);
    }
  }, toStore);

  const embedWindow = async (window: ChunkedFile[]) => {
    const records = new Map<ChunkedFile, ChunkRecord[]>();
    const missing = new Map<string, number[]>(); // inputHash -> ids, for inputs with no vector yet
    for (const item of window) {
      currentFile = item.file.path;
      const previous = store.catalog.has(item.file.path) ? await store.vectorsOf(item.file.path) : undefined;
      const list: ChunkRecord[] = [];
      for (const chunk of item.chunks) {
        const inputHash = hashModelInput(chunk.ids);
        const known = vectorCache.get(inputHash) ?? previous?.get(inputHash);
        if (known) remember(inputHash, known);
        else if (!missing.has(inputHash)) missing.set(inputHash, chunk.ids);
        list.push({ text: chunk.text, startLine: chunk.startLine, endLine: chunk.endLine, page: chunk.page, symbol: chunk.symbol, inputHash, vector: known ?? new Float32Array(0) });
      }
      records.set(item, list);
    }
    // Similar lengths side by side: less padding inside each batch.
    const pending = [...missing.entries()].sort((a, b) => a[1].length - b[1].length);
    const batches: [string, number[]][][] = [];
    for (let i = 0; i < pending.length; i += config.pipeline.batchSize) batches.push(pending.slice(i, i + config.pipeline.batchSize));
    counters.chunksReused += [...records.values()].reduce((n, list) => n + list.length, 0) - missing.size;
    firstEmbedAt ??= performance.now();
    await mapConcurrent(batches, config.pipeline.embedWorkers + 1, async (batch) => {
      const vectors = await pools.embedBatch(packBatch(batch.map(([, ids]) => ids)), signal);
      const dims = vectors.length / batch.length;
      batch.forEach(([inputHash], i) => remember(inputHash, vectors.slice(i * dims, (i + 1) * dims)));
      counters.chunksEmbedded += batch.length;
      progress();
    });
    for (const [item, list] of records) {
      for (const record of list) {
        if (record.vector.length === 0) record.vector = vectorCache.get(record.inputHash)!;
      }
      await toStore.push({
        path: item.file.path,
        size: item.file.size,
        mtimeMs: item.file.mtimeMs,
        hash: item.hash,
        ext: extensionOf(item.file.path),
        language: languageOf(item.file.path),
        chunks: list,
      });
    }
  };

  let stagedChunks = 0;
  let lastCommit = performance.now();
  const commit = async () => {
    const files = store.stagedFileCount;
    await store.commit();
    emit({ type: 'commit', files, chunks: stagedChunks });
    stagedChunks = 0;
    lastCommit = performance.now();
  };
  const write = stage(async () => {
    for await (const update of toStore) {
      store.stageFile(update);
      stagedChunks += update.chunks.length;
      counters.filesIndexed++;
      bytesIndexed += update.size;
      progress();
      // Few large commits: each rewrites the shards it touches, so batch by size and time.
      // An empty index commits early, so a first search answers within seconds of the start.
      const threshold = store.chunkCount === 0 ? Math.min(config.pipeline.commitChunks, FIRST_COMMIT_CHUNKS) : Math.max(config.pipeline.commitChunks, store.chunkCount * 0.2);
      if (stagedChunks >= threshold || performance.now() - lastCommit > 60_000) await commit();
    }
  });

  await Promise.all([discover, readDone, chunkDone, embed, write]);
  signal.removeEventListener('abort', closeAll);
  const cancelled = !fatal && (ctx.signal?.aborted ?? false);
  // Whatever happened, keep every file that was completely embedded. (Removals of vanished files
  // are only staged once discovery has seen the whole folder, so a partial run never drops any.)
  try {
    await commit();
  } catch (error) {
    fatal ??= error;
  }
  if (fatal) throw fatal instanceof Error ? fatal : new Error(`indexing failed: ${JSON.stringify(fatal)}`);
  progress(true);
  const seconds = (performance.now() - started) / 1000;
  const summary: IndexSummary = {
    folder: ctx.folder,
    indexDir: store.dir,
    filesSeen: seen.size,
    filesIndexed: counters.filesIndexed,
    filesUnchanged: counters.filesUnchanged,
    filesRemoved: counters.filesRemoved,
    skipped,
    chunksEmbedded: counters.chunksEmbedded,
    chunksReused: counters.chunksReused,
    chunksTotal: store.chunkCount,
    sourceBytes: bytesIndexed,
    seconds,
    chunksPerSecond: seconds > 0 ? counters.chunksEmbedded / seconds : 0,
    cancelled,
    rebuildReason: store.rebuildReason,
  };
  emit({ type: 'done', summary });
  return summary;
}

async function mapConcurrent<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(runners);
}

/**
 * The key under which a chunk's embedding is shared and reused: its model input ids, which hold the
 * path and symbol put in front as well as the text (the model is part of the index's identity).
 */
function hashModelInput(ids: readonly number[]): string {
  return hashText(new Uint8Array(Int32Array.from(ids).buffer)).slice(0, 32);
}
