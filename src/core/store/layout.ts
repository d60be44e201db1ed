/**
 * Where an index's files are, and which shard and texts file a file's chunks go to:
 *
 *   <dir>/manifest.json              model id, chunk settings, shard generations, catalog generation
 *   <dir>/catalog.g<N>.json          per file: size, mtime, content hash, model, chunk settings, chunk ids
 *   <dir>/shards/sNN/vectors.gK.bin  the shard's chunks: ids, metadata, float16 vectors (shard-file.ts)
 *   <dir>/shards/sNN/lexical.gK.bin  the shard's BM25 index of the same chunks (same generation)
 *   <dir>/texts/<ab>/<key>.json      the chunk texts of one file version (content-addressed, immutable)
 *   <dir>/index.lock                 held by the one writer (lock.ts)
 *
 * Files are spread over shards by a hash of their path, so updating one file rewrites one shard, not
 * the whole index.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const LOCK_FILE = 'index.lock';
export const SHARDS_DIR = 'shards';
export const TEXTS_DIR = 'texts';

/** A catalog's file name (any generation). */
export const CATALOG_NAME = /^catalog\.g\d+\.json$/;

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

export function catalogName(generation: number): string {
  return `catalog.g${generation}.json`;
}

export function catalogPath(dir: string, generation: number): string {
  return join(dir, catalogName(generation));
}

/** Where a shard's files live. */
export function shardDirOf(dir: string, shard: number): string {
  return join(dir, SHARDS_DIR, `s${String(shard).padStart(2, '0')}`);
}

export function vectorFileName(generation: number): string {
  return `vectors.g${generation}.bin`;
}

export function lexicalFileName(generation: number): string {
  return `lexical.g${generation}.bin`;
}

export function vectorFile(shardDir: string, generation: number): string {
  return join(shardDir, vectorFileName(generation));
}

export function lexicalFile(shardDir: string, generation: number): string {
  return join(shardDir, lexicalFileName(generation));
}

export function textPathOf(dir: string, textKey: string): string {
  return join(dir, TEXTS_DIR, textKey.slice(0, 2), `${textKey}.json`);
}

export function hashText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Where a file's chunk texts are kept: files with the same content share them. The language is part
 * of the key because it decides how the content is cut: the same bytes as `notes.md` and `notes.ts`
 * are different chunks (found by `npm run bench:soak`: one file's texts overwrote the other's).
 */
export function textKeyOf(fileHash: string, chunkKey: string, language: string): string {
  return hashText(`${fileHash}\n${chunkKey}\n${language}`).slice(0, 32);
}

export function shardOf(path: string, shards: number): number {
  return parseInt(hashText(path).slice(0, 8), 16) % shards;
}

/** The id of a file version's chunk: its path and content, then its position. */
export function chunkIdsOf(path: string, fileHash: string, chunks: number): string[] {
  const base = `${hashText(path).slice(0, 12)}-${fileHash.slice(0, 8)}`;
  return Array.from({ length: chunks }, (_, i) => `${base}-${i}`);
}
