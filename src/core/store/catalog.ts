/**
 * The catalog (`catalog.g<N>.json`): per indexed file, its size, mtime and content hash, the shard
 * and texts file holding it, and its chunk ids. Read and checked (a damaged or hostile catalog is
 * refused, never half read), and written as a new generation for the manifest to name.
 */
import { readFile } from 'node:fs/promises';
import type { WriteHost } from '../files/host';
import { writeFileAtomic } from './atomic';
import { isFileSum } from './file-sums';
import { catalogName, catalogPath } from './layout';
import { parseIndexJson } from './manifest';
import { IndexCorruptError, type CatalogEntry, type Manifest } from './types';

const HEX_KEY = /^[0-9a-f]{32}$/;

/** The catalog the manifest names (empty before the first commit); IndexCorruptError when it is missing or damaged. */
export async function readCatalog(dir: string, manifest: Manifest): Promise<Map<string, CatalogEntry>> {
  const generation = manifest.catalogGeneration;
  if (generation === 0) return new Map();
  const name = catalogName(generation);
  let text: string;
  try {
    text = await readFile(catalogPath(dir, generation), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new IndexCorruptError(`${name}, which manifest.json names, is missing`);
    throw error;
  }
  const raw = parseIndexJson(text, name) as Record<string, CatalogEntry>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IndexCorruptError(`${name} is not an object`);
  const catalog = new Map(Object.entries(raw));
  for (const [path, entry] of catalog) {
    const problem = catalogEntryProblem(path, entry, manifest.shards);
    if (problem) throw new IndexCorruptError(`${name} ${problem}`);
  }
  return catalog;
}

/** Writes a catalog generation; it counts once a manifest names it. */
export async function writeCatalog(dir: string, generation: number, catalog: ReadonlyMap<string, CatalogEntry>, host: WriteHost): Promise<void> {
  await writeFileAtomic(catalogPath(dir, generation), JSON.stringify(Object.fromEntries(catalog)), host);
}

/**
 * A catalog's paths name files inside the indexed folder: relative, forward slashes, no `.` or `..`
 * step, no NUL. Anything else (a hand-made or damaged index) is refused, so results, `verify` and
 * the editor never open a path outside the folder because an index file said so.
 */
export function isSafeIndexPath(path: string): boolean {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) return false;
  if (process.platform === 'win32' && path.includes('\\')) return false;
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return false;
  return path.split('/').every((step) => step !== '' && step !== '.' && step !== '..');
}

function catalogEntryProblem(path: string, e: CatalogEntry, shards: number): string | undefined {
  if (!isSafeIndexPath(path)) return `names a path outside the folder (${JSON.stringify(path)})`;
  if (typeof e !== 'object' || e === null) return `has no entry for ${path}`;
  if (!Number.isSafeInteger(e.shard) || e.shard < 0 || e.shard >= shards) return `puts ${path} in shard ${String(e.shard)}`;
  if (typeof e.textKey !== 'string' || !HEX_KEY.test(e.textKey)) return `has a damaged text key for ${path}`;
  if (!Array.isArray(e.chunkIds) || !e.chunkIds.every((id) => typeof id === 'string')) return `has damaged chunk ids for ${path}`;
  if (typeof e.hash !== 'string' || typeof e.size !== 'number' || typeof e.mtimeMs !== 'number') return `has a damaged entry for ${path}`;
  if (e.textSum !== undefined && !isFileSum(e.textSum)) return `has a damaged texts checksum for ${path}`;
  if (e.fastChunks !== undefined && (!Number.isSafeInteger(e.fastChunks) || e.fastChunks < 1 || e.fastChunks > e.chunkIds.length)) return `has a damaged tier count for ${path}`;
  return undefined;
}
