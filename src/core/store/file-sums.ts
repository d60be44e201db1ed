/**
 * What an index file must hold, recorded when it is written: its length and CRC32. A structural
 * check (magic, header, sizes) cannot see bytes overwritten in a file's vectors, nor a texts file cut
 * at a JSON boundary; a checksum can. CRC32 (zlib's, about 4 GB/s here) catches damage, not forgery:
 * whoever can write the index files can write matching sums too, so nothing stronger is worth its cost.
 */
import { crc32 } from 'node:zlib';

export interface FileSum {
  bytes: number;
  crc32: number;
}

export function sumOf(content: Uint8Array | string): FileSum {
  return { bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength, crc32: crc32(content) };
}

/** Why `content` is not what was written, or undefined when it is (or when nothing was recorded). */
export function sumProblem(content: Uint8Array, sum: FileSum | undefined): string | undefined {
  if (!sum) return undefined;
  if (content.byteLength !== sum.bytes) return `it is ${content.byteLength} bytes, not the ${sum.bytes} written`;
  if (crc32(content) !== sum.crc32) return 'its checksum differs from the one written with it: the file was changed or damaged since';
  return undefined;
}

/** `content`, once it is what was written (`sum`); throws saying how it differs. */
export function asWritten<T extends Uint8Array>(content: T, sum: FileSum | undefined): T {
  const problem = sumProblem(content, sum);
  if (problem) throw new Error(problem);
  return content;
}

/** Why a file of `size` bytes cannot be the one written, by its size alone (no read). */
export function sizeProblem(size: number, sum: FileSum | undefined): string | undefined {
  if (!sum) return size === 0 ? 'it is empty' : undefined;
  return size === sum.bytes ? undefined : `it is ${size} bytes, not the ${sum.bytes} written`;
}

export function isFileSum(value: unknown): value is FileSum {
  const sum = value as FileSum;
  return typeof sum === 'object' && sum !== null && Number.isSafeInteger(sum.bytes) && sum.bytes >= 0 && Number.isInteger(sum.crc32) && sum.crc32 >= 0 && sum.crc32 <= 0xffffffff;
}
