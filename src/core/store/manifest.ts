/**
 * The manifest (`manifest.json`): the index's identity (format, model, chunk settings) and which
 * generation of the catalog and of each shard is committed. Read, checked, written; and, against
 * the identity a caller brings, why an index must be rebuilt: the one set of reasons the store acts
 * on and `verify` reports.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { WriteHost } from '../files/host';
import { writeFileAtomic } from './atomic';
import { isFileSum } from './file-sums';
import { CATALOG_NAME, MANIFEST_FILE, manifestPath, SHARDS_DIR, TEXTS_DIR } from './layout';
import { IndexCorruptError, type Manifest, type ShardSums, type StoreIdentity } from './types';

// 2: lexical shards beside the vector shards.
// 3: lexical shards in Quipu's compact binary BM25 form (was MiniSearch JSON).
// 4: the lexical tokenizer makes plurals singular.
// 5: chunks share an embedding by what the model read (`inputHash`), no longer by their text alone.
// 6: vector shards in Quipu's own file (float16 rows, columnar metadata), no longer Vectra protobuf.
// (Still 6 with the files' checksums, `shardSums` and `textSum`: both optional, so an index written
// before them is read and checked by structure until its shards are rewritten, and an older Quipu
// reads a newer index. A bump would re-embed every user's every file for no gain in what is read.)
export const FORMAT_VERSION = 6;
const DEFAULT_SHARDS = 16;

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(manifestPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = parseIndexJson(text, MANIFEST_FILE) as Manifest;
  const problem = manifestProblem(manifest);
  if (problem) throw new IndexCorruptError(`${MANIFEST_FILE} ${problem}`);
  return manifest;
}

/**
 * What is wrong with a manifest, if anything. Its numbers name files (`catalog.g<N>.json`,
 * `vectors.g<N>.bin`), so they must be plain counts: never text that could walk out of the index folder.
 */
export function manifestProblem(m: Manifest): string | undefined {
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'is not an object';
  if (!count(m.formatVersion)) return 'has no format version';
  if (m.formatVersion !== FORMAT_VERSION) return undefined; // an older format: rebuilt, not read
  if (typeof m.modelId !== 'string' || typeof m.chunkKey !== 'string' || !count(m.dimensions)) return 'has no model identity';
  if (!count(m.shards) || m.shards < 1 || m.shards > 4096) return `names ${String(m.shards)} shards`;
  if (!count(m.catalogGeneration)) return 'names no catalog generation';
  if (!Array.isArray(m.shardGenerations) || m.shardGenerations.length !== m.shards || !m.shardGenerations.every(count)) return 'has damaged shard generations';
  const isShardSums = (s: ShardSums | null) => s === null || (typeof s === 'object' && count(s.generation) && isFileSum(s.vectors) && isFileSum(s.lexical));
  if (m.shardSums !== undefined && (!Array.isArray(m.shardSums) || m.shardSums.length !== m.shards || !m.shardSums.every(isShardSums))) return 'has damaged shard checksums';
  return undefined;
}

/** Replaces the manifest in one atomic step: what a reader sees is the old one or the new one. */
export async function writeManifest(dir: string, manifest: Manifest, host: WriteHost): Promise<void> {
  await writeFileAtomic(manifestPath(dir), JSON.stringify(manifest, null, 1), host);
}

/** The manifest of an empty index. */
export function freshManifest(identity: StoreIdentity, shards = DEFAULT_SHARDS): Manifest {
  return {
    formatVersion: FORMAT_VERSION,
    ...identity,
    shards,
    catalogGeneration: 0,
    shardGenerations: new Array<number>(shards).fill(0),
    shardSums: new Array<ShardSums | null>(shards).fill(null),
    updatedAt: new Date().toISOString(),
  };
}

/** A shard's recorded sums, when they are for its committed generation. */
export function shardSumsOf(manifest: Manifest, shard: number): ShardSums | undefined {
  const sums = manifest.shardSums?.[shard];
  return sums && sums.generation === manifest.shardGenerations[shard] ? sums : undefined;
}

/** An index file's JSON (`name` for the message), or IndexCorruptError saying why it is not JSON. */
export function parseIndexJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IndexCorruptError(`${name} is not valid JSON (${text.length === 0 ? 'empty' : (error as Error).message})`);
  }
}

/**
 * Why the index in a folder must be rebuilt before this identity can use it, or undefined when it
 * need not: a rebuild was asked for (`forced`), or the format, the model or the chunk settings
 * changed. The model's dimensions count only when the caller knows them (a reader of a remote
 * model's index does not ask the server, and says 0).
 */
export function rebuildReason(manifest: Manifest, identity: StoreIdentity, options: { forced?: boolean } = {}): string | undefined {
  if (options.forced) return 'a rebuild was requested';
  if (manifest.formatVersion !== FORMAT_VERSION) return `the index format changed (${manifest.formatVersion} → ${FORMAT_VERSION})`;
  if (manifest.modelId !== identity.modelId) return `the model changed (${manifest.modelId} → ${identity.modelId})`;
  if (manifest.chunkKey !== identity.chunkKey) return chunkKeyChange(manifest.chunkKey, identity.chunkKey);
  if (identity.dimensions > 0 && manifest.dimensions !== identity.dimensions) return `the model's dimensions changed (${manifest.dimensions} → ${identity.dimensions})`;
  return undefined;
}

/** Why an index whose manifest or catalog cannot be read is rebuilt (`rebuilt`: a writer has done so). */
export function damageReason(error: IndexCorruptError, rebuilt: boolean): string {
  return `the index ${rebuilt ? 'was' : 'is'} damaged (${error.message})`;
}

/**
 * What a folder without a manifest still holds of an index (a deleted or lost manifest), as a reason
 * to rebuild it; undefined when it holds none (never indexed).
 */
export async function missingManifestProblem(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [] as string[];
    throw error;
  });
  const left = names.filter((name) => CATALOG_NAME.test(name) || name === SHARDS_DIR || name === TEXTS_DIR).sort();
  if (left.length === 0) return undefined;
  const named = left.map((name) => (name === SHARDS_DIR || name === TEXTS_DIR ? `${name}/` : name));
  return `the manifest (${manifestPath(dir)}) is missing, while ${named.join(', ')} remain`;
}

/** Why an index made with other chunk settings is rebuilt: a newer chunker, or settings the user changed. */
function chunkKeyChange(from: string, to: string): string {
  const version = (key: string) => key.split(';')[0];
  const rest = (key: string) => key.split(';').slice(1).join(';');
  if (rest(from) === rest(to)) return `this version of Quipu cuts code into chunks differently (${version(from)} → ${version(to)}: definitions by assignment, in IIFE and AMD modules, and more languages' methods have chunks of their own)`;
  return `the chunk settings changed (${from} → ${to})`;
}
