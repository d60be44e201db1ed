/**
 * An embedding server reached over HTTP: OpenAI-compatible `POST /v1/embeddings` (OpenAI, vLLM, TEI,
 * Infinity, LM Studio, llama.cpp, gateways) or Ollama's `POST /api/embed`.
 *
 * The embed stage is I/O here, not CPU: many requests in flight, as many as the server answers
 * faster with (`AdaptiveLimit`: grows while throughput grows, halves on 429/503). Transient failures
 * (429, 5xx, resets, timeouts, a truncated body) are retried with jittered exponential backoff,
 * honouring `Retry-After`; a request that keeps failing, or an answer that cannot be right (another
 * vector size, a missing vector, 4xx), stops the run with a `RemoteEmbedderError` naming the endpoint.
 * The API key is sent as a bearer token and appears in no message.
 */
import type { RemoteEmbedderSettings, RemoteProvider } from '../config/embedder-settings';
import { AdaptiveLimit } from './adaptive-limit';
import type { DocumentInput, Embedder } from './embedder';
import { queryModelInput } from './model-input';

/**
 * Input limits of common embedding models (tokens). Their tokenizers are not ours, so chunks are
 * counted with the local tokenizer and kept `TOKEN_SAFETY_MARGIN` below the limit, except for the
 * MiniLM family, which shares the bundled model's tokenizer.
 */
const KNOWN_LIMITS: [RegExp, number][] = [
  [/minilm/i, 256],
  [/nomic-embed/i, 8192],
  [/bge-m3/i, 8192],
  [/text-embedding-3|text-embedding-ada/i, 8191],
  [/jina-embeddings-v[23]/i, 8192],
  [/gte-(?:base|large|small)|bge-|e5-|mxbai-embed|snowflake-arctic-embed|all-mpnet/i, 512],
];
export const DEFAULT_REMOTE_MAX_TOKENS = 512;
/** A tenth of the limit is left free when the remote tokenizer is not the local one. */
export const TOKEN_SAFETY_MARGIN = 0.1;

export class RemoteEmbedderError extends Error {
  override name = 'RemoteEmbedderError';
}

/** An error worth another attempt, and how long the server asked us to wait. */
class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** 429/503: the server is saturated, so fewer requests in flight. */
    readonly overloaded = false,
  ) {
    super(message);
  }
}

export class RemoteEmbedder implements Embedder {
  readonly needsText = true;
  readonly maxInputTokens: number;
  readonly batchSize: number;
  readonly batchTokens: number;
  readonly inFlight: number;
  readonly id: string;
  readonly endpoint: string;
  private readonly limit: AdaptiveLimit;
  private readonly apiKey: string | undefined;
  private probed?: Promise<number>;
  private knownDimensions?: number;
  /** Requests sent, retried, and answered 429/503 (for the status report and the benchmark). */
  readonly stats = { requests: 0, retries: 0, overloaded: 0 };

  constructor(
    readonly settings: RemoteEmbedderSettings,
    /** Whether queries are cut into words as the chunks were (the local tokenizer lower-cases). */
    private readonly cutQueryWords: boolean,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const url = parseUrl(settings.url);
    if (!settings.model) throw new RemoteEmbedderError('A remote embedder needs a model name (--embed-model).');
    this.endpoint = endpointOf(settings.provider, url);
    this.apiKey = settings.apiKey ?? (settings.apiKeyEnv ? env[settings.apiKeyEnv] : undefined);
    if (settings.apiKeyEnv && !this.apiKey) throw new RemoteEmbedderError(`The environment variable ${settings.apiKeyEnv} (named for the embedding API key) is not set.`);
    const known = KNOWN_LIMITS.find(([pattern]) => pattern.test(settings.model));
    const limit = settings.maxInputTokens ?? known?.[1] ?? DEFAULT_REMOTE_MAX_TOKENS;
    const sameTokenizer = /minilm/i.test(settings.model);
    this.maxInputTokens = (settings.maxInputTokens ?? 0) > 0 || sameTokenizer ? limit : Math.floor(limit * (1 - TOKEN_SAFETY_MARGIN));
    this.batchSize = settings.batchSize ?? 32;
    this.batchTokens = settings.batchTokens ?? 16_384;
    this.inFlight = settings.maxInFlight ?? 8;
    this.limit = new AdaptiveLimit(Math.min(2, this.inFlight), this.inFlight);
    // The index's identity: provider, host and model (and what changes the vectors), never the key.
    const extras = [settings.dimensions ? `dims=${settings.dimensions}` : '', settings.documentPrefix ? `doc=${JSON.stringify(settings.documentPrefix)}` : '', settings.queryPrefix ? `query=${JSON.stringify(settings.queryPrefix)}` : ''].filter(Boolean);
    this.id = `${settings.provider}@${url.host}/${settings.model}${extras.length ? `;${extras.join(';')}` : ''}`;
  }

  get where(): string {
    return `at ${this.endpoint} (${this.settings.provider}, model ${this.settings.model})`;
  }

  /** The vector size, learnt from one request (and then required of every answer). */
  async dimensions(): Promise<number> {
    this.probed ??= this.request(['dimension probe']).then(
      (vectors) => vectors[0].length,
      (error: unknown) => {
        this.probed = undefined; // a server down now may be up for the next run
        throw error;
      },
    );
    return this.probed;
  }

  async embedDocuments(inputs: readonly DocumentInput[], signal?: AbortSignal): Promise<Float32Array> {
    const prefix = this.settings.documentPrefix ?? '';
    return flatten(await this.request(inputs.map((input) => prefix + (input.text ?? '')), signal));
  }

