/**
 * The remote embedder an index was built with, kept beside it (`<index>/embedder.json`), so a later
 * `quipu search` or `quipu index` of the folder needs no flags. Never the API key: only the name of
 * the environment variable that holds it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic';
import type { RemoteEmbedderSettings } from './remote-embedder';

const FILE = 'embedder.json';

export async function readEmbedderRecord(indexDir: string): Promise<RemoteEmbedderSettings | undefined> {
  try {
    const record = JSON.parse(await readFile(join(indexDir, FILE), 'utf8')) as { remote?: RemoteEmbedderSettings };
    return record.remote;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Records the embedder of a run (none: the local model). */
export async function writeEmbedderRecord(indexDir: string, settings: RemoteEmbedderSettings | undefined): Promise<void> {
  const { apiKey: _secret, ...kept } = settings ?? ({} as Partial<RemoteEmbedderSettings>);
  void _secret;
  await writeFileAtomic(join(indexDir, FILE), JSON.stringify(settings ? { remote: kept } : {}, null, 2));
}
