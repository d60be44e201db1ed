/**
 * The `quipu.*` settings, read in one place and turned into the engine's plain config object.
 * Also knows what a change means: a new model or chunk size invalidates the index (rebuild), file
 * rules change what is indexed (update), worker counts only need new worker pools.
 */
import * as vscode from 'vscode';
import { DEFAULT_LIMIT_SETTINGS, DEFAULT_PIPELINE_SETTINGS, makeConfig, TIER_PLANS, type LimitSettings, type PipelineSettings, type QuipuConfig, type TierPlan } from '../core/config/config';
import type { RemoteEmbedderSettings } from '../core/config/embedder-settings';
import { DEFAULT_VECTOR_CACHE_BYTES, defaultVectorCacheDir } from '../core/embed/vector-cache';
import { DEFAULT_SEARCH_MODE, type SearchMode } from '../core/search/search';

export interface QuipuSettings {
  autoIndex: boolean;
  model: string;
  include: string[];
  exclude: string[];
  maxFileSizeKB: number;
  chunkTokens: number;
  indexPdf: boolean;
  indexDocx: boolean;
  /** 0 means "the measured default" (`DEFAULT_PIPELINE_SETTINGS`, bench/DEFAULTS.md). */
  embedWorkers: number;
  embedThreads: number;
  chunkWorkers: number;
  batchSize: number;
  maxResults: number;
  searchMode: SearchMode;
  /**
   * `quipu.tiers` when set (user or workspace) to a known plan; unset: the engine's default (fast-deep
   * with the bundled model, deep with a remote one; deep alone, said, when the static model is missing).
   */
  tiers?: TierPlan;
  /** A remote embedding endpoint from the user's own settings (never a workspace's); unset: local. */
  embedder?: RemoteEmbedderSettings;
  /** A team index on a server, from the user's own settings (never a workspace's); unset: local indexes only. */
  teamIndex?: TeamIndexSettings;
  /** Most MB of vectors kept per model in the machine's cache; 0 turns it off. */
  vectorCacheMB: number;
  maxInflatedMB: number;
  maxExtractedChars: number;
  workerHeapMB: number;
}

/** `quipu.teamIndex.*`: the server and collection; the token comes from secret storage or the environment. */
export interface TeamIndexSettings {
  url: string;
  collection: string;
}

export type SettingsChange = 'none' | 'search' | 'pools' | 'tiers' | 'files' | 'team' | 'rebuild';

const REBUILD_KEYS = ['quipu.model', 'quipu.chunkTokens', 'quipu.embedder'];
const FILE_KEYS = ['quipu.include', 'quipu.exclude', 'quipu.maxFileSizeKB', 'quipu.indexPdf', 'quipu.indexDocx', 'files.exclude', 'search.exclude'];
const POOL_KEYS = ['quipu.embedWorkers', 'quipu.embedThreads', 'quipu.chunkWorkers', 'quipu.batchSize', 'quipu.vectorCacheMB', 'quipu.maxInflatedMB', 'quipu.maxExtractedChars', 'quipu.workerHeapMB'];

export function readSettings(): QuipuSettings {
  const c = vscode.workspace.getConfiguration('quipu');
  return {
    autoIndex: c.get('autoIndex', true),
    model: c.get('model', '').trim(),
    include: c.get<string[]>('include', []),
    exclude: c.get<string[]>('exclude', []),
    maxFileSizeKB: c.get('maxFileSizeKB', 1024),
    chunkTokens: c.get('chunkTokens', 256),
    indexPdf: c.get('indexPdf', true),
    indexDocx: c.get('indexDocx', true),
    embedWorkers: c.get('embedWorkers', 0),
    embedThreads: c.get('embedThreads', 0),
    chunkWorkers: c.get('chunkWorkers', 0),
    batchSize: c.get('batchSize', 0),
    maxResults: c.get('maxResults', 30),
    searchMode: c.get<SearchMode>('searchMode', DEFAULT_SEARCH_MODE),
    tiers: readTiers(c),
    embedder: readEmbedderSettings(c),
    teamIndex: readTeamIndexSettings(c),
    vectorCacheMB: c.get('vectorCacheMB', DEFAULT_VECTOR_CACHE_BYTES >> 20),
    maxInflatedMB: c.get('maxInflatedMB', DEFAULT_LIMIT_SETTINGS.maxInflatedBytes / (1024 * 1024)),
    maxExtractedChars: c.get('maxExtractedChars', DEFAULT_LIMIT_SETTINGS.maxExtractedChars),
    workerHeapMB: c.get('workerHeapMB', DEFAULT_LIMIT_SETTINGS.workerHeapMb),
  };
}

