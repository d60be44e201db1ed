/**
 * Crash-safe file writes: write a temporary file, flush it, then rename it over the target.
 *
 * On Windows a rename over a file that another process has open (a reader of the index, a virus
 * scanner, the search indexer) fails for a moment with EPERM, EBUSY or EACCES. As graceful-fs and
 * write-file-atomic do, the rename is tried again with a growing delay (10 ms doubling to 1 s,
 * about 3 s in all) before the error is reported; other errors are reported at once. Deleting a
 * file the index no longer needs is retried the same way, briefly, and then left for later.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeWriteHost, type WriteHost } from '../files/host';

const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES']);

export interface ReplaceRetry {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_REPLACE_RETRY: ReplaceRetry = { attempts: 10, firstDelayMs: 10, maxDelayMs: 1000 };

export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  host: WriteHost = nodeWriteHost,
  retry: ReplaceRetry = DEFAULT_REPLACE_RETRY,
): Promise<void> {
  await host.mkdir(dirname(path));
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await host.writeSynced(tmp, content);
    await renameWithRetry(host, tmp, path, retry);
  } catch (error) {
    await host.remove(tmp);
    throw error;
  }
}

/**
 * Deletes a file the index no longer names (an old generation, a replaced catalog). On Windows a
 * file another process has open cannot be deleted for a moment: try again briefly, then leave it.
 * Returns whether it is gone. A leftover costs disk, never correctness: nothing reads a file the
 * manifest does not name, and the store removes such files when it next opens for writing.
 */
export async function removeObsoleteFile(path: string, host: WriteHost = nodeWriteHost, retry: ReplaceRetry = CLEANUP_RETRY): Promise<boolean> {
  try {
    await withRetry(() => host.remove(path), retry);
    return true;
  } catch (error) {
    if (TRANSIENT.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}

/** Cleanup must not hold up a commit that is already in force: about 150 ms per file at most. */
export const CLEANUP_RETRY: ReplaceRetry = { attempts: 5, firstDelayMs: 10, maxDelayMs: 80 };

function renameWithRetry(host: WriteHost, from: string, to: string, retry: ReplaceRetry): Promise<void> {
  return withRetry(() => host.rename(from, to), retry);
}

/** Runs `operation` again after transient errors (EPERM, EBUSY, EACCES), with a doubling delay. */
async function withRetry(operation: () => Promise<void>, retry: ReplaceRetry): Promise<void> {
  let delay = retry.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await operation();
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!TRANSIENT.has(code) || attempt >= retry.attempts) throw error;
      await sleep(delay);
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
  }
}
