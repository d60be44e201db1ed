/**
 * Every knob of the engine in one plain object. The CLI and the extension build it from their own
 * settings; the core never reads settings by itself.
 *
 * The defaults for workers, threads and batch size are measured (bench/DEFAULTS.md, bench/SCALING.md):
 * single-thread embedding workers, one per core up to a bound, one chunk per call, plus one light
 * worker that tokenises and chunks while the model runs.
 */
import { usableCores } from './cores';
import type { RemoteEmbedderSettings, VectorCacheSettings } from './embedder-settings';

export interface ChunkSettings {
  /** Upper bound on a chunk's tokens, including the model's special tokens. */
  maxTokens: number;
  /** Tokens of context repeated from the end of one chunk at the start of the next. */
  overlapTokens: number;
  /**
   * Embed each chunk with its file path and enclosing symbol in front ("src/net/retry.ts · withRetry").
   * Only the embedding sees it; the stored text and the lexical index do not. On by default: it
   * raised nDCG@10 on all four eval datasets (bench/QUALITY-EXPERIMENTS.md).
   */
  embedContext?: boolean;
  /**
   * The model reads code without the lines that only wire the file to others (imports, includes,
   * bare re-exports) and without tool pragmas. Only the embedding sees the difference. On by
   * default: it raised vector-only nDCG@10 on every code dataset (bench/QUALITY-EXPERIMENTS.md §5).
   */
  stripBoilerplate?: boolean;
  /**
   * Compound identifiers are cut into words for the model (`dropLastWhile` → "drop Last While"),
   * in chunks and queries alike, when the tokenizer lower-cases (as uncased BERT models do, where
   * camelCase boundaries would otherwise be lost). On by default (bench/QUALITY-EXPERIMENTS.md §5).
   */
  splitWords?: boolean;
}

export interface PipelineSettings {
  /** Files read from disk at once. */
  readConcurrency: number;
  /** Worker threads that extract PDF/DOCX text. */
  extractWorkers: number;
  /** Worker threads that tokenise and chunk. */
  chunkWorkers: number;
  /** Worker threads that each hold one ONNX Runtime session. */
  embedWorkers: number;
  /** ONNX Runtime intra-op threads per embedding worker. */
  embedThreads: number;
  /** Sequences per inference call. */
  batchSize: number;
  /** Capacity of each queue between stages (items). Bounds memory whatever the workspace size. */
  queueCapacity: number;
  /**
   * Smallest number of staged chunks that triggers a commit (the index grows in steps of at least
   * this, or half its size, whichever is larger): fewer, larger writes.
   */
  commitChunks: number;
  /**
   * Seconds a worker (extract, chunk, embed) may sit idle before it exits and gives its memory back;
   * the pool starts it again on the next task. The query lane waits five times as long, so a search
   * soon after indexing does not load the model again.
   */
  workerIdleSeconds: number;
  /**
   * Chunk workers stay (for `workerIdleSeconds`) once a run has chunked its last file, so the next
   * run starts at once: the extension and the MCP server. Off, they exit then, and their memory is
   * not held while the embedding workers finish: the CLI, which runs once (bench/MEMORY.md).
   */
  keepChunkWorkers: boolean;
  /**
   * Embedding workers in a child process of their own instead of this process's threads: for a
   * long-lived host (VS Code's extension host), which gets all of their memory back when they go
   * idle, and survives a native crash in ONNX Runtime. The CLI keeps threads.
   */
  embedInChildProcess: boolean;
}

export interface FileSettings {
  /** Files larger than this are skipped (bytes). PDF and DOCX use `maxDocumentBytes`. */
  maxFileBytes: number;
  maxDocumentBytes: number;
  /** Extra glob patterns (gitignore syntax) to exclude. */
  exclude: string[];
  /** When not empty, only paths matching one of these globs are indexed. */
  include: string[];
  /** Index PDF and DOCX documents. */
  pdf: boolean;
  docx: boolean;
}

/**
 * Bounds on what one hostile file may cost (bench/RELIABILITY.md measures the defaults). A file past
 * one is skipped with a reason naming the setting; the run goes on.
 */
export interface LimitSettings {
  /**
   * V8 heap of each extract and chunk worker (MB, `resourceLimits.maxOldGenerationSizeMb`): a file
   * that makes a parser run away kills its worker only, and the pool starts another.
   */
  workerHeapMb: number;
  /** What a PDF's Flate streams or a DOCX's zip entries may inflate to, in all (bytes). */
  maxInflatedBytes: number;
  /** Longest text kept from one PDF or DOCX (characters); a longer one is skipped. */
  maxExtractedChars: number;
}

