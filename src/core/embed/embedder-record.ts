/**
 * The remote embedder an index was built with, kept beside it (`<index>/embedder.json`), so a later
 * `quipu search` or `quipu index` of the folder needs no flags. Never the API key: only the name of
 * the environment variable that holds it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RemoteEmbedderSettings } from '../config/embedder-settings';
import { writeFileAtomic } from '../store/atomic';

export const EMBEDDER_RECORD_FILE = 'embedder.json';

/** A record that cannot be read as one: which embedder built the index is unknown, so nothing guesses. */
export class EmbedderRecordError extends Error {
  override name = 'EmbedderRecordError';
  static readonly REMEDY =
    'which embedder built this index is unknown. Delete it to use the bundled model, or run `quipu index` with --embed-url and --embed-model (or --embed-local) to record the embedder again';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} is damaged (${problem}): ${EmbedderRecordError.REMEDY}.`);
  }
}

export async function readEmbedderRecord(indexDir: string): Promise<RemoteEmbedderSettings | undefined> {
  const file = join(indexDir, EMBEDDER_RECORD_FILE);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new EmbedderRecordError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const problem = recordProblem(record);
  if (problem) throw new EmbedderRecordError(file, problem);
  return (record as { remote?: RemoteEmbedderSettings }).remote;
}

/** What is wrong with a parsed record, or undefined: `{}` (the local model) or `{remote: {provider, url, model, …}}`. */
function recordProblem(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  const remote = (record as { remote?: unknown }).remote;
  if (remote === undefined) return undefined;
  if (typeof remote !== 'object' || remote === null || Array.isArray(remote)) return '"remote" is not an object';
  const r = remote as Record<string, unknown>;
  if (r.provider !== 'openai' && r.provider !== 'ollama') return '"remote.provider" is neither "openai" nor "ollama"';
  for (const key of ['url', 'model'] as const) if (typeof r[key] !== 'string' || !r[key]) return `"remote.${key}" is not a string`;
  return undefined;
}

/** Records the embedder of a run (none: the local model). */
export async function writeEmbedderRecord(indexDir: string, settings: RemoteEmbedderSettings | undefined): Promise<void> {
  const { apiKey: _secret, ...kept } = settings ?? ({} as Partial<RemoteEmbedderSettings>);
  void _secret;
  await writeFileAtomic(join(indexDir, EMBEDDER_RECORD_FILE), JSON.stringify(settings ? { remote: kept } : {}, null, 2));
}