/** `quipu.tiers` as set by the user or the workspace; the default value, or one not known, is left to the engine. */
function readTiers(c: vscode.WorkspaceConfiguration): TierPlan | undefined {
  const inspected = c.inspect<string>('tiers');
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return TIER_PLANS.find((plan) => plan === value);
}

/**
 * The tiers the engine is asked for, and why they differ from the setting: a remote embedder computes
 * the deep tier alone (its vector size is only known from its answers), so any other plan becomes deep.
 */
export function tierPlanOf(settings: QuipuSettings): { tiers?: TierPlan; note?: string } {
  if (!settings.embedder) return settings.tiers ? { tiers: settings.tiers } : {};
  if (settings.tiers === undefined || settings.tiers === 'deep') return { tiers: 'deep' };
  return {
    tiers: 'deep',
    note: `"quipu.tiers" is ${settings.tiers}, but a remote embedder ("quipu.embedder.url") computes the deep tier alone: indexing with the deep tier only`,
  };
}

/**
 * `quipu.embedder.*` from the user's settings only. The settings are machine-scoped, so VS Code
 * already ignores them in a workspace's .vscode/settings.json; reading the user (global) value
 * explicitly keeps it so whatever the scope says: a repository must not send its code to a URL.
 */
function readEmbedderSettings(c: vscode.WorkspaceConfiguration): RemoteEmbedderSettings | undefined {
  const user = <T>(key: string, fallback: T): T => {
    const inspected = c.inspect<T>(`embedder.${key}`);
    return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
  };
  const url = user('url', '').trim();
  if (!url) return undefined;
  const positive = (value: number) => (Number.isInteger(value) && value > 0 ? value : undefined);
  const text = (value: string) => (value ? value : undefined);
  const settings: RemoteEmbedderSettings = {
    provider: user<string>('provider', 'openai') === 'ollama' ? 'ollama' : 'openai',
    url,
    model: user('model', '').trim(),
    dimensions: positive(user('dimensions', 0)),
    queryPrefix: text(user('queryPrefix', '')),
    documentPrefix: text(user('documentPrefix', '')),
    maxInputTokens: positive(user('maxInputTokens', 0)),
    batchSize: positive(user('batchSize', 0)),
    maxInFlight: positive(user('maxInFlight', 0)),
    apiKeyEnv: text(user('apiKeyEnv', '').trim()),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as unknown as RemoteEmbedderSettings;
}

/**
 * `quipu.teamIndex.url` and `.collection` from the user's settings only, as for the embedder: a
 * repository must not point Quipu at a server of its choosing. Both or neither.
 */
function readTeamIndexSettings(c: vscode.WorkspaceConfiguration): TeamIndexSettings | undefined {
  const user = (key: string): string => {
    const inspected = c.inspect<string>(`teamIndex.${key}`);
    return (inspected?.globalValue ?? inspected?.defaultValue ?? '').trim();
  };
  const url = user('url');
  const collection = user('collection');
  return url && collection ? { url, collection } : undefined;
}

/** What a configuration change asks of the index, the most demanding first. */
export function classifyChange(event: vscode.ConfigurationChangeEvent): SettingsChange {
  if (REBUILD_KEYS.some((key) => event.affectsConfiguration(key))) return 'rebuild';
  if (event.affectsConfiguration('quipu.teamIndex')) return 'team';
  if (FILE_KEYS.some((key) => event.affectsConfiguration(key))) return 'files';
  if (POOL_KEYS.some((key) => event.affectsConfiguration(key))) return 'pools';
  if (event.affectsConfiguration('quipu.tiers')) return 'tiers';
  if (event.affectsConfiguration('quipu')) return 'search';
  return 'none';
}

/**
 * The engine config for one workspace folder: VS Code's `files.exclude` and `search.exclude`
 * (the patterns switched on, not the conditional ones) join Quipu's own excludes.
 */
export function engineConfig(settings: QuipuSettings, folder?: vscode.WorkspaceFolder): QuipuConfig {
  const editorExcludes = [
    ...enabledGlobs(vscode.workspace.getConfiguration('files', folder).get<Record<string, unknown>>('exclude', {})),
    ...enabledGlobs(vscode.workspace.getConfiguration('search', folder).get<Record<string, unknown>>('exclude', {})),
  ];
  const cacheDir = settings.vectorCacheMB > 0 ? defaultVectorCacheDir() : undefined;
  const { tiers } = tierPlanOf(settings);
  return makeConfig({
    model: settings.model,
    embedder: settings.embedder,
    ...(tiers ? { tiers } : {}),
    ...(cacheDir ? { vectorCache: { dir: cacheDir, maxBytes: settings.vectorCacheMB * 2 ** 20 } } : {}),
    chunk: { maxTokens: Math.max(32, settings.chunkTokens) },
    pipeline: pipelineSettingsOf(settings),
    limits: limitSettingsOf(settings),
    files: {
      // Bounded: a workspace may set this in its own settings (docs/SECURITY.md).
      maxFileBytes: Math.min(65536, Math.max(1, settings.maxFileSizeKB)) * 1024,
      include: settings.include,
      exclude: [...settings.exclude, ...editorExcludes],
      pdf: settings.indexPdf,
      docx: settings.indexDocx,
    },
  });
}

/** The pipeline settings the user asked for, 0 (or nonsense) taking the measured default. */
export function pipelineSettingsOf(settings: QuipuSettings): PipelineSettings {
  const positive = (value: number, fallback: number) => (Number.isInteger(value) && value > 0 ? value : fallback);
  return {
    ...DEFAULT_PIPELINE_SETTINGS,
    embedWorkers: positive(settings.embedWorkers, DEFAULT_PIPELINE_SETTINGS.embedWorkers),
    embedThreads: positive(settings.embedThreads, DEFAULT_PIPELINE_SETTINGS.embedThreads),
    chunkWorkers: positive(settings.chunkWorkers, DEFAULT_PIPELINE_SETTINGS.chunkWorkers),
    batchSize: positive(settings.batchSize, DEFAULT_PIPELINE_SETTINGS.batchSize),
    // The extension host lives as long as the window: the model's memory goes back when idle.
    embedInChildProcess: true,
  };
}

/** The limits on hostile input (machine-scoped settings), nonsense taking the measured default. */
export function limitSettingsOf(settings: QuipuSettings): LimitSettings {
  const positive = (value: number, fallback: number, least = 1) => (Number.isInteger(value) && value >= least ? value : fallback);
  return {
    maxInflatedBytes: positive(settings.maxInflatedMB, DEFAULT_LIMIT_SETTINGS.maxInflatedBytes / (1024 * 1024)) * 1024 * 1024,
    maxExtractedChars: positive(settings.maxExtractedChars, DEFAULT_LIMIT_SETTINGS.maxExtractedChars),
    workerHeapMb: positive(settings.workerHeapMB, DEFAULT_LIMIT_SETTINGS.workerHeapMb, 64),
  };
}

function enabledGlobs(patterns: Record<string, unknown>): string[] {
  return Object.entries(patterns)
    .filter(([, value]) => value === true)
    .map(([glob]) => glob);
}