export interface QuipuConfig {
  /** A model folder in the transformers.js layout, or a Hugging Face model id (downloads need a network). */
  model: string;
  /**
   * A remote embedding endpoint; unset, the model above embeds on this machine. The local model's
   * tokenizer still cuts the chunks (counted with a safety margin for another tokenizer).
   */
  embedder?: RemoteEmbedderSettings;
  /**
   * Which embeddings an index gets (`TierPlan`); unset: 'fast-deep' with the local model, 'deep' with a
   * remote one (whose vector size is only known from its answers).
   */
  tiers?: TierPlan;
  /**
   * The fast tier's static model (embed/static-embedder.ts: a table distilled from the local model, read
   * at tokenizer speed): its file; unset or '' for the one set-up builds.
   */
  staticModel?: string;
  /**
   * Vectors by content shared by every index on the machine (embed/vector-cache.ts). Unset: none;
   * the CLI and the extension set it by default.
   */
  vectorCache?: VectorCacheSettings;
  chunk: ChunkSettings;
  pipeline: PipelineSettings;
  files: FileSettings;
  limits: LimitSettings;
}

export const DEFAULT_CHUNK_SETTINGS: ChunkSettings = { maxTokens: 256, overlapTokens: 32, embedContext: true, stripBoilerplate: true, splitWords: true };

/**
 * The chunk settings as an index records them: an index made with other settings is rebuilt. What
 * the model reads is part of the key (embed/model-input.ts), so changing it re-embeds everything.
 * v3: a call wrapping a function (`memo(function Card…)`) is a declaration, so chunks changed.
 * v4: definitions by assignment and inside wrappers are declarations (`exports.x = function`,
 * `Foo.prototype.x`, `module.exports = {…}`, IIFE and AMD bodies, Go `Type.Method`, …: chunk/declarations.ts).
 * v5: a declaration takes only the comments right above it (or a `/** … *\/` one blank line above), not
 * the separator rules and notes further up, so chunks start at the doc comment.
 */
export const CHUNKER_VERSION = 'v5';

export function chunkKeyOf(chunk: ChunkSettings): string {
  const { maxTokens, overlapTokens, embedContext, stripBoilerplate, splitWords } = chunk;
  const input = `${embedContext ? ';context' : ''}${stripBoilerplate ? ';strip' : ''}${splitWords ? ';words' : ''}`;
  return `${CHUNKER_VERSION};max=${maxTokens};overlap=${overlapTokens}${input}`;
}

/** What an index's chunk key means, for people ("at most 256 tokens, 32 shared with the next; …"). */
export function describeChunkKey(key: string): string {
  const words: Record<string, string> = {
    context: 'path and symbol in front',
    strip: 'imports and pragmas left out',
    words: 'identifiers cut into words',
  };
  let size = '';
  const input: string[] = [];
  let format = '';
  for (const part of key.split(';').filter(Boolean)) {
    const [name, value] = part.split('=');
    if (name === 'max') size = `at most ${value} tokens` + size;
    else if (name === 'overlap') size += `, ${value} shared with the next`;
    else if (/^v\d+$/.test(name)) format = name;
    else input.push(words[name] ?? part);
  }
  const model = input.length > 0 ? `; the model reads them with ${input.join(', ')}` : '';
  return `${size}${model} (${format || 'unversioned'})`;
}

/** Most embedding workers by default: each holds a session of its own (memory: bench/SCALING.md). */
export const MAX_DEFAULT_EMBED_WORKERS = 4;

/**
 * Embedding workers for a machine with `cores` usable cores (`usableCores()`): one single-thread
 * session per core on one or two cores, where it was measured best (bench/DEFAULTS.md) and speed grew
 * with the cores (bench/SCALING.md); from four cores on, one core is left to the editor and the
 * other stages, and no more than MAX_DEFAULT_EMBED_WORKERS sessions are held in memory.
 */
export function defaultEmbedWorkers(cores: number): number {
  const usable = Math.max(1, Math.floor(cores));
  return usable <= 2 ? usable : Math.min(usable - 1, MAX_DEFAULT_EMBED_WORKERS);
}

/**
 * The embedding settings are measured (`npm run bench:defaults`, bench/DEFAULTS.md): on two cores,
 * two workers of one ONNX thread each, one chunk per call, indexed 1.25× as fast as one two-thread
 * worker with batches of 8, at a lower peak RSS. Single sequences carry no padding, and sessions
 * working side by side keep the cores busy without intra-op synchronisation; the worker count follows
 * the machine's cores (`defaultEmbedWorkers`).
 */