  async embedQueries(queries: readonly string[], splitWords: boolean, signal?: AbortSignal): Promise<Float32Array> {
    const prefix = this.settings.queryPrefix ?? '';
    const cut = splitWords && this.cutQueryWords;
    return flatten(await this.request(queries.map((query) => prefix + queryModelInput(query, cut)), signal));
  }

  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    return flatten(await this.request([...texts], signal));
  }

  async close(): Promise<void> {
    // Nothing held: fetch keeps no state we own.
  }

  /** One batch, retried while the failure is transient; unit vectors, checked. */
  private async request(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const attempts = this.settings.attempts ?? 6;
    const backoff = this.settings.backoffMs ?? 500;
    let last: TransientError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0) {
        this.stats.retries++;
        const jittered = Math.random() * Math.min(30_000, backoff * 2 ** (attempt - 1));
        await sleep(Math.max(last?.retryAfterMs ?? 0, jittered), signal);
      }
      await this.limit.acquire(signal);
      const began = performance.now();
      let ok = false;
      try {
        const vectors = await this.send(texts, signal);
        ok = true;
        return vectors;
      } catch (error) {
        if (!(error instanceof TransientError)) throw error;
        last = error;
        if (error.overloaded) {
          this.stats.overloaded++;
          this.limit.shrink();
        }
      } finally {
        this.limit.release(ok ? { items: texts.length, ms: performance.now() - began } : undefined);
      }
    }
    throw new RemoteEmbedderError(`The embedding endpoint ${this.endpoint} kept failing (${attempts} attempts): ${last?.message ?? 'no answer'}.`);
  }

  private async send(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { provider, model, dimensions } = this.settings;
    const body =
      provider === 'ollama'
        ? { model, input: texts, truncate: true, ...(dimensions ? { dimensions } : {}) }
        : { model, input: texts, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) };
    const timeout = AbortSignal.timeout(this.settings.timeoutMs ?? 60_000);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    this.stats.requests++;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await response.text();
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) throw new TransientError(`no answer within ${(this.settings.timeoutMs ?? 60_000) / 1000} s`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TransientError(this.redact(`${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`));
    }
    if (!response.ok) {
      const detail = this.redact(text.slice(0, 300).replace(/\s+/g, ' ').trim());
      const message = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`;
      if (response.status === 429 || response.status === 503) throw new TransientError(message, retryAfterMs(response.headers.get('retry-after')), true);
      if (response.status >= 500 || response.status === 408) throw new TransientError(message, retryAfterMs(response.headers.get('retry-after')));
      throw new RemoteEmbedderError(`The embedding endpoint ${this.endpoint} refused the request: ${message}.`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A body cut short (a proxy, a reset mid-answer) is worth another try.
      throw new TransientError(`an answer that is not complete JSON (${text.length} bytes)`);
    }
    const vectors = provider === 'ollama' ? ollamaVectors(parsed) : openAiVectors(parsed);
    if (!vectors || vectors.length !== texts.length) {
      throw new RemoteEmbedderError(`The embedding endpoint ${this.endpoint} answered ${vectors ? `${vectors.length} vectors for ${texts.length} inputs` : 'without vectors'} (is it an ${provider === 'ollama' ? 'Ollama' : 'OpenAI-compatible'} embeddings API?).`);
    }
    const size = vectors[0].length;
    this.knownDimensions ??= size;
    for (const vector of vectors) {
      if (vector.length !== this.knownDimensions) {
        throw new RemoteEmbedderError(
          `The embedding endpoint ${this.endpoint} returned ${vector.length}-dimensional vectors for model ${model}, where it returned ${this.knownDimensions} before: another model is answering behind this URL. Nothing more is written; rebuild the index (--rebuild) if the change is intended.`,
        );
      }
    }
    return vectors.map(normalize);
  }

  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('***') : text;
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteEmbedderError(`The embedding URL "${raw}" is not a URL (e.g. http://127.0.0.1:8080/v1).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteEmbedderError(`The embedding URL must be http or https (got ${url.protocol}).`);
  if (url.username || url.password) throw new RemoteEmbedderError('Put the API key in an environment variable (--embed-api-key-env), not in the URL.');
  return url;
}

/** `…/v1` → `…/v1/embeddings`; Ollama's base → `…/api/embed`; a full endpoint is kept. */
export function endpointOf(provider: RemoteProvider, url: URL): string {
  const base = url.href.replace(/\/+$/, '');
  if (provider === 'ollama') return /\/api\/embed$/.test(base) ? base : `${base}/api/embed`;
  return /\/embeddings$/.test(base) ? base : `${base}/embeddings`;
}

function openAiVectors(body: unknown): number[][] | undefined {
  const data = (body as { data?: { embedding?: unknown; index?: number }[] } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (!sorted.every((item) => Array.isArray(item.embedding) && item.embedding.length > 0)) return undefined;
  return sorted.map((item) => item.embedding as number[]);
}

function ollamaVectors(body: unknown): number[][] | undefined {
  const embeddings = (body as { embeddings?: unknown } | null)?.embeddings;
  if (!Array.isArray(embeddings) || !embeddings.every((e) => Array.isArray(e) && e.length > 0)) return undefined;
  return embeddings as number[][];
}

function normalize(values: number[]): Float32Array {
  const vector = Float32Array.from(values);
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

function flatten(vectors: Float32Array[]): Float32Array {
  const dims = vectors[0]?.length ?? 0;
  const flat = new Float32Array(vectors.length * dims);
  vectors.forEach((vector, i) => flat.set(vector, i * dims));
  return flat;
}

/** `Retry-After` in seconds or as an HTTP date, at most a minute. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 60_000) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason)));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
