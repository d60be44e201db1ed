/**
 * What a front end says about embedding elsewhere than the bundled model, and about the machine's
 * vector cache: plain settings the engine receives in `QuipuConfig` (the embedders that read them
 * are in embed/).
 */

export type RemoteProvider = 'openai' | 'ollama';

export interface RemoteEmbedderSettings {
  provider: RemoteProvider;
  /** Base URL: `http://host:8080/v1` (OpenAI-compatible) or `http://host:11434` (Ollama). */
  url: string;
  model: string;
  /** Ask the server for shorter vectors (OpenAI `dimensions`), where the model can. */
  dimensions?: number;
  /** Put in front of every query / every document (e5: "query: ", "passage: "; nomic: "search_query: "). */
  queryPrefix?: string;
  documentPrefix?: string;
  /** The model's input limit in tokens; otherwise a known value for common models, else 512. */
  maxInputTokens?: number;
  /** Inputs per request (default 32) and tokens per request (default 16384, local tokenizer's count). */
  batchSize?: number;
  batchTokens?: number;
  /** Most requests in flight (default 8); the limit adapts below it. */
  maxInFlight?: number;
  /** Name of the environment variable holding the API key (the key itself never lives in settings). */
  apiKeyEnv?: string;
  /** Given by a front end that read it from a secret store (VS Code SecretStorage). */
  apiKey?: string;
  /** Per request (default 60 s). */
  timeoutMs?: number;
  /** Attempts of one request before the run stops (default 6). */
  attempts?: number;
  /** First backoff (default 500 ms), doubled per attempt, jittered, at most 30 s. */
  backoffMs?: number;
}

export interface VectorCacheSettings {
  /** Root folder; each embedder gets a folder inside. */
  dir: string;
  /** Most bytes kept per embedder (oldest segments dropped beyond it). */
  maxBytes: number;
  /** Size of one segment file (default 16 MB; smaller in tests). */
  segmentBytes?: number;
}