export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  readConcurrency: 16,
  extractWorkers: 1,
  chunkWorkers: 1,
  embedWorkers: defaultEmbedWorkers(usableCores()),
  embedThreads: 1,
  batchSize: 1,
  queueCapacity: 64,
  commitChunks: 1000,
  workerIdleSeconds: 60,
  keepChunkWorkers: true,
  embedInChildProcess: false,
};

export const DEFAULT_FILE_SETTINGS: FileSettings = {
  maxFileBytes: 1024 * 1024,
  maxDocumentBytes: 32 * 1024 * 1024,
  exclude: [],
  include: [],
  pdf: true,
  docx: true,
};

export const DEFAULT_LIMIT_SETTINGS: LimitSettings = {
  workerHeapMb: 1024,
  maxInflatedBytes: 256 * 1024 * 1024,
  maxExtractedChars: 16 * 1024 * 1024,
};

/**
 * The tiers an index is built in. `fast`: words and static vectors only (searchable at tokenizer speed);
 * `fast-deep`: those first, then the transformer's vectors replace the static ones, file by file,
 * behind them; `deep`: the transformer (local or remote) alone, as before tiers.
 */
export type TierPlan = 'fast' | 'fast-deep' | 'deep';
export const TIER_PLANS: readonly TierPlan[] = ['fast', 'fast-deep', 'deep'];

export function makeConfig(overrides: {
  model?: string;
  embedder?: RemoteEmbedderSettings;
  tiers?: TierPlan;
  staticModel?: string;
  vectorCache?: VectorCacheSettings;
  chunk?: Partial<ChunkSettings>;
  pipeline?: Partial<PipelineSettings>;
  files?: Partial<FileSettings>;
  limits?: Partial<LimitSettings>;
} = {}): QuipuConfig {
  const config: QuipuConfig = {
    model: overrides.model ?? '',
    ...(overrides.embedder ? { embedder: overrides.embedder } : {}),
    ...(overrides.tiers !== undefined ? { tiers: overrides.tiers } : {}),
    ...(overrides.staticModel !== undefined ? { staticModel: overrides.staticModel } : {}),
    ...(overrides.vectorCache ? { vectorCache: overrides.vectorCache } : {}),
    chunk: { ...DEFAULT_CHUNK_SETTINGS, ...overrides.chunk },
    pipeline: { ...DEFAULT_PIPELINE_SETTINGS, ...overrides.pipeline },
    files: { ...DEFAULT_FILE_SETTINGS, ...overrides.files },
    limits: { ...DEFAULT_LIMIT_SETTINGS, ...overrides.limits },
  };
  validateConfig(config);
  return config;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function validateConfig(config: QuipuConfig): void {
  const { chunk, pipeline } = config;
  if (config.tiers !== undefined && !TIER_PLANS.includes(config.tiers)) throw new ConfigError(`tiers must be one of ${TIER_PLANS.join(', ')} (got ${String(config.tiers)})`);
  if (config.embedder && config.tiers !== undefined && config.tiers !== 'deep') {
    throw new ConfigError(`A remote embedder is the deep tier alone (its vector size is only known from its answers): tiers must be 'deep', not '${config.tiers}'.`);
  }
  if (!Number.isInteger(chunk.maxTokens) || chunk.maxTokens < 16) {
    throw new ConfigError(`chunk.maxTokens must be an integer of at least 16 (got ${chunk.maxTokens})`);
  }
  if (!Number.isInteger(chunk.overlapTokens) || chunk.overlapTokens < 0 || chunk.overlapTokens >= chunk.maxTokens / 2) {
    throw new ConfigError(`chunk.overlapTokens must be between 0 and half of maxTokens (got ${chunk.overlapTokens})`);
  }
  for (const key of Object.keys(config.limits) as (keyof LimitSettings)[]) {
    const value = config.limits[key];
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`limits.${key} must be a positive integer (got ${value})`);
  }
  if (config.limits.workerHeapMb < 64) throw new ConfigError(`limits.workerHeapMb must be at least 64 (got ${config.limits.workerHeapMb})`);
  for (const key of Object.keys(pipeline) as (keyof PipelineSettings)[]) {
    const value = pipeline[key];
    if (typeof value === 'boolean') continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new ConfigError(`pipeline.${key} must be a positive integer (got ${value})`);
    }
  }
}
